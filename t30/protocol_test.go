package t30

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

// progressLog collects a session's progress details of some kinds.
type progressLog struct{ lines []string }

func (l *progressLog) add(p Progress) {
	l.lines = append(l.lines, p.Kind.String()+" "+p.Detail)
}

func (l *progressLog) count(prefix string) int {
	n := 0
	for _, s := range l.lines {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// noise overwrites buf with loud white noise.
func noise(r *rand.Rand, buf []int16) {
	for i := range buf {
		buf[i] = int16(r.NormFloat64() * 6000)
	}
}

// TestSessionFallbackFTT: TCF is destroyed at the rates above 9600, so the
// receiver answers FTT and the sender falls back 14400 → 12000 → 9600
// (T.30 §5.3.2.2).
func TestSessionFallbackFTT(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var log progressLog
	pages := threePages(t, t4.Standard, 90)
	col, rs, rr, _ := faxMangled(t, Config{Progress: log.add}, Config{}, pages, linear(), 600, func(p *pair) func(bool, []int16) {
		return func(toB bool, buf []int16) {
			if toB && p.b.state == stRxTCF && p.b.dcs.Modulation.BitRate() > 9600 {
				noise(r, buf)
			}
		}
	})
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	if rs.Modulation != modem.V17_9600 {
		t.Errorf("ended at %v, want V.17 9600", rs.Modulation)
	}
	if n := log.count("retrain FTT"); n != 2 {
		t.Errorf("%d FTT, want 2: %q", n, log.lines)
	}
}

// TestSessionRTN: a burst of noise in a non-ECM page makes the receiver
// answer RTN (its threshold set so that any bad row is too many: the rows
// lost inside a burst are not all counted bad); the sender retrains one
// rate lower and sends the page again.
func TestSessionRTN(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var slog, rlog progressLog
	pages := threePages(t, t4.Fine, 100)
	burst := 0
	col, rs, rr, _ := faxMangled(t, Config{Progress: slog.add, Compressions: []t4.Compression{t4.MH}}, Config{Progress: rlog.add, BadRowsRTN: 1e-9}, pages, linear(), 600,
		func(p *pair) func(bool, []int16) {
			return func(toB bool, buf []int16) {
				// 400 ms of noise in the middle of the second page, once.
				if toB && p.b.state == stRxPage && p.b.trained && p.b.result.Pages == 1 && burst < 20 && rlog.count("retrain RTN") == 0 {
					if p.b.dec != nil && p.b.dec.Stats().Rows > 30 {
						burst++
						noise(r, buf)
					}
				}
			}
		})
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	if rlog.count("retrain RTN") != 1 || slog.count("retrain RTN") != 1 {
		t.Errorf("RTN: receiver %q, sender %q", rlog.lines, slog.lines)
	}
	if rs.Modulation != modem.V17_12000 {
		t.Errorf("after RTN at %v, want V.17 12000", rs.Modulation)
	}
}

// TestSessionECMBurst: the same burst in ECM costs a PPR and the damaged
// frames only.
func TestSessionECMBurst(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var slog progressLog
	pages := threePages(t, t4.Superfine, 110)
	burst := 0
	cfg := Config{ECM: true, Frame64: true}
	send := cfg
	send.Progress = slog.add
	col, rs, rr, _ := faxMangled(t, send, cfg, pages, linear(), 600, func(p *pair) func(bool, []int16) {
		return func(toB bool, buf []int16) {
			if toB && p.b.state == stRxECM && p.b.result.Pages == 1 && burst < 15 && p.b.rxECM.got[20] {
				burst++
				noise(r, buf)
			}
		}
	})
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	if slog.count("block PPR") == 0 {
		t.Errorf("no PPR: %q", slog.lines)
	}
	for _, l := range slog.lines {
		if strings.HasPrefix(l, "block PPR") {
			t.Log(l)
		}
	}
}

// TestSessionCRP: a damaged DCS is answered with CRP and sent again.
func TestSessionCRP(t *testing.T) {
	damaged := 0
	recv := Config{badFrame: func(f Frame) bool {
		if f.FCF.Code() == FCFDCS && damaged == 0 {
			damaged++
			return true
		}
		return false
	}}
	var log progressLog
	pages := threePages(t, t4.Standard, 120)
	col, rs, rr, _ := fax(t, Config{Progress: log.add}, recv, pages, linear(), 600)
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	if damaged != 1 || log.count("negotiated") != 2 {
		t.Errorf("damaged %d, DCS sent %d times, want 1 and 2", damaged, log.count("negotiated"))
	}
}

// TestSessionRNR: a receiver that is not ready answers PPS with RNR; the
// sender asks with RR until it is (T.30 §A.4.5).
func TestSessionRNR(t *testing.T) {
	pages := threePages(t, t4.Standard, 130)
	col, rs, rr, _ := fax(t, Config{ECM: true}, Config{ECM: true, busy: 3}, pages, linear(), 600)
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
}

// TestSessionNSFSubSID: an NSF before DIS is ignored; SUB and SID reach the
// receiver when it offers subaddressing and passwords.
func TestSessionNSFSubSID(t *testing.T) {
	pages := threePages(t, t4.Standard, 140)
	send := Config{SubAddress: "1234", SenderID: "secret"}
	recv := Config{nsf: []byte{0xAD, 0x00, 0x59, 0x12, 0x34}}
	col, rs, rr, _ := fax(t, send, recv, pages, linear(), 600)
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	if rr.SubAddress != "1234" || rr.SenderID != "secret" {
		t.Errorf("SUB %q SID %q", rr.SubAddress, rr.SenderID)
	}
	if rs.RemoteID != "+1 555 0199" || rr.RemoteID != "+1 555 0100" {
		t.Errorf("CSI %q TSI %q", rs.RemoteID, rr.RemoteID)
	}
}

// TestSessionEOM: a change of resolution between pages goes through EOM
// and a new phase B (T.30 §5.3.6.1.4).
func TestSessionEOM(t *testing.T) {
	pages := []*t4.Page{
		testPage(t, 1, 1728, 120, t4.Fine),
		testPage(t, 2, 1728, 60, t4.Standard),
		testPage(t, 3, 1728, 60, t4.Standard),
	}
	for _, ecm := range []bool{false, true} {
		var log progressLog
		col, rs, rr, _ := fax(t, Config{ECM: ecm, Progress: log.add}, Config{ECM: ecm}, pages, linear(), 600)
		if rs.Err != nil || rr.Err != nil {
			t.Fatalf("ECM=%v: sender %v, receiver %v", ecm, rs.Err, rr.Err)
		}
		samePages(t, col.Pages, pages)
		if n := log.count("negotiated"); n != 2 {
			t.Errorf("ECM=%v: %d DCS, want 2 (one per resolution)", ecm, n)
		}
	}
}

// TestSessionWidths: B4 and A3 pages go to a receiver that offers them; a
// page wider than the receiver takes fails the call with DCN.
func TestSessionWidths(t *testing.T) {
	for _, w := range []Width{WidthB4, WidthA3} {
		pages := []*t4.Page{testPage(t, 5, w.Pixels(), 60, t4.Standard)}
		col, rs, rr, _ := fax(t, Config{}, Config{MaxWidth: w}, pages, linear(), 600)
		if rs.Err != nil || rr.Err != nil {
			t.Fatalf("%v: sender %v, receiver %v", w, rs.Err, rr.Err)
		}
		samePages(t, col.Pages, pages)
	}
	pages := []*t4.Page{testPage(t, 6, WidthB4.Pixels(), 60, t4.Standard)}
	_, rs, rr, _ := fax(t, Config{}, Config{}, pages, linear(), 600)
	if !errors.Is(rs.Err, ErrIncompatible) || !errors.Is(rr.Err, ErrDisconnected) {
		t.Errorf("B4 page to an A4 receiver: sender %v, receiver %v", rs.Err, rr.Err)
	}
}

// TestSessionResolutionConvert: a superfine page to a receiver without
// superfine arrives at fine resolution, rows merged in pairs.
func TestSessionResolutionConvert(t *testing.T) {
	p := testPage(t, 7, 1728, 240, t4.Superfine)
	want, err := convertPage(p, t4.Fine)
	if err != nil {
		t.Fatal(err)
	}
	col, rs, rr, _ := fax(t, Config{}, Config{NoSuperfine: true}, []*t4.Page{p}, linear(), 600)
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, []*t4.Page{want})
	if want.Height != 120 || want.Res != t4.Fine {
		t.Errorf("converted to %d rows at %v", want.Height, want.Res)
	}
}

// TestSessionPolling: the caller receives (DTC, with CIG and PWD) from an
// answering sender that offered its document in DIS bit 9.
func TestSessionPolling(t *testing.T) {
	pages := threePages(t, t4.Fine, 150)
	col := &Collector{}
	for _, ecm := range []bool{false, true} {
		col.Pages = nil
		a, err := NewSession(Config{Caller: true, Role: Receiver, Sink: col, ECM: ecm, LocalID: "POLLER", Password: "4321"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewSession(Config{Role: Sender, Source: &Pages{List: pages}, ECM: ecm, LocalID: "POLLED"})
		if err != nil {
			t.Fatal(err)
		}
		p := newPair(a, b, linear())
		if !p.run(600) {
			t.Fatalf("not done: %v %v", a.state, b.state)
		}
		if a.Result().Err != nil || b.Result().Err != nil {
			t.Fatalf("ECM=%v: poller %v, polled %v", ecm, a.Result().Err, b.Result().Err)
		}
		samePages(t, col.Pages, pages)
		if a.Result().RemoteID != "POLLED" || b.Result().RemoteID != "POLLER" || b.Result().Password != "4321" {
			t.Errorf("CSI %q, CIG %q, PWD %q", a.Result().RemoteID, b.Result().RemoteID, b.Result().Password)
		}
	}
}

// deaf is a far end that hears nothing and sends silence after some point.
func runUntil(t *testing.T, a, b *Session, cut int64, seconds float64) *pair {
	t.Helper()
	p := newPair(a, b, linear())
	p.mangle = func(toB bool, buf []int16) {
		if p.samples >= cut {
			clear(buf)
		}
	}
	p.run(seconds)
	return p
}

// TestSessionTimers: the T.30 timers count samples. A sender whose far end
// never answers gives up after T1; one whose receiver vanishes after DIS
// repeats DCS three times, T4 apart; a receiver whose sender vanishes after
// CFR gives up after T2.
func TestSessionTimers(t *testing.T) {
	pages := threePages(t, t4.Standard, 160)
	t.Run("T1", func(t *testing.T) {
		a, _ := NewSession(Config{Caller: true, Role: Sender, Source: &Pages{List: pages}})
		b, _ := NewSession(Config{Role: Receiver, Sink: &Collector{}})
		runUntil(t, a, b, 0, 60)
		if !a.Done() || !errors.Is(a.Result().Err, ErrTimeout) {
			t.Fatalf("sender: done %v, %v", a.Done(), a.Result().Err)
		}
		if at := a.Result().Ended; at < T1 || at > T1+dsp.SampleRate {
			t.Errorf("gave up at %.2f s, want T1 = 35 s", float64(at)/8000)
		}
	})
	t.Run("T4", func(t *testing.T) {
		var log progressLog
		a, _ := NewSession(Config{Caller: true, Role: Sender, Source: &Pages{List: pages}, Progress: log.add})
		b, _ := NewSession(Config{Role: Receiver, Sink: &Collector{}})
		var cut int64
		p := newPair(a, b, linear())
		p.mangle = func(toB bool, buf []int16) {
			if cut == 0 && a.state == stSending && a.result.Modulation != 0 {
				cut = p.samples
			}
			if cut != 0 && toB {
				clear(buf) // the receiver never hears DCS
			}
		}
		p.run(120)
		if !a.Done() || !errors.Is(a.Result().Err, ErrTimeout) {
			t.Fatalf("sender: done %v, %v", a.Done(), a.Result().Err)
		}
		if n := log.count("negotiated"); n != maxRepeats {
			t.Errorf("DCS sent %d times, want %d", n, maxRepeats)
		}
	})
	t.Run("T2", func(t *testing.T) {
		a, _ := NewSession(Config{Caller: true, Role: Sender, Source: &Pages{List: pages}})
		b, _ := NewSession(Config{Role: Receiver, Sink: &Collector{}})
		var cut, end int64
		p := newPair(a, b, linear())
		p.mangle = func(toB bool, buf []int16) {
			if cut == 0 && b.state == stRxPage {
				cut = p.samples
			}
			if cut != 0 && toB {
				clear(buf)
			}
			if end == 0 && b.Done() {
				end = p.samples
			}
		}
		p.run(120)
		if !b.Done() || !errors.Is(b.Result().Err, ErrTimeout) {
			t.Fatalf("receiver: done %v, %v", b.Done(), b.Result().Err)
		}
		if d := end - cut; d < T2 || d > T2+2*dsp.SampleRate {
			t.Errorf("receiver gave up %.2f s after CFR, want T2 = 6 s (and DCN)", float64(d)/8000)
		}
	})
}

// TestSessionDCN: a receiver that disconnects ends the sender with
// ErrDisconnected.
func TestSessionDCN(t *testing.T) {
	pages := threePages(t, t4.Standard, 170)
	a, _ := NewSession(Config{Caller: true, Role: Sender, Source: &Pages{List: pages}})
	b, _ := NewSession(Config{Role: Receiver, Sink: failingSink{}})
	p := newPair(a, b, linear())
	p.run(300)
	if !errors.Is(a.Result().Err, ErrDisconnected) || b.Result().Err == nil {
		t.Errorf("sender %v, receiver %v", a.Result().Err, b.Result().Err)
	}
}

type failingSink struct{}

func (failingSink) PutPage(*t4.Page, PageInfo) error { return errors.New("disk full") }

// TestSessionCTC: when every frame at 14400 is lost, the sender gives up on
// the rate after the fourth PPR and continues to correct one rate lower
// (CTC/CTR, T.30 §A.4.2).
func TestSessionCTC(t *testing.T) {
	pages := threePages(t, t4.Standard, 180)
	var pp *pair
	recv := Config{ECM: true, dropECMFrame: func() bool {
		return pp.b.pageMod.BitRate() == 14400 && pp.b.result.Pages == 0
	}}
	var log progressLog
	col, rs, rr, _ := faxMangled(t, Config{ECM: true, Progress: log.add}, recv, pages, linear(), 900, func(p *pair) func(bool, []int16) {
		pp = p
		return nil
	})
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	if n := log.count("block PPR"); n != pprBeforeCTC {
		t.Errorf("%d PPR before CTC, want %d: %q", n, pprBeforeCTC, log.lines)
	}
	if log.count("retrain CTC: V.17 12000") != 1 || rs.Modulation != modem.V17_12000 || rr.Modulation != modem.V17_12000 {
		t.Errorf("sender at %v, receiver at %v: %q", rs.Modulation, rr.Modulation, log.lines)
	}
}

// TestSessionLostResponses: a response the sender does not hear (CFR, MCF,
// or the MCF to a PPS) makes it repeat its command; the receiver, already
// waiting for the next page or block, answers the repeat.
func TestSessionLostResponses(t *testing.T) {
	for _, tc := range []struct {
		name string
		ecm  bool
		lose FCF
	}{
		{"CFR", false, FCFCFR},
		{"MCF", false, FCFMCF},
		{"CFR/ECM", true, FCFCFR},
		{"MCF/ECM", true, FCFMCF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lost := 0
			send := Config{ECM: tc.ecm, badFrame: func(f Frame) bool {
				if f.FCF.Code() == tc.lose && lost == 0 {
					lost++
					return true
				}
				return false
			}}
			pages := threePages(t, t4.Standard, 190)
			col, rs, rr, _ := fax(t, send, Config{ECM: tc.ecm}, pages, linear(), 600)
			if rs.Err != nil || rr.Err != nil {
				t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
			}
			samePages(t, col.Pages, pages)
			if lost != 1 {
				t.Errorf("%v never lost", tc.lose)
			}
		})
	}
}

// TestSessionPageStall: a receiver whose demodulator keeps delivering noise
// after the page (its RTC lost, no carrier loss reported) ends the page once
// no good row has come for pageStall, and answers the post-page command.
func TestSessionPageStall(t *testing.T) {
	s, err := NewSession(Config{Role: Receiver, Sink: &Collector{}})
	if err != nil {
		t.Fatal(err)
	}
	s.abortOps()
	s.result.Compression = t4.MH
	s.dcs = DCS{Modulation: modem.V17_14400}
	s.pageMod = modem.V17_14400Short
	s.enter(stRxPage)
	s.handle(evTrained)
	// Two good white rows, then noise with no EOL in it.
	page, _ := t4.NewPage(1728, 2, t4.Standard)
	coded, err := t4.Encode(page, t4.EncodeOptions{Compression: t4.MH, LSBFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	s.rxData(coded)
	buf := make([]int16, 160)
	r := rand.New(rand.NewPCG(9, 9))
	junk := make([]byte, 36)
	for i := 0; i < 5*8000/160 && s.state == stRxPage; i++ {
		for k := range junk {
			junk[k] = byte(r.UintN(256)) | 0x11 // never 11 zeros in a row: no EOL
		}
		s.rxData(junk)
		s.Receive(buf)
	}
	if s.state != stRxPostCmd {
		t.Fatalf("state %v after 5 s of noise data, want %v", s.state, stRxPostCmd)
	}
	if got := s.now; got < pageStall || got > pageStall+2*160 {
		t.Errorf("page ended at %d samples, want about %d", got, pageStall)
	}
	if s.dec == nil || s.dec.Stats().Rows < 2 {
		t.Errorf("the page's rows were lost")
	}
}

// TestMinScanTime: without ECM, rows are padded to the receiver's minimum
// scan line time at the negotiated rate (T.4 §3.2, T.30 Table 2 bits
// 21-23), halved at fine resolution when the DIS says so; ECM never pads.
func TestMinScanTime(t *testing.T) {
	white, _ := t4.NewPage(1728, 10, t4.Standard)
	fine, _ := t4.NewPage(1728, 10, t4.Fine)
	tests := []struct {
		name    string
		dis     DIS
		dcs     DCS
		page    *t4.Page
		minBits int // per row
	}{
		{"0 ms", DIS{ScanTime: 0}, DCS{Modulation: modem.V29_9600}, white, 0},
		{"20 ms at 9600", DIS{ScanTime: 20}, DCS{Modulation: modem.V29_9600}, white, 192},
		{"40 ms at 14400", DIS{ScanTime: 40}, DCS{Modulation: modem.V17_14400}, white, 576},
		{"20 ms, half at fine", DIS{ScanTime: 20, ScanTimeHalfFine: true}, DCS{Modulation: modem.V29_9600, Fine: true}, fine, 96},
		{"ECM", DIS{ScanTime: 40}, DCS{Modulation: modem.V17_14400, ECM: true}, white, 0},
	}
	for _, tt := range tests {
		s := &Session{remoteDIS: tt.dis, dcs: tt.dcs, page: tt.page}
		if err := s.codePage(); err != nil {
			t.Fatal(err)
		}
		// A white MH row is about 30 bits (EOL, 1728 white); RTC adds 72.
		min := tt.page.Height * tt.minBits / 8
		max := min + tt.page.Height*5 + 20
		if tt.minBits == 0 {
			max = tt.page.Height*5 + 20
		}
		if len(s.coded) < min || len(s.coded) > max {
			t.Errorf("%s: %d octets coded, want %d to %d", tt.name, len(s.coded), min, max)
		}
	}
}
