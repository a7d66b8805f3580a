package modem

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/internal/spandsp"
	"github.com/softfax/softfax/t4"
)

// startSpandsp starts spandsp's T.30 terminal as the far end, without ECM
// and with MH only, as the Class 1 dialogues below are scripted for: it
// calls and sends send, or answers and receives into rxFile.
func startSpandsp(t *testing.T, send []*t4.Page, rxFile string) *spandsp.Terminal {
	spec := spandsp.TerminalSpec{Compressions: spandsp.CompressMH, Ident: "SPANDSP ANSWER", RxTIFF: rxFile}
	if send != nil {
		spec.Calling, spec.TxPages, spec.Ident = true, send, "SPANDSP CALLER"
	}
	return spandsp.StartTerminal(t, spec)
}

// finishSpandsp ends spandsp's call and returns its result.
func finishSpandsp(t *testing.T, term *spandsp.Terminal) spandsp.TerminalResult {
	t.Helper()
	r, err := term.Close()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// classOne is a sequential Class 1 DTE on our engine, facing spandsp over
// a mu-law line, as HylaFAX drives iaxmodem.
type classOne struct {
	t       *testing.T
	e       *Engine
	p       *spandsp.Terminal
	out, in []int16
	samples int64
	log     []string
	// late delays every receive command by this many samples, as a busy
	// DTE does: the engine must serve it from its history.
	late int
}

func newClassOne(t *testing.T, p *spandsp.Terminal) *classOne {
	return &classOne{t: t, e: NewEngine(Config{}), p: p, out: make([]int16, block), in: make([]int16, block)}
}

func (c *classOne) step() {
	c.e.Transmit(c.out)
	g711.Ulaw.Companding(c.out)
	if err := c.p.Exchange(c.out, c.in); err != nil {
		c.t.Fatal(err)
	}
	g711.Ulaw.Companding(c.in)
	c.e.Receive(c.in)
	c.samples += block
}

// do starts an operation and runs the line until it ends, calling on for
// each event, and with a zero Event after each block; it returns the
// events.
func (c *classOne) do(name string, start func() error, on func(Event)) []Event {
	c.t.Helper()
	if c.late > 0 && (strings.HasPrefix(name, "+FR") || strings.HasPrefix(name, "ATD")) {
		for range c.late / block {
			c.step()
		}
	}
	if err := start(); err != nil {
		c.t.Fatalf("%s: %v", name, err)
	}
	var evs []Event
	drain := func() {
		for ev, ok := c.e.Poll(); ok; ev, ok = c.e.Poll() {
			if ev.Data != nil {
				ev.Data = append([]byte(nil), ev.Data...)
			}
			evs = append(evs, ev)
			if on != nil {
				on(ev)
			}
		}
	}
	drain()
	for end := c.samples + 60*8000; c.e.State() != StateIdle; {
		if c.samples > end {
			r, _ := c.p.Close()
			c.t.Fatalf("%s: no end after 60 s; events %v\nspandsp: %s", name, evs, r.Log)
		}
		c.step()
		drain()
		if on != nil {
			on(Event{}) // a tick per block, for DTEs that feed data
		}
	}
	c.log = append(c.log, fmt.Sprintf("%s: %s", name, (&side{log: evs}).kinds()))
	return evs
}

func lastFrame(evs []Event) []byte {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == Frame && evs[i].FCSOK {
			return evs[i].Data
		}
	}
	return nil
}

// sendFrames returns an event handler giving frames to TransmitHDLC.
func (c *classOne) sendFrames(frames ...[]byte) func(Event) {
	i := 0
	return func(ev Event) {
		if ev.Kind == Connect && i < len(frames) {
			if err := c.e.SendFrame(frames[i], i == len(frames)-1); err != nil {
				c.t.Fatal(err)
			}
			i++
		}
	}
}

// sendData returns a handler feeding data to TransmitData from its
// CONNECT on, as the buffer drains (a DTE under XON/XOFF).
func (c *classOne) sendData(data []byte) func(Event) {
	started, ended := false, false
	return func(ev Event) {
		started = started || ev.Kind == Connect
		if !started || ended || c.e.Buffered() > c.e.TxBufferSize()/2 {
			return
		}
		n, _ := c.e.WriteData(data)
		if data = data[n:]; len(data) == 0 {
			ended = true
			c.e.EndData()
		}
	}
}

