package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/iax"
)

func TestModemCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("device /dev/x\nreplay\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"modem"}, "need at least one -c FILE"},
		{[]string{"modem", "-c", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"modem", "-c", bad}, "bad:2: replay: replaying recorded audio"},
		{[]string{"modem", "-c", bad, "--identity", "hayes"}, "--identity"},
	}
	for _, tt := range tests {
		code, _, errs := runForTest(t, tt.args...)
		if code == 0 || !strings.Contains(errs, tt.want) {
			t.Errorf("%q: exit %d, stderr %q, want it to contain %q", tt.args, code, errs, tt.want)
		}
	}
}

func freeUDP(t *testing.T) int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestModemCalls runs "softfax modem" and calls it over IAX2: refused busy
// while no DTE has the pty open; with one, RING and the caller ID on the
// pty, ATA answers the call, ATH hangs it up.
func TestModemCalls(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "ttySF0")
	port := freeUDP(t)
	cfg := filepath.Join(dir, "ttySF0.conf")
	os.WriteFile(cfg, []byte(fmt.Sprintf("device %s\nmode 600\nport %d\nrefresh 0\nsecret hunter2\ncodec ulaw\nrecord\n", dev, port)), 0o644)
	recDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := goModem(ctx, "-c", cfg, "--record-dir", recDir)
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("runModem: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("runModem did not stop")
		}
		if _, err := os.Lstat(dev); !os.IsNotExist(err) {
			t.Errorf("device link left behind: %v", err)
		}
	}()
	waitDevice(t, dev)
	caller := listenIAX(t, iax.Config{})
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	dial := func() *iax.Call {
		c, err := caller.Dial(iax.DialParams{Addr: to, Called: "5550100", CallingNumber: "5551234", CallingName: "Test Caller"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	next := func(c *iax.Call, want iax.EventKind) iax.Event {
		t.Helper()
		for {
			select {
			case ev := <-c.Events():
				if ev.Kind == want {
					return ev
				}
				if ev.Kind == iax.EventHangup {
					t.Fatalf("call ended (cause %v) waiting for %v", ev.Cause, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %v", want)
			}
		}
	}

	// No DTE: busy.
	c := dial()
	for ev := range c.Events() {
		if ev.Kind == iax.EventHangup {
			if ev.Cause != iax.CauseUserBusy {
				t.Errorf("refused with cause %v, want busy", ev.Cause)
			}
			break
		}
		if ev.Kind == iax.EventRinging {
			t.Fatal("rang without a DTE")
		}
	}

	f, err := os.OpenFile(dev, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fi, err := os.Stat(dev); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("device mode %v, want 0600", fi.Mode())
	}
	read := func(want string) string {
		t.Helper()
		var got []byte
		buf := make([]byte, 512)
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(string(got), want) && time.Now().Before(deadline); {
			f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			n, _ := f.Read(buf)
			got = append(got, buf[:n]...)
		}
		if !strings.Contains(string(got), want) {
			t.Fatalf("pty said %q, want %q", got, want)
		}
		return string(got)
	}
	f.Write([]byte("ATE0+FCLASS=1;+VCID=1\r"))
	read("OK\r\n")
	time.Sleep(300 * time.Millisecond) // the pty's DTE detection polls

	c = dial()
	next(c, iax.EventRinging)
	ring := read("RING\r\n")
	for _, want := range []string{"NAME=Test Caller", "NMBR=5551234", "NDID=5550100"} {
		if !strings.Contains(ring, want) {
			t.Errorf("caller ID %q lacks %q", ring, want)
		}
	}
	if strings.Contains(ring, "hunter2") || strings.Contains(ring, "PASS") {
		t.Errorf("the secret reached the DTE: %q", ring)
	}
	f.Write([]byte("ATA\r"))
	next(c, iax.EventAnswered)
	read("CONNECT\r\n")         // after CED, V.21 flags
	f.Write([]byte("\x10\x03")) // no frame: the transmission ends
	read("OK\r\n")
	f.Write([]byte("ATH0\r"))
	read("OK\r\n")
	ev := next(c, iax.EventHangup)
	t.Logf("hung up: cause %v", ev.Cause)
	// The call's recording is named after the device.
	var recs []string
	for deadline := time.Now().Add(2 * time.Second); len(recs) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		recs, _ = filepath.Glob(filepath.Join(recDir, "ttySF0-*.wav"))
	}
	if len(recs) != 1 {
		t.Errorf("recordings %q, want one named after the device", recs)
	}
}

// goModem runs "softfax modem" with args, logging nowhere, until ctx
// ends; its result arrives on the channel.
func goModem(ctx context.Context, args ...string) <-chan error {
	done := make(chan error, 1)
	go func() {
		e := &env{stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		done <- runModem(ctx, e, args)
	}()
	return done
}

// waitDevice waits up to 5 s for the modem to create its device link.
func waitDevice(t *testing.T, dev string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(dev); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("device link %s not created", dev)
		}
	}
}

// startModem runs "softfax modem" on a config and returns the device path
// and a DTE on it; the modem stops when the test ends.
func startModem(t *testing.T, conf string) (dev string, dte *os.File) {
	t.Helper()
	dir := t.TempDir()
	dev = filepath.Join(dir, "ttySF1")
	cfg := filepath.Join(dir, "ttySF1.conf")
	os.WriteFile(cfg, []byte("device "+dev+"\n"+conf), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	done := goModem(ctx, "-c", cfg)
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("runModem did not stop")
		}
	})
	waitDevice(t, dev)
	f, err := os.OpenFile(dev, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return dev, f
}

// listenIAX starts an IAX2 endpoint on a free loopback port, a caller or
// a server for the modem; it closes when the test ends.
func listenIAX(t *testing.T, cfg iax.Config) *iax.Endpoint {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := iax.Listen(ctx, "127.0.0.1:0", cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close(); cancel() })
	return ep
}

