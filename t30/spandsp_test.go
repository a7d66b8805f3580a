package t30

import (
	"fmt"
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
func TestSpandspT30Send(t *testing.T) { spandspT30(t, true) }

// TestSpandspT30Receive: spandsp's terminal calls us and sends 3 pages,
// ECM on and off, at each modem's top rate.
func TestSpandspT30Receive(t *testing.T) { spandspT30(t, false) }

// spandspT30 runs a 3-page call with spandsp's terminal for each modem,
// ECM on and off; we call and send when weSend, else spandsp does.
func spandspT30(t *testing.T, weSend bool) {
	for _, m := range spandspModems {
		for _, ecm := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ECM=%v", m.name, ecm), func(t *testing.T) {
				t.Parallel()
				spec := spandsp.TerminalSpec{ECM: ecm, Modems: m.mask, Ident: "SPANDSP"}
				cfg := Config{LocalID: "SOFTFAX", ECM: ecm, Modulations: m.mods, Logger: testLogger(t)}
				col := &Collector{}
				var pages []*t4.Page
				if weSend {
					pages = threePages(t, t4.Fine, 70)
					spec.RxTIFF = filepath.Join(t.TempDir(), "rx.tif")
					cfg.Caller, cfg.Role, cfg.Source = true, Sender, &Pages{List: pages}
				} else {
					pages = threePages(t, t4.Fine, 80)
					spec.Calling, spec.TxPages = true, pages
					cfg.Role, cfg.Sink = Receiver, col
				}
				term := spandsp.StartTerminal(t, spec)
				s, err := NewSession(cfg)
				if err != nil {
					t.Fatal(err)
				}
				r, n := spandspCall(t, s, term, 400)
				res := s.Result()
				if res.Err != nil || r.Code != 0 {
					t.Fatalf("ours: %v; spandsp: %d %s", res.Err, r.Code, r.Text)
				}
				theirPages, got := r.PagesTx, col.Pages
				if weSend {
					theirPages, got = r.PagesRx, spandsp.ReadTIFF(t, spec.RxTIFF)
				}
				if res.RemoteID != "SPANDSP" || res.Modulation.BitRate() != m.rate || res.ECM != ecm || theirPages != 3 {
					t.Errorf("ours %+v; spandsp %+v", res, r)
				}
				samePages(t, got, pages)
				t.Logf("%v %v ECM=%v, %.1f s of line time", res.Modulation, res.Compression, res.ECM, float64(n)/8000)
			})
		}
	}
}
