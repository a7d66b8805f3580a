package modem

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestAdaptiveReception: V.21 flags during +FRM switch to HDLC reception
// with +FAR=1 (+FRH:3 CONNECT, the frame, OK), and give +FCERROR without it;
// then +FRH=3 picks up the frame still coming.
func TestAdaptiveReception(t *testing.T) {
	tests := []struct {
		name     string
		adaptive bool
		receiver []step
	}{
		{"FAR=1", true, []step{frm(V17_14400, true, "CONNECT3 frame OK")}},
		{"FAR=0", false, []step{
			frm(V17_14400, false, "+FCERROR"),
			frh(V21, "CONNECT3 frame OK"),
		}},
		{"FAR=0 late +FRH", false, []step{
			frm(V29_9600, false, "+FCERROR"),
			late(frh(V21, "CONNECT3 frame OK"), 4000),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, Config{}, mulaw())
			p.runScripts(5, []step{fth(V21, frameDCS)}, tt.receiver)
			f := p.b.frames()
			if len(f) != 1 || !bytes.Equal(f[0].Data, frameDCS) || !f[0].FCSOK {
				t.Errorf("frames %v", f)
			}
		})
	}
}

// TestSilenceTimings: +FTS sends exactly n×10 ms of silence; +FRS answers
// after n×10 ms of silence, counted in received samples.
func TestSilenceTimings(t *testing.T) {
	for _, n := range []int{1, 7, 20} {
		e := NewEngine(Config{})
		must(t, e.TransmitSilence(n))
		out := make([]int16, 37) // an awkward block size
		var okAt int64 = -1
		for i := 0; i < 100 && okAt < 0; i++ {
			e.Transmit(out)
			for ev, ok := e.Poll(); ok; ev, ok = e.Poll() {
				if ev.Kind == OK {
					okAt = ev.At
				}
			}
		}
		if okAt != int64(n*80) {
			t.Errorf("+FTS=%d: OK at %d, want %d", n, okAt, n*80)
		}
	}
	// +FRS after a V.21 carrier: OK n×10 ms after the signal ends (plus
	// the level meter's decay, a few ms).
	for _, n := range []int{3, 7, 25} {
		p := newPair(t, Config{}, mulaw())
		must(t, p.a.e.TransmitHDLC(V21))
		must(t, p.a.e.SendFrame(frameCFR, true))
		must(t, p.b.e.WaitSilence(n))
		p.record = true
		p.run(3, func() bool { return p.idle() })
		okEv, ok := p.b.find(OK, 0)
		if !ok {
			t.Fatalf("+FRS=%d: %v", n, p.b)
		}
		end := int64(len(p.tapA)) - 1
		for end > 0 && p.tapA[end] == 0 {
			end--
		}
		if d := okEv.At - end - int64(n*80); d < 0 || d > 120 {
			t.Errorf("+FRS=%d: OK %d samples after the signal's end, want %d (+0..120)", n, okEv.At-end, n*80)
		}
	}
	// +FTS=0 and +FRS=0 answer at once.
	e := NewEngine(Config{})
	must(t, e.TransmitSilence(0))
	must(t, e.WaitSilence(0))
	for i := 0; i < 2; i++ {
		if ev, ok := e.Poll(); !ok || ev.Kind != OK {
			t.Errorf("zero silence: %v %v", ev, ok)
		}
	}
}

// TestLateReceiveData: +FRM issued 300 ms after the far carrier started
// still trains on the buffered audio and gets every byte.
func TestLateReceiveData(t *testing.T) {
	for _, m := range []Modulation{V17_14400, V29_9600, V27ter4800} {
		t.Run(m.String(), func(t *testing.T) {
			p := newPair(t, Config{}, mulaw())
			data := bytes.Repeat([]byte{1, 2, 3, 4, 5, 0xFF, 0, 0x10}, 300)
			p.runScripts(10, []step{ftm(m, data)}, []step{late(frm(m, false, "CONNECT data NO CARRIER"), 2400)})
			got := p.b.data()
			if len(got) < len(data) || !bytes.Equal(got[:len(data)], data) {
				t.Errorf("received %d bytes, not the %d sent", len(got), len(data))
			}
		})
	}
	// Too late: more than the history. The training is lost, so no CONNECT.
	p := newPair(t, Config{HistorySamples: 1600}, mulaw())
	must(t, p.a.e.TransmitData(V17_14400))
	p.run(0.5, nil)
	must(t, p.b.e.ReceiveData(V17_14400, false))
	p.run(2, nil)
	if _, ok := p.b.find(Connect, 0); ok {
		t.Errorf("trained from the middle of a training: %v", p.b)
	}
}