func expectPTY(t *testing.T, f *os.File, want string, d time.Duration) {
	t.Helper()
	var got []byte
	buf := make([]byte, 512)
	for deadline := time.Now().Add(d); !strings.Contains(string(got), want) && time.Now().Before(deadline); {
		f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, _ := f.Read(buf)
		got = append(got, buf[:n]...)
	}
	if !strings.Contains(string(got), want) {
		t.Fatalf("pty said %q, want %q", got, want)
	}
}

// TestModemRegistersAndDials: with refresh > 0 the modem registers with its
// server (MD5); ATD calls the server with the dialled number and maps the
// call's progress to results: BUSY for a busy reject; NO CARRIER when the
// far end answers but no fax speaks before S7.
func TestModemRegistersAndDials(t *testing.T) {
	pbx := listenIAX(t, iax.Config{Peers: []iax.Peer{{Name: "fax1", Secret: "pw"}}})
	called := make(chan string, 4)
	go func() {
		n := 0
		for c := range pbx.Incoming() {
			called <- c.Info().Called
			if n++; n == 1 {
				c.Reject(iax.CauseUserBusy)
				continue
			}
			go func() {
				c.Accept()
				c.Answer()
				<-c.Done()
			}()
		}
	}()
	_, f := startModem(t, fmt.Sprintf("port %d\nrefresh 60\nserver %s\npeername fax1\nsecret pw\ncidnumber 5550100\n",
		freeUDP(t), pbx.Addr()))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, ok := pbx.Registered("fax1"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the modem did not register")
		}
	}
	time.Sleep(300 * time.Millisecond) // the pty's DTE detection polls
	f.Write([]byte("ATE0+FCLASS=1;S7=2\r"))
	expectPTY(t, f, "OK\r\n", 3*time.Second)
	f.Write([]byte("ATDT5551234\r"))
	expectPTY(t, f, "\r\nBUSY\r\n", 5*time.Second)
	if got := <-called; got != "5551234" {
		t.Errorf("called %q", got)
	}
	f.Write([]byte("ATDT5559999\r"))
	expectPTY(t, f, "\r\nNO CARRIER\r\n", 8*time.Second)
	if got := <-called; got != "5559999" {
		t.Errorf("called %q", got)
	}
}

// TestModemSeveral: one process runs a modem per config file.
func TestModemSeveral(t *testing.T) {
	dir := t.TempDir()
	var args, devs []string
	for i := range 3 {
		dev := filepath.Join(dir, fmt.Sprintf("ttySF%d", i))
		cfg := dev + ".conf"
		os.WriteFile(cfg, []byte(fmt.Sprintf("device %s\nport %d\n", dev, freeUDP(t))), 0o644)
		args, devs = append(args, "-c", cfg), append(devs, dev)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := goModem(ctx, args...)
	for _, dev := range devs {
		waitDevice(t, dev)
		f, err := os.OpenFile(dev, os.O_RDWR|syscall.O_NOCTTY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("ATI3\r"))
		expectPTY(t, f, "softfax\r\n\r\nOK\r\n", 3*time.Second)
		f.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, dev := range devs {
		if _, err := os.Lstat(dev); !os.IsNotExist(err) {
			t.Errorf("%s left behind", dev)
		}
	}
}
