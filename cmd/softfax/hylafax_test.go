package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/peer"
	"github.com/softfax/softfax/t4"
)

// privateHylaFAX is a HylaFAX installation in a temporary spool (faxq,
// hfaxd on its own port, faxgetty on iaxmodem's pty), set up as
// shared/reference/PEERS.md describes; the system's spool is not touched.
type privateHylaFAX struct {
	spool, tty string
	port       int
}

func startHylaFAX(t *testing.T, dev string) *privateHylaFAX {
	t.Helper()
	for _, p := range []string{"faxq", "faxgetty", "hfaxd", "sendfax"} {
		peer.Require(t, p, "hylafax-server hylafax-client")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	h := &privateHylaFAX{spool: filepath.Join(tmp, "spool"), tty: filepath.Base(dev), port: l.Addr().(*net.TCPAddr).Port}
	l.Close()
	// faxgetty and faxsend run as uucp: they must reach the spool.
	_ = os.Chmod(tmp, 0o755)
	_ = os.Chmod(filepath.Dir(tmp), 0o755)
	for _, d := range []string{"archive", "client", "config", "dev", "docq", "doneq", "etc", "info",
		"log", "pollq", "recvq", "sendq", "status", "tmp", "bin"} {
		if err := os.MkdirAll(filepath.Join(h.spool, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range [][2]string{{"/var/spool/hylafax/bin/.", "bin"}, {"/var/spool/hylafax/config/.", "config"}, {"/etc/hylafax/.", "etc"}} {
		if out, err := exec.Command("cp", "-a", c[0], filepath.Join(h.spool, c[1])).CombinedOutput(); err != nil {
			t.Fatalf("cp %s: %v %s", c[0], err, out)
		}
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(h.spool, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("etc/config", "LogFacility:\tdaemon\nCountryCode:\t1\nAreaCode:\t555\nLongDistancePrefix:\t1\n"+
		"InternationalPrefix:\t011\nDialStringRules:\tetc/dialrules\nServerTracing:\t0xFFF\n")
	// The modem config of iaxmodem's own config.ttyIAX.
	write("etc/config."+h.tty, strings.Join([]string{"CountryCode:\t1", "AreaCode:\t555", "FAXNumber:\t+1.555.555.0200",
		"LongDistancePrefix:\t1", "InternationalPrefix:\t011", "DialStringRules:\tetc/dialrules", "ServerTracing:\t0xFFF",
		"SessionTracing:\t0xFFF", "RecvFileMode:\t0644", "LogFileMode:\t0644", "DeviceMode:\t0660", "RingsBeforeAnswer:\t1",
		"SpeakerVolume:\toff", `LocalIdentifier:	"+1 555 0200"`, "ModemType:\tClass1", "Class1AdaptRecvCmd:\tAT+FAR=1",
		"Class1TMConnectDelay:\t400", "Class1ECMSupport:\tyes", "ModemResetCmds:\tAT+VCID=1", `CallIDPattern:	"NMBR="`,
		`CallIDPattern:	"NAME="`, `CallIDPattern:	"NDID="`, ""}, "\n"))
	write("etc/hosts.hfaxd", "localhost\n127.0.0.1\n")
	for _, f := range []string{"log/seqf", "log/xferfaxlog", "recvq/seqf", "etc/xferfaxlog"} {
		write(f, "")
	}
	_ = os.Chmod(filepath.Join(h.spool, "tmp"), 0o1777)
	if out, err := exec.Command("chown", "-R", "uucp:uucp", h.spool).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	var logs []*bytes.Buffer
	daemon := func(args ...string) {
		log := &bytes.Buffer{}
		logs = append(logs, log)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = h.spool
		cmd.Stdout, cmd.Stderr = log, log
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
			}
		})
	}
	daemon("faxq", "-D", "-q", h.spool)
	daemon("hfaxd", "-d", "-q", h.spool, "-l", "127.0.0.1", "-i", fmt.Sprint(h.port))
	time.Sleep(500 * time.Millisecond)
	daemon("faxgetty", "-q", h.spool, h.tty)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("HylaFAX session logs:\n%s", h.logs())
		}
	})
	status := filepath.Join(h.spool, "status", h.tty)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if b, _ := os.ReadFile(status); strings.Contains(string(b), "Running and idle") {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(status)
			for _, l := range logs {
				t.Logf("daemon output: %s", l.String())
			}
			t.Fatalf("HylaFAX modem status %q", b)
		}
	}
	time.Sleep(6 * time.Second) // iaxmodem refuses calls for ~5 s after faxgetty's ATZ
	return h
}

func (h *privateHylaFAX) logs() string {
	files, _ := filepath.Glob(filepath.Join(h.spool, "log", "c*"))
	var b strings.Builder
	for _, f := range files {
		data, _ := os.ReadFile(f)
		b.Write(data)
	}
	return b.String()
}