// TestCarrierLoss: the far end stops in the middle of a frame or of data.
func TestCarrierLoss(t *testing.T) {
	// HDLC: flags only, then the carrier stops: CONNECT, NO CARRIER.
	p := newPair(t, Config{}, mulaw())
	must(t, p.a.e.TransmitHDLC(V21))
	must(t, p.b.e.ReceiveHDLC(V21))
	p.run(0.5, nil)
	p.a.e.Abort()
	p.run(0.5, func() bool { return p.idle() })
	if got, want := p.b.kinds(), "CONNECT3 NO CARRIER"; got != want {
		t.Errorf("HDLC: %q, want %q", got, want)
	}
	if got, want := p.a.kinds(), "CONNECT3 OK"; got != want {
		t.Errorf("HDLC sender: %q, want %q", got, want)
	}

	// Data with +FCL: a 100 ms gap bridged by +FCL=50 (500 ms) would need
	// a retrain; a plain stop is reported 500 ms after the loss.
	for _, fcl := range []int{0, 4000} {
		p := newPair(t, Config{CarrierLossTimeout: fcl}, mulaw())
		must(t, p.a.e.TransmitData(V29_9600))
		must(t, p.b.e.ReceiveData(V29_9600, false))
		p.a.e.WriteData(make([]byte, 600))
		p.run(2, nil)
		p.a.e.Abort()
		stopped := p.samples
		p.run(2, func() bool { return p.idle() })
		nc, ok := p.b.find(NoCarrier, 0)
		if !ok {
			t.Fatalf("+FCL=%d: %v", fcl, p.b)
		}
		if d := nc.At - stopped; d < int64(fcl) || d > int64(fcl)+800 {
			t.Errorf("+FCL=%d: NO CARRIER %d samples after the stop", fcl, d)
		}
	}
}

// TestAbort: a character from the DTE ends +FRH, +FRM and +FRS with OK.
func TestAbort(t *testing.T) {
	ops := []struct {
		name  string
		start func(e *Engine) error
	}{
		{"+FRH", func(e *Engine) error { return e.ReceiveHDLC(V21) }},
		{"+FRM", func(e *Engine) error { return e.ReceiveData(V17_9600, true) }},
		{"+FRS", func(e *Engine) error { return e.WaitSilence(100) }},
		{"+FTH", func(e *Engine) error { return e.TransmitHDLC(V21) }},
		{"+FTS", func(e *Engine) error { return e.TransmitSilence(100) }},
		{"+FTM", func(e *Engine) error { return e.TransmitData(V27ter2400) }},
	}
	for _, op := range ops {
		e := NewEngine(Config{})
		must(t, op.start(e))
		buf := make([]int16, 160)
		for range 10 {
			e.Receive(buf)
			e.Transmit(buf)
		}
		e.Abort()
		var kinds []EventKind
		for ev, ok := e.Poll(); ok; ev, ok = e.Poll() {
			kinds = append(kinds, ev.Kind)
		}
		if len(kinds) == 0 || kinds[len(kinds)-1] != OK || e.State() != StateIdle {
			t.Errorf("%s: events %v, state %v", op.name, kinds, e.State())
		}
		// Idle now: transmit silence, and Abort does nothing.
		e.Abort()
		e.Transmit(buf)
		for _, s := range buf {
			if s != 0 {
				t.Fatalf("%s: sound after abort", op.name)
			}
		}
		if _, ok := e.Poll(); ok {
			t.Errorf("%s: event after idle abort", op.name)
		}
	}
	// Dialling aborted: NO CARRIER.
	e := NewEngine(Config{})
	must(t, e.Originate())
	e.Abort()
	if ev, _ := e.Poll(); ev.Kind != NoCarrier {
		t.Errorf("ATD abort: %v", ev)
	}
}

