package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/line"
)

// answeringPeer is a far end for "softfax call": it answers every call and
// plays a 1000 Hz tone until the caller hangs up.
func answeringPeer(t *testing.T, cfg iax.Config) *iax.Endpoint {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := iax.Listen(ctx, "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close(); cancel() })
	go func() {
		for c := range ep.Incoming() {
			go func() {
				c.Accept()
				c.Ring()
				c.Answer()
				line.Run(ctx, c, &toneEngine{}, line.Options{})
			}()
		}
	}()
	return ep
}

type toneEngine struct{ n int }

func (e *toneEngine) Receive([]int16) {}
func (e *toneEngine) Transmit(out []int16) int {
	for i := range out {
		out[i] = int16(6000 * math.Sin(2*math.Pi*1000*float64(e.n)/8000))
		e.n++
	}
	return len(out)
}

func TestCallCommand(t *testing.T) {
	far := answeringPeer(t, iax.Config{Peers: []iax.Peer{{Name: "trunk", Secret: "pw"}}})
	dir := t.TempDir()
	rec := filepath.Join(dir, "out.wav")
	code, out, errs := runForTest(t, "call", "--peer", far.Addr().String(), "--user", "trunk", "--secret", "pw",
		"--seconds", "1", "--record", rec, "--codec", "alaw", "5551234")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	for _, want := range []string{"accepted, format alaw", "answered", "line:   50 frames", "sent:   1 full + 49 mini"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	heard, err := line.ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(heard) != 50*160 {
		t.Fatalf("recorded %d samples", len(heard))
	}
	var energy float64
	for _, s := range heard[len(heard)/2:] {
		energy += float64(s) * float64(s)
	}
	if rms := math.Sqrt(energy / float64(len(heard)/2)); rms < 2000 {
		t.Errorf("recorded rms %.0f: the far end's tone did not arrive", rms)
	}
}

func TestCallCommandRejected(t *testing.T) {
	far := answeringPeer(t, iax.Config{Peers: []iax.Peer{{Name: "trunk", Secret: "pw"}}})
	start := time.Now()
	code, out, errs := runForTest(t, "call", "--peer", far.Addr().String(), "--user", "trunk", "--secret", "bad", "5551234")
	if code == 0 || !strings.Contains(errs, "cause 29") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, errs, out)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("rejection took too long")
	}
	if code, _, _ := runForTest(t, "call", "--peer", "nonsense", "1"); code == 0 {
		t.Error("bad --peer accepted")
	}
}