// TestHylaFAXReceivesFromSoftfax: "softfax send" calls iaxmodem over IAX2;
// HylaFAX's faxgetty answers on its pty and receives two pages (ECM).
func TestHylaFAXReceivesFromSoftfax(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call through iaxmodem and HylaFAX")
	}
	t.Parallel() // real time: the calls wait, they hardly compute
	dev, port := startIAXModemOwned(t, "127.0.0.1:1", "uucp:uucp")
	h := startHylaFAX(t, dev)
	dir := t.TempDir()
	pages := []*t4.Page{interopPage(t), cloneFlip(interopPage(t))}
	tif := filepath.Join(dir, "doc.tif")
	var buf bytes.Buffer
	if err := t4.WriteTIFF(&buf, pages, t4.TIFFOptions{Compression: t4.MMR}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tif, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var sOut, sErr bytes.Buffer
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	code := run(ctx, []string{"send", "--now", "--to", "5550200", "--via", fmt.Sprintf("iax2://127.0.0.1:%d", port),
		"--id", "+1 555 0100", tif}, &env{stdout: &sOut, stderr: &sErr, log: quiet})
	if code != 0 {
		t.Fatalf("send exit %d: %s\n%s", code, sErr.String(), sOut.String())
	}
	var files []string
	for deadline := time.Now().Add(20 * time.Second); len(files) == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(h.spool, "recvq", "fax*.tif"))
	}
	if len(files) != 1 {
		t.Fatalf("HylaFAX received %q", files)
	}
	time.Sleep(time.Second) // faxgetty finishes the file
	got := readTIFFFile(t, files[0])
	if len(got) != len(pages) {
		t.Fatalf("HylaFAX received %d pages, want %d", len(got), len(pages))
	}
	for i := range pages {
		if got[i].Width != pages[i].Width || got[i].Height != pages[i].Height || !bytes.Equal(got[i].Pix, pages[i].Pix) {
			t.Errorf("page %d differs: %dx%d", i+1, got[i].Width, got[i].Height)
		}
	}
	t.Logf("softfax send:\n%s", sOut.String())
}

// TestSoftfaxReceivesFromHylaFAX: HylaFAX sends (sendfax, faxq, faxsend on
// iaxmodem's pty); iaxmodem calls "softfax receive" over IAX2.
func TestSoftfaxReceivesFromHylaFAX(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call through iaxmodem and HylaFAX")
	}
	t.Parallel() // real time: the calls wait, they hardly compute
	addr := freeUDPPort(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "in")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rOut, rErr := newSyncBuffer(), newSyncBuffer()
	rDone := make(chan int, 1)
	go func() {
		rDone <- run(ctx, []string{"receive", "--listen", addr, "--out", out, "--once", "--id", "+1 555 0199"},
			&env{stdout: rOut, stderr: rErr, log: quiet})
	}()
	dev, _ := startIAXModemOwned(t, addr, "uucp:uucp")
	h := startHylaFAX(t, dev)
	pages := []*t4.Page{interopPage(t), cloneFlip(interopPage(t))}
	tif := filepath.Join(dir, "doc.tif")
	var buf bytes.Buffer
	if err := t4.WriteTIFF(&buf, pages, t4.TIFFOptions{Compression: t4.MH}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tif, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	sf, err := exec.CommandContext(ctx, "sendfax", "-n", "-T", "1", "-t", "1", "-h", fmt.Sprintf("localhost:%d", h.port),
		"-d", "5550199", tif).CombinedOutput()
	if err != nil {
		t.Fatalf("sendfax: %v\n%s", err, sf)
	}
	var rc int
	select {
	case rc = <-rDone:
	case <-time.After(150 * time.Second):
		rc = -1
	}
	if rc != 0 {
		t.Fatalf("receive exit %d:\n%s%s", rc, rOut.String(), rErr.String())
	}
	jsons, _ := filepath.Glob(filepath.Join(out, "*.json"))
	if len(jsons) != 1 {
		t.Fatalf("%d records", len(jsons))
	}
	var rec faxRecord
	if err := json.Unmarshal(mustRead(t, jsons[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Result != "ok" || rec.Pages != 2 || rec.DID != "5550199" {
		t.Errorf("record %+v", rec)
	}
	// sendfax re-images the document for the job's page size (A4 at
	// 98 lines/inch, 1146 rows): the pages cannot be compared bit for bit.
	// Each must be full width, have ink where the source has it, and the
	// two must differ (the second is the first upside down).
	got := readTIFFFile(t, filepath.Join(out, rec.TIFF))
	if len(got) != 2 {
		t.Fatalf("%d pages in %s", len(got), rec.TIFF)
	}
	for i, p := range got {
		ink := 0
		for _, b := range p.Pix {
			if b != 0 {
				ink++
			}
		}
		if p.Width != 1728 || ink == 0 || p.BadFaxLines != 0 {
			t.Errorf("page %d: %dx%d, %d inked octets, %d bad rows", i+1, p.Width, p.Height, ink, p.BadFaxLines)
		}
	}
	if bytes.Equal(got[0].Pix, got[1].Pix) {
		t.Error("both pages are the same")
	}
	t.Logf("receive:\n%s", rOut.String())
}

// cloneFlip returns p upside down (a second page that differs).
func cloneFlip(p *t4.Page) *t4.Page {
	q, _ := t4.NewPage(p.Width, p.Height, p.Res)
	for y := 0; y < p.Height; y++ {
		copy(q.Row(y), p.Row(p.Height-1-y))
	}
	return q
}