// TestOriginateTimeout: nobody answers with flags: NO CARRIER after S7, and
// CNG was sent meanwhile.
func TestOriginateTimeout(t *testing.T) {
	e := NewEngine(Config{ConnectTimeout: 5 * 8000})
	must(t, e.Originate())
	buf, in := make([]int16, 160), make([]int16, 160)
	var ev Event
	var got bool
	loud := 0
	for i := 0; i < 400 && !got; i++ {
		e.Transmit(buf)
		for _, s := range buf {
			if s > 1000 || s < -1000 {
				loud++
			}
		}
		e.Receive(in)
		ev, got = e.Poll()
	}
	if !got || ev.Kind != NoCarrier || ev.At != 5*8000 {
		t.Errorf("event %v", ev)
	}
	// Two CNG bursts of 0.5 s in 5 s (0.5 on, 3 off).
	if loud < 6000 || loud > 8000 {
		t.Errorf("CNG: %d loud samples in 5 s", loud)
	}
}

// TestInactivity: +FIT reports when the DTE stays idle off hook.
func TestInactivity(t *testing.T) {
	e := NewEngine(Config{InactivityTimeout: 8000})
	must(t, e.Answer())
	e.Abort() // NO CARRIER, idle, still off hook
	e.Poll()
	buf := make([]int16, 160)
	for range 49 {
		e.Receive(buf)
	}
	if ev, ok := e.Poll(); ok {
		t.Fatalf("early %v", ev)
	}
	e.Receive(buf)
	if ev, ok := e.Poll(); !ok || ev.Kind != Inactive {
		t.Fatalf("got %v %v", ev, ok)
	}
	for range 100 {
		e.Receive(buf)
	}
	if ev, ok := e.Poll(); ok {
		t.Errorf("repeated %v", ev)
	}
}

