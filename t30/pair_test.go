package t30

import (
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/t4"
)

// testPage draws a small page with text-like strokes: runs of every
// length, so every code table is exercised.
func testPage(t testing.TB, seed uint64, width, height int, res t4.Resolution) *t4.Page {
	t.Helper()
	p, err := t4.NewPage(width, height, res)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	for y := 4; y < height-4; y += 10 {
		x := 40
		for x < width-60 {
			w := 2 + r.IntN(40)
			h := 3 + r.IntN(6)
			for yy := y; yy < min(height, y+h); yy++ {
				for xx := x; xx < min(width, x+w); xx++ {
					p.Set(xx, yy, true)
				}
			}
			x += w + 1 + r.IntN(30)
		}
	}
	return p
}

// pair runs two sessions back to back on the sample clock.
type pair struct {
	a, b       *Session
	ab, ba     *linesim.Line
	samples    int64
	bufA, bufB []int16
	rx         []int16
	// mangle, if set, may change what a side hears (toB: the audio from a
	// to b) before it hears it.
	mangle func(toB bool, buf []int16)
}

// newPair wires a and b over a line with impairments imp; a perfect line
// (the zero Impairments but for the seed) passes the samples straight
// through, as linesim would, at no cost to benchmarks.
func newPair(a, b *Session, imp linesim.Impairments) *pair {
	p := &pair{a: a, b: b, bufA: make([]int16, 160), bufB: make([]int16, 160)}
	if imp != (linesim.Impairments{Seed: imp.Seed}) {
		imp2 := imp
		imp2.Seed++
		p.ab, p.ba = linesim.New(imp), linesim.New(imp2)
	}
	return p
}

// line passes buf through l, or straight through a perfect line.
func (p *pair) line(l *linesim.Line, buf []int16, toB bool) []int16 {
	rx := buf
	if l != nil {
		p.rx = l.Apply(p.rx[:0], buf)
		rx = p.rx
	}
	if p.mangle != nil {
		if l == nil {
			p.rx = append(p.rx[:0], buf...) // mangle changes what it is given
			rx = p.rx
		}
		p.mangle(toB, rx)
	}
	return rx
}

func (p *pair) run(seconds float64) bool {
	end := int64(seconds * 8000)
	for p.samples < end {
		if p.a.Done() && p.b.Done() {
			return true
		}
		p.a.Transmit(p.bufA)
		p.b.Transmit(p.bufB)
		p.b.Receive(p.line(p.ab, p.bufA, true))
		p.a.Receive(p.line(p.ba, p.bufB, false))
		p.samples += 160
	}
	return p.a.Done() && p.b.Done()
}

func linear() linesim.Impairments { return linesim.Impairments{Seed: 1} }

func mulaw25dB() linesim.Impairments {
	// V.17 at -10 dBm0 less 3 dB of loss, noise 25 dB below it.
	return linesim.Impairments{Law: g711.Ulaw, GainDB: -3, NoiseDBm0: linesim.Noise(-38), Seed: 3}
}

// fax runs one fax from a (sender, caller) to b (receiver, answerer).
func fax(t testing.TB, send, recv Config, pages []*t4.Page, imp linesim.Impairments, seconds float64) (*Collector, Result, Result, *pair) {
	return faxMangled(t, send, recv, pages, imp, seconds, nil)
}

// faxMangled is fax with a function that damages the audio; mangle gets the
// pair to look at the sessions' states.
func faxMangled(t testing.TB, send, recv Config, pages []*t4.Page, imp linesim.Impairments, seconds float64, mangle func(*pair) func(bool, []int16)) (*Collector, Result, Result, *pair) {
	t.Helper()
	col := &Collector{}
	send.Role, send.Caller, send.Source = Sender, true, &Pages{List: pages}
	recv.Role, recv.Caller, recv.Sink = Receiver, false, col
	if send.Logger == nil {
		send.Logger = testLogger(t)
		recv.Logger = send.Logger
	}
	if send.LocalID == "" {
		send.LocalID = "+1 555 0100"
	}
	if recv.LocalID == "" {
		recv.LocalID = "+1 555 0199"
	}
	a, err := NewSession(send)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSession(recv)
	if err != nil {
		t.Fatal(err)
	}
	p := newPair(a, b, imp)
	if mangle != nil {
		p.mangle = mangle(p) // may be nil: the function only wanted p
	}
	if !p.run(seconds) {
		t.Fatalf("not done after %.0f s: sender %v (%v), receiver %v (%v)", seconds, a.state, a.Result(), b.state, b.Result())
	}
	return col, a.Result(), b.Result(), p
}

func samePages(t testing.TB, got, want []*t4.Page) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d pages received, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Width != w.Width || g.Height != w.Height || g.Res != w.Res {
			t.Fatalf("page %d: %dx%d %v, want %dx%d %v", i+1, g.Width, g.Height, g.Res, w.Width, w.Height, w.Res)
		}
		for y := 0; y < w.Height; y++ {
			if string(g.Row(y)) != string(w.Row(y)) {
				t.Fatalf("page %d differs from row %d", i+1, y)
			}
		}
	}
}

func TestSessionOnePage(t *testing.T) {
	pages := []*t4.Page{testPage(t, 1, 1728, 120, t4.Fine)}
	col, rs, rr, p := fax(t, Config{}, Config{}, pages, linear(), 120)
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	t.Logf("sender %+v\nreceiver %+v\n%.1f s of line time", rs, rr, float64(p.samples)/8000)
}

var _ = fmt.Sprint

func testLogger(t testing.TB) *slog.Logger {
	if !*verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug - 4}))
}

var verbose = flag.Bool("t30.v", false, "log every state change of the sessions")
