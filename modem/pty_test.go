package modem

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// openDTE opens the device as a DTE program does, in raw mode.
func openDTE(t *testing.T, dev string) *os.File {
	t.Helper()
	f, err := os.OpenFile(dev, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := makeRaw(f); err != nil {
		t.Fatal(err)
	}
	return f
}

// chat writes cmd and reads until want has arrived (or 3 s pass).
func chat(t *testing.T, f *os.File, cmd, want string) {
	t.Helper()
	if _, err := f.Write([]byte(cmd)); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 256)
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(string(got), want) && time.Now().Before(deadline) {
		f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, _ := f.Read(buf)
		got = append(got, buf[:n]...)
	}
	if string(got) != want {
		t.Fatalf("%q: got %q, want %q", cmd, got, want)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPTY: the device link, its mode, AT over the pty, and a DTE that
// closes and reopens the device (as faxgetty does around every call).
func TestPTY(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttySF0")
	p, err := OpenPTY(PTYConfig{Device: dev, Mode: 0o620, Poll: 20 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	target, err := os.Readlink(dev)
	if err != nil || target != p.Name() {
		t.Fatalf("link %s -> %q (%v), want %s", dev, target, err, p.Name())
	}
	if fi, err := os.Stat(dev); err != nil || fi.Mode().Perm() != 0o620 {
		t.Fatalf("mode %v (%v), want 0620", fi.Mode(), err)
	}
	d := NewDCE(DCEConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, d) }()

	if d.Available() {
		t.Fatal("available before a DTE opened the device")
	}
	for round := range 3 {
		f := openDTE(t, dev)
		waitFor(t, "DTE attached", d.Available)
		chat(t, f, "ATZ", "ATZ")
		chat(t, f, "\r", "\r\r\nOK\r\n")
		chat(t, f, "ATE0\r", "ATE0\r\r\nOK\r\n")
		chat(t, f, "AT+FCLASS=?\r", "\r\n0,1,1.0\r\n\r\nOK\r\n")
		chat(t, f, "ATZ\r", "\r\nOK\r\n") // echo back on for the next DTE
		f.Close()
		waitFor(t, "DTE detached", func() bool { return !d.Available() })
		// Output for nobody is dropped, not queued for the next DTE.
		d.Ring()
		t.Logf("round %d ok", round)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dev); !os.IsNotExist(err) {
		t.Errorf("device link left behind: %v", err)
	}
}

// TestPTYLinkRefusesFiles: a regular file at the device path is not
// replaced.
func TestPTYLinkRefusesFiles(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttySF0")
	if err := os.WriteFile(dev, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := OpenPTY(PTYConfig{Device: dev}, nil); err == nil {
		p.Close()
		t.Fatal("regular file replaced by the device link")
	}
	// A stale link is replaced.
	os.Remove(dev)
	if err := os.Symlink("/dev/pts/does-not-exist", dev); err != nil {
		t.Fatal(err)
	}
	p, err := OpenPTY(PTYConfig{Device: dev}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if fi, err := os.Stat(dev); err != nil || fi.Mode().Perm() != fs.FileMode(0o660) {
		t.Errorf("default mode %v (%v), want 0660", fi.Mode(), err)
	}
}

func TestLookupOwner(t *testing.T) {
	tests := []struct {
		in       string
		uid, gid int
		ok       bool
	}{
		{"root", 0, 0, true},
		{"root:root", 0, 0, true},
		{"0:5", 0, 5, true},
		{"12:", 12, -1, true},
		{"no-such-user-xyz", 0, 0, false},
		{"root:no-such-group-xyz", 0, 0, false},
	}
	for _, tt := range tests {
		uid, gid, err := LookupOwner(tt.in)
		if (err == nil) != tt.ok || tt.ok && (uid != tt.uid || gid != tt.gid) {
			t.Errorf("LookupOwner(%q) = %d, %d, %v", tt.in, uid, gid, err)
		}
	}
}
