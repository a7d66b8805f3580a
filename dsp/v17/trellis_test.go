package v17

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTrellisEncoderInvertible checks that each state has exactly four
// successors and four predecessors, one per input, as an 8-state rate-2/3
// code must.
func TestTrellisEncoderStructure(t *testing.T) {
	var into [8]int
	for s := 0; s < 8; s++ {
		seen := map[uint8]bool{}
		for y := 0; y < 4; y++ {
			n := trellisNext[s][y]
			if seen[n] {
				t.Fatalf("state %d: two inputs lead to %d", s, n)
			}
			seen[n] = true
			into[n]++
		}
	}
	for n, c := range into {
		if c != 4 {
			t.Errorf("state %d has %d predecessors, want 4", n, c)
		}
	}
}

// encodeSymbols runs random data through the trellis encoder and returns
// the data symbols and the transmitted points.
func encodeSymbols(rng *rand.Rand, p *rateParams, n int) ([]uint8, []point) {
	var enc trellisEncoder
	data := make([]uint8, n)
	pts := make([]point, n)
	for i := range data {
		data[i] = uint8(rng.IntN(1 << p.bitsPerSymbol))
		pts[i] = p.points[enc.encode(data[i])]
	}
	return data, pts
}

// decodeSymbols runs points through the Viterbi decoder and the
// differential decoder; out[i] is the decoded data of symbol i.
func decodeSymbols(p *rateParams, pts []point) []uint8 {
	var v viterbi
	var idx [8]uint8
	var dist [8]float64
	var prev uint8
	var out []uint8
	for _, z := range pts {
		p.grid.nearest(p.padded, z.re, z.im, 0xff, &idx, &dist)
		for _, l := range v.step(&idx, &dist) {
			y := l >> 1 & 3
			out = append(out, (l>>1)&^3|diffDecode(y, prev))
			prev = y
		}
	}
	return out
}

func TestTrellisRoundTrip(t *testing.T) {
	for _, rate := range []int{Rate7200, Rate9600, Rate12000, Rate14400} {
		for _, tc := range []struct {
			name  string
			noise float64 // standard deviation per dimension
			turn  int     // quarter turns applied to the received points
		}{
			{"clean", 0, 0},
			{"noisy", 0.25, 0},
			{"turned90", 0.1, 1},
			{"turned180", 0.1, 2},
			{"turned270", 0.1, 3},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := params[rate]
				rng := rand.New(rand.NewPCG(1, uint64(rate)))
				data, pts := encodeSymbols(rng, p, 5000)
				for i := range pts {
					z := pts[i]
					for k := 0; k < tc.turn; k++ {
						z = point{-z.im, z.re}
					}
					pts[i] = point{z.re + tc.noise*rng.NormFloat64(), z.im + tc.noise*rng.NormFloat64()}
				}
				got := decodeSymbols(p, pts)
				if want := (len(data) - tracebackDepth) / tracebackChunk * tracebackChunk; len(got) != want {
					t.Fatalf("decoded %d symbols from %d, want %d", len(got), len(data), want)
				}
				errs := 0
				// The first symbol's differential decoding depends on the
				// unknown previous state.
				for i := 1; i < len(got); i++ {
					if got[i] != data[i] {
						errs++
					}
				}
				if errs != 0 {
					t.Errorf("rate %d: %d symbol errors in %d", rate, errs, len(got))
				}
			})
		}
	}
}

// TestTrellisCodingGain shows the Viterbi decoder beating symbol-by-symbol
// decisions at 14400 bit/s on a noisy channel.
func TestTrellisCodingGain(t *testing.T) {
	p := params[Rate14400]
	rng := rand.New(rand.NewPCG(7, 7))
	data, pts := encodeSymbols(rng, p, 20000)
	const sigma = 0.42
	hardErrs := 0
	for i := range pts {
		sent := pts[i]
		pts[i].re += sigma * rng.NormFloat64()
		pts[i].im += sigma * rng.NormFloat64()
		best, bi := 1e9, 0
		for j, q := range p.points {
			dx, dy := pts[i].re-q.re, pts[i].im-q.im
			if d := dx*dx + dy*dy; d < best {
				best, bi = d, j
			}
		}
		if p.points[bi] != sent {
			hardErrs++
		}
	}
	got := decodeSymbols(p, pts)
	softErrs := 0
	for i := 1; i < len(got); i++ {
		if got[i] != data[i] {
			softErrs++
		}
	}
	t.Logf("uncoded-point errors %d, trellis-decoded symbol errors %d", hardErrs, softErrs)
	if softErrs*4 > hardErrs {
		t.Errorf("Viterbi decoding gives %d errors, nearest-point slicing %d: no coding gain", softErrs, hardErrs)
	}
}

