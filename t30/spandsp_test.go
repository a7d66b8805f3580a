package t30

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/softfax/softfax/internal/spandsp"
	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

// spandspCall runs our session against spandsp's T.30 terminal, both on the
// sample clock, until both have ended.
func spandspCall(t *testing.T, ours *Session, term *spandsp.Terminal, seconds float64) (spandsp.TerminalResult, int64) {
	t.Helper()
	tx := make([]int16, spandsp.TermBlock)
	rx := make([]int16, spandsp.TermBlock)
	var samples int64
	tail := 0
	for samples < int64(seconds*8000) {
		ours.Transmit(tx)
		if err := term.Exchange(tx, rx); err != nil {
			t.Fatal(err)
		}
		ours.Receive(rx)
		samples += spandsp.TermBlock
		if ours.Done() && term.Done() {
			if tail++; tail > 25 {
				break
			}
		}
	}
	r, err := term.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !ours.Done() || r.Code != 0 {
		t.Logf("spandsp frames:\n%s", r.Log)
	}
	return r, samples
}

var spandspModems = []struct {
	name string
	mask int
	mods []modem.Modulation
	rate int
}{
	{"V.17", spandsp.ModemsV17 | spandsp.ModemsV29 | spandsp.ModemsV27ter, nil, 14400},
	{"V.29", spandsp.ModemsV29 | spandsp.ModemsV27ter, []modem.Modulation{modem.V29_9600, modem.V29_7200, modem.V27ter4800, modem.V27ter2400}, 9600},
	{"V.27ter", spandsp.ModemsV27ter, []modem.Modulation{modem.V27ter4800, modem.V27ter2400}, 4800},
}

// TestSpandspT30Send: we call spandsp's terminal and send it 3 pages, ECM
// on and off, at each modem's top rate; the pages it writes are ours.
func TestSpandspT30Send(t *testing.T) {
	for _, m := range spandspModems {
		for _, ecm := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ECM=%v", m.name, ecm), func(t *testing.T) {
				t.Parallel()
				pages := threePages(t, t4.Fine, 70)
				rxFile := filepath.Join(t.TempDir(), "rx.tif")
				term := spandsp.StartTerminal(t, spandsp.TerminalSpec{RxTIFF: rxFile, ECM: ecm, Modems: m.mask, Ident: "SPANDSP"})
				s, err := NewSession(Config{Caller: true, Role: Sender, LocalID: "SOFTFAX", ECM: ecm, Modulations: m.mods,
					Source: &Pages{List: pages}, Logger: testLogger(t)})
				if err != nil {
					t.Fatal(err)
				}
				r, n := spandspCall(t, s, term, 400)
				res := s.Result()
				if res.Err != nil || r.Code != 0 {
					t.Fatalf("ours: %v; spandsp: %d %s", res.Err, r.Code, r.Text)
				}
				if res.RemoteID != "SPANDSP" || res.Modulation.BitRate() != m.rate || res.ECM != ecm || r.PagesRx != 3 {
					t.Errorf("ours %+v; spandsp %+v", res, r)
				}
				got := readTIFF(t, rxFile)
				samePages(t, got, pages)
				t.Logf("%v %v ECM=%v, %.1f s of line time", res.Modulation, res.Compression, res.ECM, float64(n)/8000)
			})
		}
	}
}

// TestSpandspT30Receive: spandsp's terminal calls us and sends 3 pages,
// ECM on and off, at each modem's top rate.
func TestSpandspT30Receive(t *testing.T) {
	for _, m := range spandspModems {
		for _, ecm := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ECM=%v", m.name, ecm), func(t *testing.T) {
				t.Parallel()
				pages := threePages(t, t4.Fine, 80)
				txFile := filepath.Join(t.TempDir(), "tx.tif")
				var buf bytes.Buffer
				if err := t4.WriteTIFF(&buf, pages, t4.TIFFOptions{Compression: t4.MH}); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(txFile, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				term := spandsp.StartTerminal(t, spandsp.TerminalSpec{Calling: true, TxTIFF: txFile, ECM: ecm, Modems: m.mask, Ident: "SPANDSP"})
				col := &Collector{}
				s, err := NewSession(Config{Role: Receiver, LocalID: "SOFTFAX", ECM: ecm, Modulations: m.mods, Sink: col, Logger: testLogger(t)})
				if err != nil {
					t.Fatal(err)
				}
				r, n := spandspCall(t, s, term, 400)
				res := s.Result()
				if res.Err != nil || r.Code != 0 {
					t.Fatalf("ours: %v; spandsp: %d %s", res.Err, r.Code, r.Text)
				}
				if res.RemoteID != "SPANDSP" || res.Modulation.BitRate() != m.rate || res.ECM != ecm || r.PagesTx != 3 {
					t.Errorf("ours %+v; spandsp %+v", res, r)
				}
				samePages(t, col.Pages, pages)
				t.Logf("%v %v ECM=%v, %.1f s of line time", res.Modulation, res.Compression, res.ECM, float64(n)/8000)
			})
		}
	}
}

func readTIFF(t *testing.T, name string) []*t4.Page {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := t4.ReadTIFF(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	pages := make([]*t4.Page, len(tp))
	for i := range tp {
		pages[i] = tp[i].Page
	}
	return pages
}
