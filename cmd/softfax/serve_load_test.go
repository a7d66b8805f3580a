package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/spool"
)

// vmRSS reads a process's resident set size in KiB from /proc.
func vmRSS(pid int) int { return procStatus(pid, "VmRSS") }

// procStatus reads a size in KiB from /proc/PID/status: VmRSS, or RssAnon
// (the private part: without the executable's pages, which are shared
// and can be dropped from memory).
func procStatus(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// TestServeLoad: two services with 8 lines each fax each other 30 jobs in
// each direction at once (60 faxes, at most 8 calls at a time since every
// call holds a line at both ends). It reports wall time, CPU and peak RSS,
// and fails if a service grows by more than 2 MiB per busy line over its
// idle size. It takes minutes: run it with SOFTFAX_LOAD=1 (and
// SOFTFAX_LOAD_PAGES=N for N-page faxes instead of one page).
func TestServeLoad(t *testing.T) {
	if os.Getenv("SOFTFAX_LOAD") == "" {
		t.Skip("set SOFTFAX_LOAD=1 to run the 60-fax load test (minutes)")
	}
	bin := buildSoftfax(t)
	dir := t.TempDir()
	aAddr, bAddr := freeUDPPort(t), freeUDPPort(t)
	cfg := func(name, listen, dial string) string {
		p := filepath.Join(dir, name+".toml")
		os.WriteFile(p, []byte(fmt.Sprintf(`
station_id = "+1 555 0%s"
spool = %q
[iax]
listen = %q
dial = %q
[lines]
count = 8
outbound = 6
[retry]
tries = 20
backoff = "1s"
max_backoff = "4s"
[[route]]
default = true
email = ["ops@example.com"]
`, map[string]string{"a": "100", "b": "199"}[name], filepath.Join(dir, name), listen, dial)), 0o644)
		return p
	}
	alog, _ := os.Create(filepath.Join(dir, "a.log"))
	blog, _ := os.Create(filepath.Join(dir, "b.log"))
	a := &proc{t: t, name: "a", bin: bin, cfg: cfg("a", aAddr, bAddr), log: alog}
	b := &proc{t: t, name: "b", bin: bin, cfg: cfg("b", bAddr, aAddr), log: blog}
	a.start()
	b.start()
	time.Sleep(time.Second)
	idleA, idleB := vmRSS(a.cmd.Process.Pid), vmRSS(b.cmd.Process.Pid)
	anonA, anonB := procStatus(a.cmd.Process.Pid, "RssAnon"), procStatus(b.cmd.Process.Pid, "RssAnon")

	const n = 30
	pages := 1 // per fax; SOFTFAX_LOAD_PAGES=N for longer documents
	if v, err := strconv.Atoi(os.Getenv("SOFTFAX_LOAD_PAGES")); err == nil && v > 0 {
		pages = v
	}
	start := time.Now()
	for _, side := range []string{"a", "b"} {
		out := filepath.Join(dir, side, spool.DirOutbound)
		for i := range n {
			tmp := filepath.Join(out, fmt.Sprintf(".%d", i))
			doc := fmt.Sprintf("load test fax %s-%d\n", side, i)
			for p := 2; p <= pages; p++ {
				doc += fmt.Sprintf("\fpage %d of load test fax %s-%d\n", p, side, i)
			}
			os.WriteFile(tmp, []byte(doc), 0o644)
			os.Rename(tmp, filepath.Join(out, fmt.Sprintf("2%02d.txt", i)))
		}
	}
	peakA, peakB := 0, 0
	deadline := time.Now().Add(20 * time.Minute)
	for {
		peakA, peakB = max(peakA, vmRSS(a.cmd.Process.Pid)), max(peakB, vmRSS(b.cmd.Process.Pid))
		finished := 0
		for _, side := range []string{"a", "b"} {
			for _, d := range []string{spool.DirDone, spool.DirFailed} {
				js, _ := spool.ReadJobs(filepath.Join(dir, side), d, 0)
				finished += len(js)
			}
		}
		if finished == 2*n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d jobs finished", finished, 2*n)
		}
		time.Sleep(500 * time.Millisecond)
	}
	wall := time.Since(start)
	// Let the last deliveries go out.
	time.Sleep(2 * time.Second)
	a.stop()
	b.stop()
	// Every line is busy at the peak (the jobs outnumber the lines), so
	// the growth over the idle size, divided by the lines, is what a busy
	// line costs; the kernel's max RSS catches peaks the sampling misses.
	const lines = 8
	var report []string
	for _, x := range []struct {
		p          *proc
		idle, peak int
	}{{a, idleA, peakA}, {b, idleB, peakB}} {
		ru := x.p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		perLine := float64(max(x.peak, int(ru.Maxrss))-x.idle) / lines
		report = append(report, fmt.Sprintf("%s: CPU %v (%.1f%% of one core), max RSS %d KiB, %.0f KiB per busy line", x.p.name, cpu.Round(time.Millisecond), 100*cpu.Seconds()/wall.Seconds(), ru.Maxrss, perLine))
		if perLine > 2048 {
			t.Errorf("%s: %.0f KiB per busy line, want at most 2 MiB", x.p.name, perLine)
		}
	}
	done := 0
	for _, side := range []string{"a", "b"} {
		js, _ := spool.ReadJobs(filepath.Join(dir, side), spool.DirDone, 0)
		done += len(js)
		failed, _ := spool.ReadJobs(filepath.Join(dir, side), spool.DirFailed, 0)
		for _, j := range failed {
			t.Errorf("%s: job to %s failed: %s", side, j.To, j.Reason)
		}
		faxes, _ := spool.ReadFaxes(filepath.Join(dir, side), 0)
		emls, _ := filepath.Glob(filepath.Join(dir, side, "mail", "*.eml"))
		t.Logf("%s: %d jobs done, %d faxes received, %d mails", side, len(js), len(faxes), len(emls))
		if len(faxes) < n || len(emls) < len(faxes) {
			t.Errorf("%s: %d faxes received, %d mailed; want %d", side, len(faxes), len(emls), n)
		}
	}
	t.Logf("%d faxes of %d page(s) in %v; idle RSS a %d KiB, b %d KiB (private: a %d KiB, b %d KiB); peak RSS (sampled) a %d KiB, b %d KiB", done, pages, wall.Round(time.Second), idleA, idleB, anonA, anonB, peakA, peakB)
	for _, r := range report {
		t.Log(r)
	}
}
