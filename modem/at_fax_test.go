package modem

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// exchange is a telephone switch between two DCEs for tests: what a
// Phone asks is queued and carried out between audio blocks (a Phone must
// not call back into a DCE while that DCE holds its lock).
type exchange struct {
	a, b    *DCE
	pending []func()
	up      bool
}

type exchangePhone struct {
	x    *exchange
	self func() *DCE
	peer func() *DCE
}

func (p exchangePhone) Dial(r DialRequest) {
	p.x.pending = append(p.x.pending, func() {
		if !p.peer().Offer(CallerID{Number: r.CallerNumber, DID: r.Number}) {
			p.self().Progress(CallBusy)
		}
	})
}

func (p exchangePhone) Answer() {
	p.x.pending = append(p.x.pending, func() { p.x.up = true; p.peer().Progress(CallAnswered) })
}

func (p exchangePhone) Hangup() {
	p.x.pending = append(p.x.pending, func() { p.x.up = false; p.peer().Progress(CallEnded) })
}

func (p exchangePhone) SendDTMF(rune) {}

// dteStep is one step of a scripted DTE: wait for want in the DCE's
// output (after what earlier steps matched), then write send.
type dteStep struct {
	want, send string
}

type scriptedDTE struct {
	name  string
	d     *DCE
	steps []dteStep
	out   []byte // everything the DCE said
	pos   int    // matched up to here
}

func (s *scriptedDTE) step() {
	s.out = append(s.out, s.d.Pending()...)
	for len(s.steps) > 0 {
		st := s.steps[0]
		if st.want != "" {
			i := bytes.Index(s.out[s.pos:], []byte(st.want))
			if i < 0 {
				return
			}
			s.pos += i + len(st.want)
		}
		s.steps = s.steps[1:]
		if st.send != "" {
			s.d.Write([]byte(st.send))
		}
	}
}

// shielded is p with each DLE doubled, then <DLE><ETX>.
func shielded(p []byte) string {
	return string(bytes.ReplaceAll(p, []byte{dle}, []byte{dle, dle})) + "\x10\x03"
}

// TestDCEFax runs a one-page fax between two DCEs, each driven by a DTE
// script as efax or HylaFAX drive a Class 1 modem (the command sequences
// of shared/reference/efax-class1.txt and hylafax-class1-send.txt, with
// HylaFAX's +FTS pauses), over the sample clock: dial and
// auto-answer, the V.21 frames with their FCS and <DLE><ETX>, TCF and a
// page at V.29 with DLE shielding both ways, and the hangup.
func TestDCEFax(t *testing.T) {
	for _, mod := range []Modulation{V29_9600, V17_14400} {
		t.Run(mod.String(), func(t *testing.T) { testDCEFax(t, mod) })
	}
}

func newExchange() *exchange {
	x := &exchange{}
	x.a = NewDCE(DCEConfig{Phone: exchangePhone{x, func() *DCE { return x.a }, func() *DCE { return x.b }}})
	x.b = NewDCE(DCEConfig{Phone: exchangePhone{x, func() *DCE { return x.b }, func() *DCE { return x.a }}})
	x.a.SetAttached(true)
	x.b.SetAttached(true)
	return x
}

// runPair runs two DTE scripts over the exchange's DCEs, in 20 ms blocks
// of line time, until both are done or maxSeconds of line time passed.
// It returns the blocks run.
func runPair(t *testing.T, x *exchange, a, b *scriptedDTE, maxSeconds int) int {
	t.Helper()
	bufA, bufB := make([]int16, 160), make([]int16, 160)
	blocks := 0
	for ; blocks < maxSeconds*50 && (len(a.steps) > 0 || len(b.steps) > 0); blocks++ {
		a.step()
		b.step()
		for len(x.pending) > 0 {
			f := x.pending[0]
			x.pending = x.pending[1:]
			f()
		}
		if x.up {
			x.a.Transmit(bufA)
			x.b.Transmit(bufB)
			x.b.Receive(bufA)
			x.a.Receive(bufB)
		}
	}
	for _, s := range []*scriptedDTE{a, b} {
		if len(s.steps) > 0 {
			t.Errorf("%s stuck waiting for %q (%d steps left) after %d s; it got %q", s.name, s.steps[0].want, len(s.steps), blocks/50, tail(s.out, 300))
		}
	}
	return blocks
}

