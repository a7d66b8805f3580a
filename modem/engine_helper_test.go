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
	t              *testing.T
	a, b           *side
	ab, ba         *linesim.Line
	bufA, bufB, rx []int16
	samples        int64
	tapA, tapB     []int16 // what each side sent, when recording
	record         bool
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

// step is one DTE command of a script and the events it must produce.
type step struct {
	name   string
	delay  int // samples between the end of the previous step and this one
	start  func(e *Engine) error
	frames [][]byte // sent one per CONNECT (TransmitHDLC, Answer)
	data   []byte   // written on CONNECT, then EndData (TransmitData)
	want   string   // event kinds, as side.kinds prints them
}

func fth(m Modulation, frames ...[]byte) step {
	return step{name: "+FTH=" + m.String(), start: func(e *Engine) error { return e.TransmitHDLC(m) },
		frames: frames, want: connects(m, len(frames)) + " OK"}
}

func connects(m Modulation, n int) string {
	c := "CONNECT"
	if m == V21 {
		c = "CONNECT3"
	}
	return strings.TrimSpace(strings.Repeat(c+" ", n))
}

func ata(frames ...[]byte) step {
	return step{name: "ATA", start: (*Engine).Answer, frames: frames, want: connects(V21, len(frames)) + " OK"}
}

func atd(want string) step {
	return step{name: "ATD", start: (*Engine).Originate, want: want}
}

func frh(m Modulation, want string) step {
	return step{name: "+FRH=" + m.String(), start: func(e *Engine) error { return e.ReceiveHDLC(m) }, want: want}
}

func ftm(m Modulation, data []byte) step {
	return step{name: "+FTM=" + m.String(), start: func(e *Engine) error { return e.TransmitData(m) }, data: data, want: "CONNECT OK"}
}

func frm(m Modulation, adaptive bool, want string) step {
	return step{name: "+FRM=" + m.String(), start: func(e *Engine) error { return e.ReceiveData(m, adaptive) }, want: want}
}

func fts(n int) step {
	return step{name: "+FTS", start: func(e *Engine) error { return e.TransmitSilence(n) }, want: "OK"}
}

func frs(n int) step {
	return step{name: "+FRS", start: func(e *Engine) error { return e.WaitSilence(n) }, want: "OK"}
}

func late(s step, samples int) step { s.delay = samples; return s }

// script drives a side through steps, recording each step's events.
type script struct {
	s       *side
	steps   []step
	i       int
	started bool
	startAt int64
	sent    int
	mark    int // log index where the current step began
	got     []string
	data    [][]byte // data received per step
}

func (sc *script) done() bool { return sc.i >= len(sc.steps) }

// tick starts the next step when it is due, and closes the current one
// when the engine is idle again.
func (sc *script) tick(t *testing.T, now int64) {
	if sc.done() {
		return
	}
	st := &sc.steps[sc.i]
	if sc.started && sc.s.e.State() == StateIdle && sc.s.e.q.len() == 0 {
		sc.s.drain()
		sub := &side{log: sc.s.log[sc.mark:]}
		sc.got = append(sc.got, sub.kinds())
		sc.data = append(sc.data, sub.data())
		sc.i++
		sc.started = false
		sc.startAt = now
		if sc.done() {
			return
		}
		st = &sc.steps[sc.i]
	}
	if !sc.started && now >= sc.startAt+int64(st.delay) {
		sc.started, sc.sent, sc.mark = true, 0, len(sc.s.log)
		sc.s.on = func(ev Event) {
			if ev.Kind != Connect {
				return
			}
			if sc.sent < len(st.frames) {
				must(t, sc.s.e.SendFrame(st.frames[sc.sent], sc.sent == len(st.frames)-1))
				sc.sent++
			}
			if st.data != nil && sc.sent == 0 {
				sc.sent++
				if _, err := sc.s.e.WriteData(st.data); err != nil {
					t.Fatal(err)
				}
				must(t, sc.s.e.EndData())
			}
		}
		if err := st.start(sc.s.e); err != nil {
			t.Fatalf("%s step %d %s: %v", sc.s.name, sc.i, st.name, err)
		}
		sc.s.drain()
	}
}

// runScripts runs both scripts to their ends and checks every step.
func (p *pair) runScripts(seconds float64, a, b []step) (*script, *script) {
	p.t.Helper()
	sa, sb := &script{s: p.a, steps: a}, &script{s: p.b, steps: b}
	ok := p.run(seconds, func() bool {
		sa.tick(p.t, p.samples)
		sb.tick(p.t, p.samples)
		return sa.done() && sb.done()
	})
	for _, sc := range []*script{sa, sb} {
		for i, got := range sc.got {
			if want := sc.steps[i].want; want != "" && got != want {
				p.t.Errorf("%s step %d %s: events %q, want %q", sc.s.name, i, sc.steps[i].name, got, want)
			}
		}
		if !sc.done() {
			p.t.Errorf("%s stopped at step %d (%s), state %v, events so far %q",
				sc.s.name, sc.i, sc.steps[sc.i].name, sc.s.e.State(), (&side{log: sc.s.log[sc.mark:]}).kinds())
		}
	}
	if !ok {
		p.t.Errorf("scripts did not finish in %.0f s", seconds)
	}
	return sa, sb
}
