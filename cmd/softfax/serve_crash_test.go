package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/delivery"
	"github.com/softfax/softfax/spool"
)

// buildSoftfax builds this command into a temporary folder.
func buildSoftfax(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "softfax")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is one softfax serve process that the test kills and restarts.
type proc struct {
	t    *testing.T
	name string
	bin  string
	cfg  string
	log  *os.File
	cmd  *exec.Cmd
	runs int
}

func (p *proc) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "serve", "-config", p.cfg)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.runs++
}

func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		// The Wait above is still running: it must be the one to reap the
		// process (a second Wait returns at once, without ProcessState).
		p.t.Logf("%s: no exit 10 s after SIGTERM; killing it", p.name)
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// TestServeCrashSafety kills sending and receiving services with SIGKILL
// 20 times — at random moments, right after a fax is archived, inside SMTP
// exchanges and mid-call — restarting each at once. In the end every job
// is done or failed with a reason, every received fax is mailed, and a
// Message-ID arrives twice only for a mail whose SMTP exchange a kill cut
// off (the record counts those resends).
//
// Three sender/receiver pairs, each with its own spools, ports and SMTP
// server, are killed at the same time: 12 kills at random moments (call
// set-up, training, pages, on either side), 4 per pair, and 8 on events.
// The sender is fed new jobs so that a call or a delivery is always under
// way for the next kill to hit. A kill on an archived fax waits for a
// whole call (about 18 s), so each pair has one of those.
//
// The pairs are subtests run from goroutines (testing.T.Run allows it),
// not parallel subtests: those would take turns for go test's -parallel
// slots, two on two cores.
func TestServeCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts real-time fax services for about 40 s")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	bin := buildSoftfax(t)
	plans := [][]string{
		{"archived", "smtp", "smtp"},
		{"archived", "smtp", "smtp"},
		{"mid-call", "archived"},
	}
	var wg sync.WaitGroup
	for i, plan := range plans {
		rng := rand.New(rand.NewPCG(seed, uint64(i+1)))
		wg.Go(func() {
			t.Run(fmt.Sprintf("pair%d", i+1), func(t *testing.T) {
				crashPair(t, bin, rng, 4, plan)
			})
		})
	}
	wg.Wait()
}

