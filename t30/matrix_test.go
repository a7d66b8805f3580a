package t30

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

var short = flag.Bool("t30.short", false, "run a representative subset of the session matrix")

// threePages returns a small but real 3-page document at res.
func threePages(t testing.TB, res t4.Resolution, seed uint64) []*t4.Page {
	h := 60
	switch res {
	case t4.Fine:
		h = 120
	case t4.Superfine:
		h = 240
	}
	return []*t4.Page{
		testPage(t, seed, 1728, h, res),
		testPage(t, seed+1, 1728, h, res),
		testPage(t, seed+2, 1728, h, res),
	}
}

// TestSessionMatrix: every modem and rate x ECM on/off x MH/MR/MMR x
// resolution, a 3-page fax arrives identical. The whole matrix takes a few
// seconds; -t30.short (or -short) runs a representative subset.
func TestSessionMatrix(t *testing.T) {
	mods := []modem.Modulation{modem.V17_14400, modem.V17_12000, modem.V17_9600, modem.V17_7200,
		modem.V29_9600, modem.V29_7200, modem.V27ter4800, modem.V27ter2400}
	comps := []t4.Compression{t4.MH, t4.MR, t4.MMR}
	resols := []t4.Resolution{t4.Standard, t4.Fine, t4.Superfine}
	i := 0
	for _, m := range mods {
		for _, ecm := range []bool{false, true} {
			for _, c := range comps {
				if c == t4.MMR && !ecm {
					continue // T.30: MMR only with ECM
				}
				for _, res := range resols {
					i++
					if (*short || testing.Short()) && i%7 != 0 && !(m == modem.V17_14400 && res == t4.Fine) {
						continue
					}
					name := fmt.Sprintf("%v/ECM=%v/%v/%v", m, ecm, c, res.Y)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						cfg := Config{Modulations: []modem.Modulation{m}, ECM: ecm, Compressions: []t4.Compression{c}}
						pages := threePages(t, res, uint64(i))
						col, rs, rr, _ := fax(t, cfg, cfg, pages, linear(), 600)
						if rs.Err != nil || rr.Err != nil {
							t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
						}
						if rs.Modulation != m || rr.Modulation != m || rs.ECM != ecm || rr.Compression != c {
							t.Errorf("negotiated %v ECM=%v %v, want %v ECM=%v %v", rr.Modulation, rr.ECM, rr.Compression, m, ecm, c)
						}
						if rs.Pages != 3 || rr.Pages != 3 {
							t.Errorf("pages: sender %d, receiver %d", rs.Pages, rr.Pages)
						}
						samePages(t, col.Pages, pages)
					})
				}
			}
		}
	}
}

// TestSessionMulaw25dB: a fax over a mu-law line with noise 25 dB below the
// signal.
func TestSessionMulaw25dB(t *testing.T) {
	for _, ecm := range []bool{false, true} {
		t.Run(fmt.Sprintf("ECM=%v", ecm), func(t *testing.T) {
			t.Parallel()
			pages := threePages(t, t4.Fine, 40)
			cfg := Config{ECM: ecm}
			// Without ECM a bit error damages rows; the receiver asks for
			// any damaged page again (RTN), so that the pages still arrive
			// identical, one rate lower if need be.
			recv := Config{ECM: ecm, BadRowsRTN: 1e-9}
			col, rs, rr, p := fax(t, cfg, recv, pages, mulaw25dB(), 600)
			if rs.Err != nil || rr.Err != nil {
				t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
			}
			samePages(t, col.Pages, pages)
			t.Logf("%v, %.1f s", rr.Modulation, float64(p.samples)/8000)
		})
	}
}