// testPage is a standard-resolution A4-wide page with a pattern.
func testPage(t *testing.T) *t4.Page {
	p, err := t4.NewPage(t4.WidthA4, 400, t4.Standard)
	if err != nil {
		t.Fatal(err)
	}
	for y := range p.Height {
		for x := range p.Width {
			p.Set(x, y, (x/16+y/8)%3 == 0 || (x > 200 && x < 260))
		}
	}
	return p
}

// TestSpandspReceivesFromEngine: our engine, driven like HylaFAX's Class 1
// driver, sends a page to spandsp's T.30 terminal (the reference behind
// iaxmodem), which must report success and store the page exactly.
func TestSpandspReceivesFromEngine(t *testing.T) {
	for _, late := range []int{0, 2400} {
		t.Run(fmt.Sprintf("DTE %d ms late", late/8), func(t *testing.T) { spandspReceives(t, late) })
	}
}

func spandspReceives(t *testing.T, late int) {
	rx := filepath.Join(t.TempDir(), "rx.tif")
	sp := startSpandsp(t, nil, rx)
	c := newClassOne(t, sp)
	c.late = late
	e := c.e

	evs := c.do("ATD", e.Originate, nil)
	for f := lastFrame(evs); len(f) < 3 || f[2] != 0x80; f = lastFrame(evs) { // until DIS
		if len(c.log) > 6 {
			t.Fatalf("no DIS: %v", c.log)
		}
		evs = c.do("+FRH=3", func() error { return e.ReceiveHDLC(V21) }, nil)
	}
	c.do("+FRS=7", func() error { return e.WaitSilence(7) }, nil)
	dcs := []byte{0xFF, 0x13, 0x83, 0x00, 0x22, 0x78} // V.17 14400, 3.85 l/mm, MH, A4
	c.do("+FTH=3", func() error { return e.TransmitHDLC(V21) }, c.sendFrames(frameTSI, dcs))
	c.do("+FTS=7", func() error { return e.TransmitSilence(7) }, nil)
	c.do("+FTM=145", func() error { return e.TransmitData(V17_14400) }, c.sendData(make([]byte, 14400*3/2/8)))
	evs = c.do("+FRH=3", func() error { return e.ReceiveHDLC(V21) }, nil)
	if f := lastFrame(evs); len(f) < 3 || f[2] != 0x84 {
		t.Fatalf("no CFR after TCF: %x\n%v", f, c.log)
	}
	page := testPage(t)
	data, err := t4.Encode(page, t4.EncodeOptions{Compression: t4.MH, RTC: true, LSBFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	c.do("+FRS=7", func() error { return e.WaitSilence(7) }, nil)
	c.do("+FTM=146", func() error { return e.TransmitData(V17_14400Short) }, c.sendData(data))
	c.do("+FTS=9", func() error { return e.TransmitSilence(9) }, nil)
	c.do("+FTH=3", func() error { return e.TransmitHDLC(V21) }, c.sendFrames(frameEOP))
	evs = c.do("+FRH=3", func() error { return e.ReceiveHDLC(V21) }, nil)
	if f := lastFrame(evs); len(f) < 3 || f[2] != 0x8C {
		t.Fatalf("no MCF after EOP: %x\n%v", f, c.log)
	}
	c.do("+FTH=3", func() error { return e.TransmitHDLC(V21) }, c.sendFrames(frameDCN))
	for range 50 {
		c.step()
	}
	r := finishSpandsp(t, sp)
	t.Logf("Class 1 dialogue: %s\nspandsp: %d %s", strings.Join(c.log, "; "), r.Code, r.Text)
	if r.Code != 0 || r.PagesRx != 1 || r.BitRate != 14400 {
		t.Fatalf("spandsp: %+v", r)
	}
	pages := spandsp.ReadTIFF(t, rx)
	if len(pages) != 1 {
		t.Fatalf("spandsp's TIFF: %d pages", len(pages))
	}
	got := pages[0]
	if got.Width != page.Width || got.Height != page.Height || !bytes.Equal(got.Pix, page.Pix) {
		t.Errorf("page differs: %dx%d, sent %dx%d", got.Width, got.Height, page.Width, page.Height)
	}
}

// dcsModulation returns the modulation a DCS selects (T.30 Table 2, bits
// 11-14) with the long train, and the short-train code for later pages.
func dcsModulation(dcs []byte) (long, short Modulation, ok bool) {
	if len(dcs) < 5 {
		return 0, 0, false
	}
	switch dcs[4] >> 2 & 0xF { // bit 11 is the low bit
	case 0:
		return V27ter2400, V27ter2400, true
	case 2:
		return V27ter4800, V27ter4800, true
	case 3:
		return V29_7200, V29_7200, true
	case 1:
		return V29_9600, V29_9600, true
	case 11:
		return V17_7200, V17_7200Short, true
	case 9:
		return V17_9600, V17_9600Short, true
	case 10:
		return V17_12000, V17_12000Short, true
	case 8:
		return V17_14400, V17_14400Short, true
	}
	return 0, 0, false
}

// TestSpandspSendsToEngine: spandsp's T.30 terminal calls and sends a page;
// our engine, driven like HylaFAX's faxgetty, answers, checks the TCF,
// receives the page and decodes it pixel for pixel.
func TestSpandspSendsToEngine(t *testing.T) {
	for _, late := range []int{0, 2400} {
		t.Run(fmt.Sprintf("DTE %d ms late", late/8), func(t *testing.T) { spandspSends(t, late) })
	}
}

func spandspSends(t *testing.T, late int) {
	page := testPage(t)
	sp := startSpandsp(t, []*t4.Page{page}, "")
	c := newClassOne(t, sp)
	c.late = late
	e := c.e
	csi := append([]byte{0xFF, 0x03, 0x40}, []byte("        3210 555 1+")...)
	dis := []byte{0xFF, 0x13, 0x80, 0x00, 0x6E, 0x78} // V.17, MH, A4 (efax's DIS)
	c.do("ATA", e.Answer, c.sendFrames(csi, dis))
	var dcs []byte
	for f := []byte(nil); len(f) < 3 || f[2]&0xFE != 0x82; { // until DCS
		if len(c.log) > 6 {
			t.Fatalf("no DCS: %v", c.log)
		}
		f = lastFrame(c.do("+FRH=3", func() error { return e.ReceiveHDLC(V21) }, nil))
		dcs = f
	}
	long, short, ok := dcsModulation(dcs)
	if !ok {
		t.Fatalf("DCS %x: unknown modulation", dcs)
	}
	evs := c.do("+FRM="+long.String(), func() error { return e.ReceiveData(long, true) }, nil)
	tcf := (&side{log: evs}).data()
	zeros := bytes.Count(tcf, []byte{0})
	if zeros < len(tcf)*9/10 || len(tcf) < long.BitRate()/8 {
		t.Fatalf("TCF: %d bytes, %d zero", len(tcf), zeros)
	}
	c.do("+FRS=7", func() error { return e.WaitSilence(7) }, nil)
	c.do("+FTH=3", func() error { return e.TransmitHDLC(V21) }, c.sendFrames([]byte{0xFF, 0x13, 0x84})) // CFR
	evs = c.do("+FRM="+short.String(), func() error { return e.ReceiveData(short, true) }, nil)
	data := (&side{log: evs}).data()
	evs = c.do("+FRH=3", func() error { return e.ReceiveHDLC(V21) }, nil)
	if f := lastFrame(evs); len(f) < 3 || f[2]&0xFE != 0x2E {
		t.Fatalf("no EOP after the page: %x\n%v", f, c.log)
	}
	c.do("+FRS=7", func() error { return e.WaitSilence(7) }, nil)
	c.do("+FTH=3", func() error { return e.TransmitHDLC(V21) }, c.sendFrames(frameMCF))
	evs = c.do("+FRH=3", func() error { return e.ReceiveHDLC(V21) }, nil)
	if f := lastFrame(evs); len(f) < 3 || f[2]&0xFE != 0xFA {
		t.Errorf("no DCN: %x", f)
	}
	for range 50 {
		c.step()
	}
	r := finishSpandsp(t, sp)
	t.Logf("Class 1 dialogue: %s\nspandsp: %d %s", strings.Join(c.log, "; "), r.Code, r.Text)
	if r.Code != 0 || r.PagesTx != 1 {
		t.Errorf("spandsp: %+v", r)
	}
	got, stats, err := t4.Decode(data, t4.DecodeOptions{Compression: t4.MH, Width: t4.WidthA4, LSBFirst: true})
	if err != nil {
		t.Fatalf("decoding the page (%d bytes): %v", len(data), err)
	}
	if got.Height != page.Height || !bytes.Equal(got.Pix, page.Pix) {
		t.Errorf("page: %d rows (sent %d), stats %+v", got.Height, page.Height, stats)
	}
}
