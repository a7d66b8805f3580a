package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/iax"
)

func freeUDPPort(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := c.LocalAddr().String()
	c.Close()
	return addr
}

type syncBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

// TestSendReceiveLoopback: "softfax send" to "softfax receive --once" over
// real IAX2 on loopback, in real time, with MD5 authentication; the fax
// arrives as TIFF + PDF + JSON and both commands exit 0.
func TestSendReceiveLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call takes about 30 s")
	}
	t.Parallel() // real time: the calls wait, they hardly compute
	dir := t.TempDir()
	doc := filepath.Join(dir, "letter.txt")
	text := "softfax loopback test\n\n" + strings.Repeat("The quick brown fox jumps over the lazy dog. 0123456789\n", 8)
	if err := os.WriteFile(doc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "in")
	addr := freeUDPPort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rOut, rErr := newSyncBuffer(), newSyncBuffer()
	rDone := make(chan int, 1)
	go func() {
		rDone <- run(ctx, []string{"receive", "--listen", addr, "--out", out, "--once", "--user", "fax", "--secret", "s3cret", "--id", "+1 555 0199"},
			&env{stdout: rOut, stderr: rErr, log: quiet})
	}()
	time.Sleep(200 * time.Millisecond)
	// A second call while the fax is in progress is refused as busy.
	busy := make(chan string, 1)
	go func() {
		time.Sleep(8 * time.Second)
		ep, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{})
		if err != nil {
			busy <- err.Error()
			return
		}
		defer ep.Close()
		c, err := ep.Dial(iax.DialParams{Addr: netip.MustParseAddrPort(addr), Username: "fax", Secret: "s3cret", Called: "5550199"})
		if err != nil {
			busy <- err.Error()
			return
		}
		for ev := range c.Events() {
			if ev.Kind == iax.EventHangup {
				busy <- fmt.Sprintf("cause %d", ev.Cause)
				return
			}
			if ev.Kind == iax.EventAnswered {
				busy <- "answered"
				return
			}
		}
		busy <- "no hangup"
	}()
	var sOut, sErr bytes.Buffer
	code := run(ctx, []string{"send", "--now", "--to", "5550199", "--via", "iax2://fax:s3cret@" + addr,
		"--id", "+1 555 0100", "--resolution", "standard", doc}, &env{stdout: &sOut, stderr: &sErr, log: quiet})
	if code != 0 {
		t.Fatalf("send exit %d: %s\n%s\nreceiver:\n%s%s", code, sErr.String(), sOut.String(), rOut.String(), rErr.String())
	}
	for _, want := range []string{"answered", `connected to "+1 555 0199"`, "page 1 of 1 sent", "done: 1 page(s)"} {
		if !strings.Contains(sOut.String(), want) {
			t.Errorf("send output lacks %q:\n%s", want, sOut.String())
		}
	}
	select {
	case rc := <-rDone:
		if rc != 0 {
			t.Fatalf("receive exit %d: %s\n%s", rc, rErr.String(), rOut.String())
		}
	case <-ctx.Done():
		t.Fatal("receive did not end")
	}
	if got, want := <-busy, fmt.Sprintf("cause %d", iax.CauseUserBusy); got != want {
		t.Errorf("second call during the fax: %s, want %s (user busy)", got, want)
	}
	jsons, _ := filepath.Glob(filepath.Join(out, "*.json"))
	if len(jsons) != 1 {
		t.Fatalf("%d JSON records in %s", len(jsons), out)
	}
	data, err := os.ReadFile(jsons[0])
	if err != nil {
		t.Fatal(err)
	}
	var rec faxRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Result != "ok" || rec.Pages != 1 || rec.RemoteID != "+1 555 0100" || rec.DID != "5550199" || rec.Rate != 14400 || !rec.ECM {
		t.Errorf("record: %s", data)
	}
	pages := readTIFFFile(t, filepath.Join(out, rec.TIFF))
	if len(pages) != 1 || pages[0].Width != 1728 {
		t.Errorf("TIFF: %d pages", len(pages))
	}
	if pdf, err := os.ReadFile(filepath.Join(out, rec.PDF)); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("PDF: %v", err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, ".*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	t.Logf("sender:\n%s\nreceiver:\n%s", sOut.String(), rOut.String())
}
