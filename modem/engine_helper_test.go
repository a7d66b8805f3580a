package modem

import (
	"fmt"
	"strings"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// block is the line runner's 20 ms.
const block = 160

// side is one engine with the DTE script that drives it.
type side struct {
	name string
	e    *Engine
	log  []Event
	// on reacts to each event, like a DTE; it may start operations.
	on func(ev Event)
}

func (s *side) drain() {
	for {
		ev, ok := s.e.Poll()
		if !ok {
			return
		}
		if ev.Data != nil {
			ev.Data = append([]byte(nil), ev.Data...)
		}
		s.log = append(s.log, ev)
		if s.on != nil {
			s.on(ev)
		}
	}
}

// kinds summarises the log, data events merged: "CONNECT frame OK".
func (s *side) kinds() string {
	var b []string
	for _, ev := range s.log {
		k := ev.Kind.String()
		if ev.Kind == Connect && ev.Mod == V21 {
			k = "CONNECT3"
		}
		if ev.Kind == Frame && !ev.FCSOK {
			k = "badframe"
		}
		if k == "data" && len(b) > 0 && b[len(b)-1] == "data" {
			continue
		}
		b = append(b, k)
	}
	return strings.Join(b, " ")
}

func (s *side) data() []byte {
	var d []byte
	for _, ev := range s.log {
		if ev.Kind == Data {
			d = append(d, ev.Data...)
		}
	}
	return d
}

func (s *side) frames() []Event {
	var f []Event
	for _, ev := range s.log {
		if ev.Kind == Frame {
			f = append(f, ev)
		}
	}
	return f
}

func (s *side) find(kind EventKind, n int) (Event, bool) {
	for _, ev := range s.log {
		if ev.Kind == kind {
			if n == 0 {
				return ev, true
			}
			n--
		}
	}
	return Event{}, false
}

// pair runs two engines back to back over an impaired line, in 20 ms
// blocks, as two line runners would.
type pair struct {
	t                *testing.T
	a, b             *side
	ab, ba           *linesim.Line
	bufA, bufB, rx   []int16
	samples          int64
	tapA, tapB       []int16 // what each side sent, when recording
	record           bool
}

func mulaw() linesim.Impairments {
	return linesim.Impairments{Law: g711.Ulaw, GainDB: -6, NoiseDBm0: linesim.Noise(-60), Seed: 1}
}

func newPair(t *testing.T, cfg Config, imp linesim.Impairments) *pair {
	imp2 := imp
	imp2.Seed++
	return &pair{
		t:    t,
		a:    &side{name: "A", e: NewEngine(cfg)},
		b:    &side{name: "B", e: NewEngine(cfg)},
		ab:   linesim.New(imp),
		ba:   linesim.New(imp2),
		bufA: make([]int16, block),
		bufB: make([]int16, block),
	}
}

func (p *pair) step() {
	p.a.e.Transmit(p.bufA)
	p.b.e.Transmit(p.bufB)
	p.a.drain()
	p.b.drain()
	if p.record {
		p.tapA = append(p.tapA, p.bufA...)
		p.tapB = append(p.tapB, p.bufB...)
	}
	p.rx = p.ab.Apply(p.rx[:0], p.bufA)
	p.b.e.Receive(p.rx)
	p.rx = p.ba.Apply(p.rx[:0], p.bufB)
	p.a.e.Receive(p.rx)
	p.a.drain()
	p.b.drain()
	p.samples += block
}

// run steps until done reports true or seconds of line time have passed;
// it reports whether done came true.
func (p *pair) run(seconds float64, done func() bool) bool {
	end := p.samples + int64(seconds*8000)
	for p.samples < end {
		if done != nil && done() {
			return true
		}
		p.step()
	}
	return done != nil && done()
}

// idle reports whether both engines are idle.
func (p *pair) idle() bool {
	return p.a.e.State() == StateIdle && p.b.e.State() == StateIdle
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (s *side) String() string { return fmt.Sprintf("%s: %s", s.name, s.kinds()) }
