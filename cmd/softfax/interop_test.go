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

// startIAXModemFor runs iaxmodem on a loopback port with a pty for efax;
// calls it places go to server. It returns the pty and iaxmodem's port.
func startIAXModemFor(t *testing.T, server string) (dev string, port int) {
	return startIAXModemOwned(t, server, "root:root")
}

// startIAXModemOwned is startIAXModemFor with the pty's owner (uucp:uucp
// for HylaFAX's faxgetty).
func startIAXModemOwned(t *testing.T, server, owner string) (dev string, port int) {
	t.Helper()
	bin := peer.Require(t, "iaxmodem", "iaxmodem")
	if os.Geteuid() != 0 {
		peer.Missing(t, "iaxmodem needs root to write /etc/iaxmodem and /dev")
	}
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port = c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	id := fmt.Sprintf("sfsend%d%d", os.Getpid(), time.Now().UnixNano()%100000)
	dev = "/dev/tty" + id
	conf := strings.Join([]string{"device\t" + dev, "owner\t" + owner, "mode\t660", fmt.Sprintf("port\t%d", port),
		"refresh\t0", "server\t" + server, "peername\tsoftfax", "secret\tx", "cidname\tefax", "cidnumber\t5550100",
		"codec\tslinear", ""}, "\n")
	if err := os.MkdirAll("/etc/iaxmodem", 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join("/etc/iaxmodem", id)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, id)
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		os.Remove(cfg)
		os.Remove(dev)
		if t.Failed() {
			t.Logf("iaxmodem log:\n%s", log.String())
		}
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(dev); err == nil {
			return dev, port
		}
		if time.Now().After(deadline) {
			t.Fatalf("iaxmodem pty %s did not appear", dev)
		}
	}
}

// efaxArgs are efax's Class 1 options for iaxmodem (shared/reference/PEERS.md).
func efaxArgs(dev, id string) []string {
	return []string{"-d", dev, "-o1", "-iZ", "-i&FE0&D2S7=120", "-i&C0", "-iM1L0", "-kZ", "-l", id, "-v", "ewinchartf"}
}

// TestEfaxReceivesFromSoftfax: "softfax send" calls iaxmodem over IAX2;
// efax answers on iaxmodem's pty and receives the page.
func TestEfaxReceivesFromSoftfax(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call through iaxmodem")
	}
	t.Parallel() // real time: the calls wait, they hardly compute
	efax := peer.Require(t, "efax", "efax")
	dev, port := startIAXModemFor(t, "127.0.0.1:1")
	dir := t.TempDir()
	prefix := filepath.Join(dir, "rx")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var elog bytes.Buffer
	ecmd := exec.CommandContext(ctx, efax, append(efaxArgs(dev, "+1 555 0200"), "-jS0=1", "-w", "-r", prefix)...)
	ecmd.Stdout, ecmd.Stderr = &elog, &elog
	if err := ecmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ecmd.Process.Kill(); _ = ecmd.Wait() }()
	time.Sleep(7 * time.Second) // iaxmodem refuses calls for ~5 s after efax's ATZ
	doc := filepath.Join(dir, "doc.txt")
	if err := os.WriteFile(doc, []byte("softfax to efax\n\n"+strings.Repeat("0123456789 abcdefghij ABCDEFGHIJ\n", 10)), 0o644); err != nil {
		t.Fatal(err)
	}
	var sOut, sErr bytes.Buffer
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	code := run(ctx, []string{"send", "--now", "--to", "5550200", "--via", fmt.Sprintf("iax2://127.0.0.1:%d", port),
		"--id", "+1 555 0100", "--resolution", "fine", doc}, &env{stdout: &sOut, stderr: &sErr, log: quiet})
	done := make(chan error, 1)
	go func() { done <- ecmd.Wait() }()
	var eerr error
	select {
	case eerr = <-done:
	case <-time.After(30 * time.Second):
		eerr = fmt.Errorf("efax still running")
	}
	if code != 0 {
		t.Fatalf("send exit %d: %s\n%s\nefax:\n%s", code, sErr.String(), sOut.String(), elog.String())
	}
	if eerr != nil {
		t.Errorf("efax: %v\n%s", eerr, elog.String())
	}
	got := readTIFFFile(t, prefix+".001")
	want, err := t4.Render(ctx, "doc.txt", mustRead(t, doc), t4.RenderOptions{Res: t4.Fine})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Width != want[0].Width || got[0].Height != want[0].Height || !bytes.Equal(got[0].Pix, want[0].Pix) {
		t.Errorf("efax's page differs from the one sent: %dx%d, want %dx%d", got[0].Width, got[0].Height, want[0].Width, want[0].Height)
	}
	t.Logf("softfax send:\n%s", sOut.String())
}