func TestConstellationDistinct(t *testing.T) {
	for rate, p := range params {
		if len(p.points) != 1<<(p.bitsPerSymbol+1) {
			t.Errorf("rate %d: %d points, want %d", rate, len(p.points), 1<<(p.bitsPerSymbol+1))
		}
		seen := map[point]int{}
		for i, q := range p.points {
			if j, dup := seen[q]; dup {
				t.Errorf("rate %d: labels %d and %d share point %v", rate, i, j, q)
			}
			seen[q] = i
		}
	}
}

func BenchmarkViterbiStep(b *testing.B) {
	p := params[Rate14400]
	rng := rand.New(rand.NewPCG(1, 1))
	_, pts := encodeSymbols(rng, p, 1024)
	var v viterbi
	var idx [8]uint8
	var dist [8]float64
	i := 0
	for b.Loop() {
		z := pts[i&1023]
		i++
		p.grid.nearest(p.padded, z.re+0.1, z.im-0.1, 0xff, &idx, &dist)
		v.step(&idx, &dist)
	}
}

func TestMinimumDistances(t *testing.T) {
	// Figures 3-6/V.17: each step down in rate doubles the squared spacing.
	for rate, want := range map[int]float64{Rate7200: 16, Rate9600: 8, Rate12000: 4, Rate14400: 2} {
		if got := params[rate].minDist2; got != want {
			t.Errorf("%d: squared minimum distance %v, want %v", rate, got, want)
		}
	}
}

// TestViterbiUnrolled checks the written-out add-compare-select of
// viterbi.step against the trellis tables, on random branch metrics.
func TestViterbiUnrolled(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var v viterbi
	var metric [8]float64
	for i := range 500 {
		var idx [8]uint8
		var dist [8]float64
		for s := range dist {
			idx[s] = uint8(rng.IntN(128))
			dist[s] = rng.Float64() * 10
		}
		var want [8]float64
		var from, lab [8]uint8
		for n, brs := range trellisBranches {
			want[n] = math.Inf(1)
			for _, br := range brs {
				if m := metric[br.from] + dist[br.set]; m < want[n] {
					want[n], from[n], lab[n] = m, br.from, idx[br.set]
				}
			}
		}
		lo := slices.Min(want[:])
		for n := range want {
			metric[n] = want[n] - lo
		}
		v.step(&idx, &dist)
		got := v.metric
		low := slices.Min(got[:])
		for n := range metric {
			// step normalises only at a traceback, and acs4 may clear
			// the two lowest bits of a metric.
			if math.Abs(got[n]-low-metric[n]) > 1e-9 {
				t.Fatalf("step %d: metrics %v, want %v", i, v.metric, metric)
			}
		}
		if v.from[v.pos] != from || v.label[v.pos] != lab {
			t.Fatalf("step %d: from %v labels %v, want %v %v",
				i, v.from[v.pos], v.label[v.pos], from, lab)
		}
		for n := range metric {
			metric[n] = got[n] - low
		}
	}
}

// TestSubsetLattice checks the nearest point of each subset, found by
// lattice rounding with the grid for what it misses, against a search of
// the whole constellation, in and around every constellation.
func TestSubsetLattice(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, rate := range allRates {
		p := params[rate]
		if p.lattice == nil {
			t.Fatalf("%d: subsets are not lattice cosets", rate)
		}
		byLattice := 0
		for range 20000 {
			re, im := rng.Float64()*19-9.5, rng.Float64()*19-9.5
			var idx [8]uint8
			var dist [8]float64
			missed := p.lattice.nearest(p.padded, re, im, &idx, &dist)
			p.nearest(re, im, &idx, &dist)
			for set := range 8 {
				if missed>>set&1 == 0 {
					byLattice++
				}
				best := math.Inf(1)
				for l := set; l < len(p.points); l += 8 {
					q := p.points[l]
					best = min(best, (re-q.re)*(re-q.re)+(im-q.im)*(im-q.im))
				}
				q := p.points[idx[set]]
				if int(idx[set])&7 != set || math.Abs(dist[set]-best) > 1e-9 ||
					math.Abs(dist[set]-((re-q.re)*(re-q.re)+(im-q.im)*(im-q.im))) > 1e-9 {
					t.Fatalf("%d: (%.3f, %.3f) subset %d: label %d at %v, want distance %v", rate, re, im, set, idx[set], dist[set], best)
				}
			}
		}
		if byLattice < 20000 {
			t.Errorf("%d: the lattice answered only %d of 160000 lookups", rate, byLattice)
		}
	}
}