func testDCEFax(t *testing.T, mod Modulation) {
	x := newExchange()

	rng := rand.New(rand.NewPCG(1, 2))
	page := make([]byte, 3000)
	for i := range page {
		page[i] = byte(rng.IntN(256))
	}
	page[10], page[11], page[12] = dle, dle, etx // shielding must carry these
	tcf := make([]byte, mod.BitRate()*3/2/8)
	ok := "\r\nOK\r\n"
	m := fmt.Sprint(int(mod))
	short := m
	if mod == V17_14400 {
		short = fmt.Sprint(int(V17_14400Short))
	}
	sender := &scriptedDTE{name: "sender", d: x.a, steps: []dteStep{
		{"", "ATE0+FCLASS=1\r"}, {ok, "ATDT5550200\r"},
		{"\r\nCONNECT\r\n", ""}, {string(frameCSI), ""}, {"\x10\x03" + ok, "AT+FRH=3\r"},
		{"\r\nCONNECT\r\n", ""}, {string(frameDIS), ""}, {"\x10\x03" + ok, "AT+FTH=3\r"},
		{"\r\nCONNECT\r\n", shielded(frameTSI)}, {"\r\nCONNECT\r\n", shielded(frameDCS)},
		{ok, "AT+FTS=7\r"}, {ok, "AT+FTM=" + m + "\r"}, {"\r\nCONNECT\r\n", shielded(tcf)},
		{ok, "AT+FRH=3\r"}, {"\r\nCONNECT\r\n", ""}, {string(frameCFR), ""}, {"\x10\x03" + ok, "AT+FTM=" + short + "\r"},
		{"\r\nCONNECT\r\n", shielded(page)},
		{ok, "AT+FTS=9\r"}, {ok, "AT+FTH=3\r"}, {"\r\nCONNECT\r\n", shielded(frameEOP)},
		{ok, "AT+FRH=3\r"}, {"\r\nCONNECT\r\n", ""}, {string(frameMCF), ""}, {"\x10\x03" + ok, "AT+FTH=3\r"},
		{"\r\nCONNECT\r\n", shielded(frameDCN)}, {ok, "ATH0\r"}, {ok, ""},
	}}
	receiver := &scriptedDTE{name: "receiver", d: x.b, steps: []dteStep{
		{"", "ATE0+FCLASS=1;+FAR=1;S0=1\r"}, {ok, ""},
		{"\r\nRING\r\n", ""}, {"\r\nCONNECT\r\n", shielded(frameCSI)}, {"\r\nCONNECT\r\n", shielded(frameDIS)},
		{ok, "AT+FRH=3\r"}, {"\r\nCONNECT\r\n", ""}, {string(frameTSI), ""}, {"\x10\x03" + ok, "AT+FRH=3\r"},
		{"\r\nCONNECT\r\n", ""}, {string(frameDCS), ""}, {"\x10\x03" + ok, "AT+FRM=" + m + "\r"},
		{"\r\nCONNECT\r\n", ""}, {"\x10\x03\r\nNO CARRIER\r\n", "AT+FTH=3\r"},
		{"\r\nCONNECT\r\n", shielded(frameCFR)}, {ok, "AT+FRM=" + short + "\r"},
		{"\r\nCONNECT\r\n", ""}, {"\x10\x03\r\nNO CARRIER\r\n", "AT+FRH=3\r"},
		{"\r\nCONNECT\r\n", ""}, {string(frameEOP), ""}, {"\x10\x03" + ok, "AT+FTH=3\r"},
		{"\r\nCONNECT\r\n", shielded(frameMCF)}, {ok, "AT+FRH=3\r"},
		{"\r\nCONNECT\r\n", ""}, {string(frameDCN), ""}, {"\x10\x03" + ok, ""},
		{"\r\nNO CARRIER\r\n", ""},
	}}
	blocks := runPair(t, x, sender, receiver, 60)
	if t.Failed() {
		return
	}
	// The page as the receiving DTE got it, unshielded, must hold the
	// page sent.
	got := unshield(receiver.out)
	if !bytes.Contains(got, page) {
		t.Errorf("the page did not arrive intact")
	}
	t.Logf("%v fax took %.1f s of line time", mod, float64(blocks)/50)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// unshield removes DLE doubling (and the <DLE><ETX> markers).
func unshield(p []byte) []byte {
	var out []byte
	for i := 0; i < len(p); i++ {
		if p[i] == dle && i+1 < len(p) {
			i++
			if p[i] == dle {
				out = append(out, dle)
			}
			continue
		}
		out = append(out, p[i])
	}
	return out
}

// TestDCEAdaptiveReceive: +FRM while the far end sends V.21 frames gives
// +FRH:3 and the frame with +FAR=1 (T.31 §8.3.6), +FCERROR without.
func TestDCEAdaptiveReceive(t *testing.T) {
	ok := "\r\nOK\r\n"
	for _, far := range []bool{true, false} {
		t.Run(fmt.Sprint("FAR=", far), func(t *testing.T) {
			x := newExchange()
			setup := "ATE0+FCLASS=1;+FAR=0\r"
			want := []dteStep{{"\r\n+FCERROR\r\n", ""}}
			if far {
				setup = "ATE0+FCLASS=1;+FAR=1\r"
				want = []dteStep{{"\r\n+FRH:3\r\n\r\nCONNECT\r\n", ""}, {string(frameCSI), ""}, {"\x10\x03" + ok, ""}}
			}
			caller := &scriptedDTE{name: "caller", d: x.a, steps: append([]dteStep{
				{"", setup}, {ok, "ATDT1;\r"}, {ok, "AT+FRM=96\r"}}, want...)}
			answerer := &scriptedDTE{name: "answerer", d: x.b, steps: []dteStep{
				{"", "ATE0+FCLASS=1;S0=1\r"}, {ok, ""},
				{"\r\nCONNECT\r\n", shielded(frameCSI)}, {"\r\nCONNECT\r\n", shielded(frameDIS)}, {ok, ""}}}
			runPair(t, x, caller, answerer, 20)
		})
	}
}

// newDCEInCall returns a Class 1 DCE with echo off that has dialled and
// been answered: in a call, in command mode.
func newDCEInCall(t *testing.T) (*DCE, *fakePhone) {
	t.Helper()
	d, ph := newTestDCE(DefaultIdentity)
	runTranscript(t, d, ph, `
		-> ATE0+FCLASS=1\r
		<- ATE0+FCLASS=1\r\r\nOK\r\n
		-> ATDT1;\r
		= dial 1 /
		! answered
		<- \r\nOK\r\n
	`)
	return d, ph
}

// TestDCEFlowControl: during +FTM the DCE sends XOFF above 3/4 of its
// transmit buffer and XON below 1/4, and Room tells a pty how much to read.
func TestDCEFlowControl(t *testing.T) {
	d, ph := newDCEInCall(t)
	runTranscript(t, d, ph, `
		-> AT+FTM=96\r
		<- \r\nCONNECT\r\n
	`)
	size := d.eng.TxBufferSize()
	if got := d.Room(1 << 20); got != size {
		t.Fatalf("Room %d, want the whole buffer %d", got, size)
	}
	d.Write(bytes.Repeat([]byte{0x55}, size*3/4+1))
	if got := d.Pending(); !bytes.Equal(got, []byte{xoff}) {
		t.Fatalf("after filling 3/4: %q, want XOFF", got)
	}
	if got := d.Room(1 << 20); got != size-(size*3/4+1) {
		t.Errorf("Room %d", got)
	}
	buf := make([]int16, 160)
	var out []byte
	for i := 0; i < 50*20 && !bytes.Contains(out, []byte{xon}); i++ {
		d.Transmit(buf)
		out = append(out, d.Pending()...)
	}
	if !bytes.Equal(out, []byte{xon}) {
		t.Fatalf("while draining: %q, want XON", out)
	}
	if b := d.eng.Buffered(); b > size/4 {
		t.Errorf("XON with %d bytes buffered", b)
	}
	d.Write([]byte{dle, etx})
	for i := 0; i < 50*20 && !bytes.Contains(out, []byte("OK")); i++ {
		d.Transmit(buf)
		out = append(out, d.Pending()...)
	}
	if !bytes.HasSuffix(out, []byte("\r\nOK\r\n")) {
		t.Errorf("end of data: %q", out)
	}
}

// TestDCEDTEFlowControl: XOFF and XON from the DTE's tty (HylaFAX sets
// IXOFF while it receives a page) hold and release the output, and do
// not abort the reception as other characters do.
func TestDCEDTEFlowControl(t *testing.T) {
	d, ph := newDCEInCall(t)
	runTranscript(t, d, ph, `
		-> AT+FRM=96\r
		-> \x13
		-> \x11\x13
	`)
	if d.mode != modeRxData || !d.dteStopped {
		t.Fatalf("after XOFF: mode %v, stopped %v", d.mode, d.dteStopped)
	}
	d.Write([]byte{xon})
	if d.mode != modeRxData || d.dteStopped {
		t.Fatalf("after XON: mode %v, stopped %v", d.mode, d.dteStopped)
	}
	runTranscript(t, d, ph, `
		-> x
		<- \r\nOK\r\n
	`)
}