// TestSoftfaxReceivesFromEfax: efax sends through iaxmodem, which calls
// "softfax receive" over IAX2.
func TestSoftfaxReceivesFromEfax(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call through iaxmodem")
	}
	t.Parallel() // real time: the calls wait, they hardly compute
	efax := peer.Require(t, "efax", "efax")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rx := startReceiveOnce(ctx, t, dir)
	dev, _ := startIAXModemFor(t, rx.addr)
	pages := []*t4.Page{interopPage(t)}
	tif := writeDoc(t, dir, pages, t4.TIFFOptions{Compression: t4.MH, RTC: true})
	time.Sleep(6 * time.Second) // iaxmodem's busy-out after start
	var elog bytes.Buffer
	ecmd := exec.CommandContext(ctx, efax, append(efaxArgs(dev, "+1 555 0100"), "-t", "T5550199", tif)...)
	ecmd.Stdout, ecmd.Stderr = &elog, &elog
	eerr := ecmd.Run()
	if rc := rx.wait(30 * time.Second); eerr != nil || rc != 0 {
		t.Fatalf("efax: %v; receive exit %d\n%s%s\nefax:\n%s", eerr, rc, rx.stdout.String(), rx.stderr.String(), elog.String())
	}
	rec, got := rx.fax(t)
	if rec.Result != "ok" || rec.Pages != 1 || rec.RemoteID != "+1 555 0100" || rec.DID != "5550199" {
		t.Errorf("record %+v", rec)
	}
	// efax puts a header line (about 23 rows of text) on top of what it
	// sends, 20 rows more than the page (PEERS.md): compare below it.
	g, w := got[0].Page, pages[0]
	off := g.Height - w.Height
	if g.Width != w.Width || off != 20 {
		t.Fatalf("page %dx%d, want %dx%d plus efax's 20 header rows", g.Width, g.Height, w.Width, w.Height+20)
	}
	for y := 10; y < w.Height; y++ {
		if !bytes.Equal(g.Row(off+y), w.Row(y)) {
			t.Fatalf("row %d differs from the one sent", y)
		}
	}
	t.Logf("receive:\n%s\nefax:\n%s", rx.stdout.String(), lastLines(elog.String(), 15))
}

// onceReceiver is "softfax receive --once" on a free loopback port, writing
// into DIR/in.
type onceReceiver struct {
	addr, out      string
	stdout, stderr *syncBuffer
	done           chan int
}

func startReceiveOnce(ctx context.Context, t *testing.T, dir string) *onceReceiver {
	t.Helper()
	r := &onceReceiver{addr: freeUDPPort(t), out: filepath.Join(dir, "in"),
		stdout: newSyncBuffer(), stderr: newSyncBuffer(), done: make(chan int, 1)}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() {
		r.done <- run(ctx, []string{"receive", "--listen", r.addr, "--out", r.out, "--once", "--id", "+1 555 0199"},
			&env{stdout: r.stdout, stderr: r.stderr, log: quiet})
	}()
	return r
}

// wait returns the receiver's exit code, or -1 if it is still running
// after d.
func (r *onceReceiver) wait(d time.Duration) int {
	select {
	case rc := <-r.done:
		return rc
	case <-time.After(d):
		return -1
	}
}

// fax returns the record of the one fax received and its pages.
func (r *onceReceiver) fax(t *testing.T) (faxRecord, []t4.TIFFPage) {
	t.Helper()
	jsons, _ := filepath.Glob(filepath.Join(r.out, "*.json"))
	if len(jsons) != 1 {
		t.Fatalf("%d records", len(jsons))
	}
	var rec faxRecord
	if err := json.Unmarshal(mustRead(t, jsons[0]), &rec); err != nil {
		t.Fatal(err)
	}
	return rec, readTIFFFile(t, filepath.Join(r.out, rec.TIFF))
}

// writeDoc writes pages to DIR/doc.tif, readable by all (faxsend runs as
// uucp), and returns its path.
func writeDoc(t *testing.T, dir string, pages []*t4.Page, o t4.TIFFOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := t4.WriteTIFF(&buf, pages, o); err != nil {
		t.Fatal(err)
	}
	tif := filepath.Join(dir, "doc.tif")
	if err := os.WriteFile(tif, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return tif
}

func interopPage(t *testing.T) *t4.Page {
	t.Helper()
	p, err := t4.NewPage(1728, 200, t4.Fine)
	if err != nil {
		t.Fatal(err)
	}
	for y := 20; y < 180; y++ {
		for x := 100 + y; x < 300+3*y && x < 1728; x++ {
			p.Set(x, y, (x/7+y/5)%3 != 0)
		}
	}
	return p
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