// crashPair runs one sender and one receiver, kills them randomKills times
// at random moments, then once per event of plan, and checks that nothing
// was lost.
func crashPair(t *testing.T, bin string, rng *rand.Rand, randomKills int, plan []string) {
	start := time.Now()
	mb := &testMailbox{Delay: 300 * time.Millisecond}
	dataStarted := make(chan struct{}, 64)
	mb.onData = func() {
		select {
		case dataStarted <- struct{}{}:
		default:
		}
	}
	smtpAddr := startTestSMTP(t, mb)
	host, port, _ := net.SplitHostPort(smtpAddr)
	dir := t.TempDir()
	aAddr, bAddr := freeUDPPort(t), freeUDPPort(t)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bCfg := write("b.toml", fmt.Sprintf(`
station_id = "+1 555 0199"
spool = %q
[iax]
listen = %q
[lines]
count = 8
[retry]
delivery_backoff = "1s"
delivery_max_backoff = "2s"
[smtp]
host = %q
port = %s
tls = "none"
from = "fax@example.com"
[[route]]
default = true
email = ["ops@example.com"]
`, filepath.Join(dir, "b"), bAddr, host, port))
	aCfg := write("a.toml", fmt.Sprintf(`
station_id = "+1 555 0100"
spool = %q
[iax]
listen = %q
dial = %q
[lines]
count = 3
[retry]
tries = 20
backoff = "1s"
max_backoff = "3s"
`, filepath.Join(dir, "a"), aAddr, bAddr))
	alog, _ := os.Create(filepath.Join(dir, "a.log"))
	blog, _ := os.Create(filepath.Join(dir, "b.log"))
	defer func() {
		if t.Failed() {
			for _, f := range []string{"a.log", "b.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				if len(b) > 6000 {
					b = b[len(b)-6000:]
				}
				t.Logf("%s (tail):\n%s", f, b)
			}
		}
	}()
	a := &proc{t: t, name: "sender", bin: bin, cfg: aCfg, log: alog}
	b := &proc{t: t, name: "receiver", bin: bin, cfg: bCfg, log: blog}
	b.start()
	a.start()
	defer a.stop()
	defer b.stop()

	out := filepath.Join(dir, "a", spool.DirOutbound)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(out); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sender spool not created")
		}
	}
	// feed drops jobs until at least n wait or are under way. A job's
	// file is dated back so that the spool takes it at once (it waits for
	// files written in place to settle). Two calls run from the start; then
	// one is enough for the next kill to hit, and the fewer calls a kill
	// cuts, the sooner everything settles in the end.
	jobs := 0
	feed := func(n int) {
		for {
			waiting, _ := os.ReadDir(out)
			queued, _ := os.ReadDir(filepath.Join(dir, "a", spool.DirQueue))
			if len(waiting)+len(queued) >= n {
				return
			}
			tmp := filepath.Join(out, fmt.Sprintf(".%d", jobs))
			os.WriteFile(tmp, []byte(fmt.Sprintf("crash test fax %d\n", jobs)), 0o644)
			old := time.Now().Add(-time.Minute)
			os.Chtimes(tmp, old, old)
			os.Rename(tmp, filepath.Join(out, fmt.Sprintf("1%02d.txt", jobs)))
			jobs++
		}
	}
	feed(2)

	inboundCount := func() int {
		es, _ := os.ReadDir(filepath.Join(dir, "b", spool.DirInbound))
		return len(es)
	}
	kills := map[string]int{}
	for k := 0; k < randomKills+len(plan); k++ {
		victim, why := a, "random"
		if k < randomKills {
			time.Sleep(time.Duration(300+rng.IntN(1700)) * time.Millisecond)
			if rng.IntN(2) == 0 {
				victim = b
			}
		} else {
			why = plan[k-randomKills]
			if why != "smtp" {
				feed(1) // a call to cut or to complete
			}
			seen := inboundCount()
			wait := map[string]time.Duration{"archived": 40 * time.Second, "smtp": 30 * time.Second, "mid-call": time.Duration(2+rng.IntN(5)) * time.Second}[why]
			timer := time.NewTimer(wait)
			poll := time.NewTicker(20 * time.Millisecond)
			for k == randomKills && len(dataStarted) > 0 {
				<-dataStarted // only exchanges from now on count
			}
		wait:
			for {
				select {
				case <-dataStarted:
					if why == "smtp" {
						victim = b
						time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
						break wait
					}
				case <-poll.C:
					if n := inboundCount(); n > seen && why == "archived" {
						victim = b
						time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
						break wait
					}
				case <-timer.C:
					if why != "mid-call" {
						why += " (timed out)"
					}
					if rng.IntN(2) == 0 {
						victim = b
					}
					break wait
				}
			}
			timer.Stop()
			poll.Stop()
		}
		kills[victim.name+" "+why]++
		victim.kill()
		victim.start()
	}
	t.Logf("kills after %v: %v", time.Since(start).Round(100*time.Millisecond), kills)
	// Now let everything finish.
	deadline := time.Now().Add(150 * time.Second)
	for {
		q, _ := spool.ReadJobs(filepath.Join(dir, "a"), spool.DirQueue, 0)
		dq, _ := os.ReadDir(filepath.Join(dir, "b", "delivery", "queue"))
		done, _ := spool.ReadJobs(filepath.Join(dir, "a"), spool.DirDone, 0)
		failed, _ := spool.ReadJobs(filepath.Join(dir, "a"), spool.DirFailed, 0)
		un := 0
		faxes, _ := spool.ReadFaxes(filepath.Join(dir, "b"), 0)
		for _, f := range faxes {
			if _, err := os.Stat(filepath.Join(dir, "b", "delivery", "done", "fax-"+f.ID+".json")); err != nil {
				un++
			}
		}
		if len(q) == 0 && len(dq) == 0 && un == 0 && len(done)+len(failed) == jobs {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled: %d queued jobs, %d deliveries queued, %d faxes undelivered, %d done, %d failed of %d", len(q), len(dq), un, len(done), len(failed), jobs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	done, _ := spool.ReadJobs(filepath.Join(dir, "a"), spool.DirDone, 0)
	failed, _ := spool.ReadJobs(filepath.Join(dir, "a"), spool.DirFailed, 0)
	for _, j := range failed {
		if j.Reason == "" {
			t.Errorf("job %s failed without a reason", j.ID)
		}
	}
	t.Logf("jobs after %v: %d done, %d failed", time.Since(start).Round(100*time.Millisecond), len(done), len(failed))
	// A job is done only when the receiver confirmed every page, and a
	// confirmed page is on disk before the confirmation: so each done job
	// has its fax in the receiver's archive (a resent one may be there
	// twice, as with any fax machine).
	got := map[string]int{}
	faxesB, _ := spool.ReadFaxes(filepath.Join(dir, "b"), 0)
	for _, f := range faxesB {
		got[f.DID] = max(got[f.DID], f.Pages)
	}
	for _, j := range done {
		if got[j.To] < j.Pages {
			t.Errorf("job %s to %s done, but the receiver has no %d-page fax for that DID", j.ID, j.To, j.Pages)
		}
	}
	for _, d := range []string{spool.DirOutbound, spool.DirTmp, spool.DirQueue} {
		if es, _ := os.ReadDir(filepath.Join(dir, "a", d)); len(es) != 0 {
			t.Errorf("sender's %s not empty: %v", d, es)
		}
	}

	faxes, _ := spool.ReadFaxes(filepath.Join(dir, "b"), 0)
	ids := map[string]int{}
	for _, m := range mb.messages() {
		msg, _ := mailParts(t, m)
		ids[msg.Header.Get("Message-ID")]++
	}
	resends := 0
	for _, f := range faxes {
		mid := "<" + f.ID + ".fax@example.com>"
		if ids[mid] == 0 {
			t.Errorf("fax %s (%d pages) was not mailed", f.ID, f.Pages)
		}
		b, err := os.ReadFile(filepath.Join(dir, "b", "delivery", "done", "fax-"+f.ID+".json"))
		var del delivery.Delivery
		if err == nil {
			err = json.Unmarshal(b, &del)
		}
		if err != nil {
			t.Errorf("fax %s: delivery record: %v", f.ID, err)
			continue
		}
		for _, tg := range del.Targets {
			resends += tg.Resends
			if tg.State != delivery.Sent {
				t.Errorf("fax %s: target %s %s", f.ID, tg.Kind, tg.State)
			}
		}
	}
	dups := 0
	for id, n := range ids {
		if n > 1 {
			dups += n - 1
			t.Logf("Message-ID %s arrived %d times", id, n)
		}
	}
	t.Logf("%d faxes received, %d mails, %d duplicates, %d resends after a cut SMTP exchange; %d + %d starts", len(faxes), len(mb.messages()), dups, resends, a.runs, b.runs)
	if dups > resends {
		t.Errorf("%d duplicate mails but only %d exchanges were cut off", dups, resends)
	}
	if len(faxes) == 0 {
		t.Error("no fax got through")
	}
}