// TestSessionECMLoss: with 1% of ECM frames lost, the fax completes by
// retransmission of just those frames.
func TestSessionECMLoss(t *testing.T) {
	pages := threePages(t, t4.Superfine, 50)
	r := rand.New(rand.NewPCG(5, 5))
	dropped := 0
	recv := Config{ECM: true, Frame64: true, dropECMFrame: func() bool {
		if r.Float64() < 0.01 {
			dropped++
			return true
		}
		return false
	}}
	var blocks []string
	send := Config{ECM: true, Frame64: true, Progress: func(p Progress) {
		if p.Kind == ProgressBlock {
			blocks = append(blocks, p.Detail)
		}
	}}
	col, rs, rr, _ := fax(t, send, recv, pages, linear(), 600)
	if rs.Err != nil || rr.Err != nil {
		t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
	}
	samePages(t, col.Pages, pages)
	if dropped == 0 {
		t.Fatal("no frame dropped: the test proves nothing")
	}
	ppr := 0
	for _, b := range blocks {
		if len(b) > 4 && b[:4] == "PPR:" {
			ppr++
		}
	}
	if ppr == 0 {
		t.Errorf("%d frames dropped but no PPR: %q", dropped, blocks)
	}
	t.Logf("%d frames dropped, %d PPR, %q", dropped, ppr, blocks)
}

// TestSessionVoIPPaths: faxes over the paths a VoIP call gives — A-law and
// mu-law, loss, noise, a far clock off by 100-200 ppm, a carrier frequency
// offset — arrive identical, ECM on and off.
func TestSessionVoIPPaths(t *testing.T) {
	paths := []struct {
		name string
		imp  linesim.Impairments
	}{
		{"alaw -10dB +100ppm", linesim.Impairments{Law: g711.Alaw, GainDB: -10, NoiseDBm0: linesim.Noise(-50), ClockPPM: 100, Seed: 4}},
		{"ulaw -6dB 3Hz", linesim.Impairments{Law: g711.Ulaw, GainDB: -6, NoiseDBm0: linesim.Noise(-45), FreqOffsetHz: 3, Seed: 5}},
		{"ulaw -20dB -200ppm", linesim.Impairments{Law: g711.Ulaw, GainDB: -20, NoiseDBm0: linesim.Noise(-55), ClockPPM: -200, Seed: 6}},
	}
	for _, path := range paths {
		for _, ecm := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ECM=%v", path.name, ecm), func(t *testing.T) {
				t.Parallel()
				pages := threePages(t, t4.Fine, 200)
				col, rs, rr, _ := fax(t, Config{ECM: ecm}, Config{ECM: ecm, BadRowsRTN: 1e-9}, pages, path.imp, 900)
				if rs.Err != nil || rr.Err != nil {
					t.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
				}
				samePages(t, col.Pages, pages)
			})
		}
	}
}

// TestSessionNoisyLines: from a clean line to one where V.21 barely gets
// through, a session always ends (both ends, within bounded line time),
// never stores a page twice or a page that differs, and succeeds where the
// signal is at least 20 dB above the noise.
func TestSessionNoisyLines(t *testing.T) {
	for _, n := range []float64{-38, -33, -30, -24} {
		for _, ecm := range []bool{false, true} {
			t.Run(fmt.Sprintf("noise%v/ECM=%v", n, ecm), func(t *testing.T) {
				t.Parallel()
				imp := linesim.Impairments{Law: g711.Ulaw, GainDB: -3, NoiseDBm0: linesim.Noise(n), Seed: 11}
				pages := threePages(t, t4.Fine, 200)
				col := &Collector{}
				a, err := NewSession(Config{Caller: true, Role: Sender, ECM: ecm, Source: &Pages{List: pages}})
				if err != nil {
					t.Fatal(err)
				}
				b, err := NewSession(Config{Role: Receiver, ECM: ecm, Sink: col, BadRowsRTN: 1e-9})
				if err != nil {
					t.Fatal(err)
				}
				p := newPair(a, b, imp)
				if !p.run(600) {
					t.Fatalf("not done after 600 s: sender %v, receiver %v", a.state, b.state)
				}
				rs, rr := a.Result(), b.Result()
				t.Logf("sender %v (%d pages), receiver %v (%d pages), %v, %.0f s", rs.Err, rs.Pages, rr.Err, len(col.Pages), rs.Modulation, float64(p.samples)/8000)
				if len(col.Pages) > len(pages) || len(col.Pages) < rs.Pages {
					t.Errorf("receiver stored %d pages, sender had %d confirmed of %d", len(col.Pages), rs.Pages, len(pages))
				}
				samePages(t, col.Pages, pages[:len(col.Pages)])
				if n <= -33 && !ecm && (rs.Err != nil || rr.Err != nil) {
					t.Errorf("failed at %v dBm0 noise (V.17 about 20 dB above it)", n)
				}
			})
		}
	}
}