// TestBadFrame: a frame with a bad FCS gives ERROR, and the next +FRH gets
// the next frame.
func TestBadFrame(t *testing.T) {
	p := newPair(t, Config{}, linesim.Impairments{})
	// Corrupt A's V.21 output during the first frame by flipping the tone.
	must(t, p.a.e.TransmitHDLC(V21))
	must(t, p.a.e.SendFrame(frameCSI, false))
	must(t, p.a.e.SendFrame(frameDIS, true))
	must(t, p.b.e.ReceiveHDLC(V21))
	hit := false
	p.b.on = func(ev Event) {
		if ev.Kind == Error || ev.Kind == OK && p.b.e.State() == StateIdle && len(p.b.frames()) < 2 {
			must(t, p.b.e.ReceiveHDLC(V21))
		}
	}
	for p.samples < 4*8000 && len(p.b.frames()) < 2 {
		// 1.2 s in: the middle of the CSI frame (after the 1 s preamble).
		if !hit && p.samples >= 9600 {
			hit = true
			p.a.e.Transmit(p.bufA)
			for i := range 54 { // two bit times of mark, in a run of spaces
				p.bufA[i] = int16(3000 * math.Sin(2*math.Pi*1650*float64(i)/8000))
			}
			p.b.e.Receive(p.bufA)
			p.a.e.Receive(make([]int16, block))
			p.b.e.Transmit(p.bufB)
			p.samples += block
			p.a.drain()
			p.b.drain()
			continue
		}
		p.step()
	}
	p.run(1, func() bool { return p.idle() })
	if got, want := p.b.kinds(), "CONNECT3 badframe ERROR CONNECT3 frame OK"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if s := p.b.e.Stats(); s.FramesBad != 1 || s.FramesGood != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestHighSpeedHDLC: ECM-style frames over V.17 with +FTH/+FRH=146.
func TestHighSpeedHDLC(t *testing.T) {
	p := newPair(t, Config{}, mulaw())
	var frames [][]byte
	for i := range 8 {
		f := append([]byte{0xFF, 0x03, 0x06, byte(i)}, bytes.Repeat([]byte{byte(i * 37)}, 256)...)
		frames = append(frames, f)
	}
	frames = append(frames, []byte{0xFF, 0x13, 0x86, 0, 0, 0}) // RCP-like final
	var rx []step
	for range frames[:len(frames)-1] {
		rx = append(rx, frh(V17_14400, "CONNECT frame OK"))
	}
	rx = append(rx, frh(V17_14400, "CONNECT frame OK"))
	// Long train first, then the same with a short train.
	for _, m := range []Modulation{V17_14400, V17_14400Short} {
		for i := range rx {
			mm := m
			rx[i].start = func(e *Engine) error { return e.ReceiveHDLC(mm) }
		}
		tx := fth(m, frames...)
		tx.want = connects(m, len(frames)) + " OK"
		p.a.log, p.b.log = nil, nil
		p.runScripts(10, []step{tx}, rx)
		f := p.b.frames()
		if len(f) != len(frames) {
			t.Fatalf("%v: %d frames", m, len(f))
		}
		for i := range f {
			if !bytes.Equal(f[i].Data, frames[i]) || !f[i].FCSOK {
				t.Errorf("%v: frame %d differs", m, i)
			}
		}
		p.runScripts(1, []step{fts(10)}, []step{frs(10)})
	}
}

// TestErrors: operations out of place are refused and change nothing.
func TestErrors(t *testing.T) {
	e := NewEngine(Config{})
	checks := []struct {
		name string
		err  error
		want error
	}{
		{"+FTM=3", e.TransmitData(V21), ErrModulation},
		{"+FRM=3", e.ReceiveData(V21, false), ErrModulation},
		{"+FTH=5", e.TransmitHDLC(5), ErrModulation},
		{"+FRH=0", e.ReceiveHDLC(0), ErrModulation},
		{"frame idle", e.SendFrame(frameDIS, true), ErrState},
		{"data idle", func() error { _, err := e.WriteData([]byte{1}); return err }(), ErrState},
		{"end idle", e.EndData(), ErrState},
	}
	for _, c := range checks {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	must(t, e.TransmitHDLC(V21))
	if err := e.ReceiveHDLC(V21); !errors.Is(err, ErrBusy) {
		t.Errorf("busy: %v", err)
	}
	if err := e.SendFrame([]byte{0xFF}, true); !errors.Is(err, ErrFrame) {
		t.Errorf("short frame: %v", err)
	}
	if err := e.SendFrame(make([]byte, hdlc.DefaultMaxFrameLen), true); !errors.Is(err, ErrFrame) {
		t.Errorf("long frame: %v", err)
	}
	must(t, e.SendFrame(frameDCN, true))
	if err := e.SendFrame(frameDCN, true); !errors.Is(err, ErrState) {
		t.Errorf("frame after final: %v", err)
	}
	e.Hangup()
	must(t, e.TransmitData(V29_7200))
	n, err := e.WriteData(make([]byte, e.TxBufferSize()+10))
	if n != e.TxBufferSize() || !errors.Is(err, ErrBufferFull) || e.Buffered() != n {
		t.Errorf("overfull write: %d, %v, buffered %d", n, err, e.Buffered())
	}
	must(t, e.EndData())
	if err := e.EndData(); !errors.Is(err, ErrState) {
		t.Errorf("second EndData: %v", err)
	}
	e.Abort()
	if e.Buffered() != 0 {
		t.Errorf("buffered %d after abort", e.Buffered())
	}
}

// TestUnderrunFill: a DTE that is late with data gets 0xFF fill before its
// first byte and 0x00 fill after, and the carrier stays up.
func TestUnderrunFill(t *testing.T) {
	p := newPair(t, Config{}, mulaw())
	must(t, p.b.e.ReceiveData(V17_9600, false))
	must(t, p.a.e.TransmitData(V17_9600))
	p.run(2, nil) // training (1.4 s), then 0.6 s of 0xFF fill
	p.a.e.WriteData([]byte{0x12, 0x34})
	p.run(0.5, nil) // zero fill
	p.a.e.WriteData([]byte{0x56})
	must(t, p.a.e.EndData())
	p.run(1, func() bool { return p.idle() })
	got := p.b.data()
	i := bytes.IndexByte(got, 0x12)
	if i < 100 || !bytes.Equal(got[:i], bytes.Repeat([]byte{0xFF}, i)) {
		t.Fatalf("fill before data: %x", got[:min(len(got), 32)])
	}
	rest := got[i:]
	j := bytes.IndexByte(rest, 0x56)
	if j < 100 || rest[1] != 0x34 || !bytes.Equal(rest[2:j], make([]byte, j-2)) {
		t.Errorf("zero fill: %x", rest[:min(len(rest), 16)])
	}
	if s := p.a.e.Stats(); s.DataOut != 3 || s.FillOctets < 500 {
		t.Errorf("stats %+v", s)
	}
}

// TestCarrierLossBridged: with +FCL, a new training within the timeout
// (here a second V.17 transmission 200 ms after the first stopped) carries
// the same +FRM on, without a second CONNECT.
func TestCarrierLossBridged(t *testing.T) {
	for _, fcl := range []int{0, 20000} { // a long train lasts 1.4 s
		p := newPair(t, Config{CarrierLossTimeout: fcl}, mulaw())
		first, second := bytes.Repeat([]byte{0x55}, 600), bytes.Repeat([]byte{0x3C}, 600)
		must(t, p.b.e.ReceiveData(V17_9600, false))
		p.runScripts(8, []step{ftm(V17_9600, first), late(ftm(V17_9600, second), 1600)}, nil)
		p.run(4, func() bool { return p.b.e.State() == StateIdle })
		got := p.b.data()
		if fcl == 0 {
			if k := p.b.kinds(); k != "CONNECT data NO CARRIER" || bytes.Contains(got, second[:100]) {
				t.Errorf("+FCL=0: %q, %d bytes", k, len(got))
			}
			continue
		}
		if k := p.b.kinds(); k != "CONNECT data NO CARRIER" {
			t.Errorf("+FCL=%d: %q", fcl, k)
		}
		if !bytes.Contains(got, first) || !bytes.Contains(got, second) {
			t.Errorf("+FCL=%d: both transmissions not received (%d bytes)", fcl, len(got))
		}
	}
}

// TestCarrierLossQualifiedByV21: with a long +FCL, V.21 flags after the
// page (the sender's EOP) end +FRM at once, and +FRH=3 gets the frame.
func TestCarrierLossQualifiedByV21(t *testing.T) {
	p := newPair(t, Config{CarrierLossTimeout: 5 * 8000}, mulaw())
	page := bytes.Repeat([]byte{0x00, 0x01}, 500)
	p.runScripts(10,
		[]step{ftm(V17_14400, page), late(fth(V21, frameEOP), 600)},
		[]step{frm(V17_14400, false, "CONNECT data NO CARRIER"), frh(V21, "CONNECT3 frame OK")})
	checkPageThenEOP(t, p, 8000) // on the V.21 flags, not after +FCL
}

// TestInactivityWhileTransmitting: +FIT also runs while a transmission
// waits for the DTE's frame or data after CONNECT.
func TestInactivityWhileTransmitting(t *testing.T) {
	for _, start := range []func(e *Engine) error{
		func(e *Engine) error { return e.TransmitHDLC(V21) },
		func(e *Engine) error { return e.TransmitData(V29_9600) },
	} {
		e := NewEngine(Config{InactivityTimeout: 2 * 8000})
		must(t, e.Answer())
		e.Abort()
		e.Poll()
		must(t, start(e))
		out := make([]int16, block)
		var kinds []EventKind
		for i := 0; i < 200 && e.State() != StateIdle; i++ {
			if i == 50 { // 1 s in: the DTE sends something, the timer restarts
				if e.State() == StateTxHDLC {
					must(t, e.SendFrame(frameCSI, false))
				} else {
					e.WriteData(make([]byte, 100))
				}
			}
			e.Transmit(out)
			for ev, ok := e.Poll(); ok; ev, ok = e.Poll() {
				kinds = append(kinds, ev.Kind)
				if ev.Kind == Inactive && (ev.At < 3*8000 || ev.At > 4*8000) {
					t.Errorf("Inactive at %d", ev.At)
				}
			}
		}
		if kinds[len(kinds)-1] != Inactive || e.State() != StateIdle {
			t.Errorf("events %v, state %v", kinds, e.State())
		}
	}
}

// TestAbortDropsFrames: frames queued for an aborted transmission are not
// sent by the next one.
func TestAbortDropsFrames(t *testing.T) {
	p := newPair(t, Config{}, mulaw())
	must(t, p.a.e.TransmitHDLC(V21))
	must(t, p.a.e.SendFrame(frameCSI, false))
	p.a.e.Abort()
	p.run(0.5, nil)
	p.runScripts(8, []step{ata(frameDIS)}, []step{atd("CONNECT3 frame OK")})
	if f := p.b.frames(); len(f) != 1 || !bytes.Equal(f[0].Data, frameDIS) {
		t.Errorf("frames %v", f)
	}
}
