package v17

import (
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/softfax/softfax/dsp/internal/qam"
)

// Rates that V.17 defines, in bit/s.
const (
	Rate7200  = 7200
	Rate9600  = 9600
	Rate12000 = 12000
	Rate14400 = 14400
)

// BaudRate is the V.17 modulation rate in symbols per second.
const BaudRate = 2400

// CarrierHz is the V.17 carrier frequency.
const CarrierHz = 1800

type point struct{ re, im float64 }

// A signal element's label is the binary number Q6 Q5 Q4 Q3 Y2 Y1 Y0 (as
// many Q bits as the rate carries), Y0 being the least significant bit:
// the labels written next to the points of the V.17 signal space diagrams,
// which are those of Figures 2-1 to 2-4/V.32bis.
//
// The constellations are invariant under 90° rotation: turning a point by
// -90° adds one (mod 4) to Y2Y1 and inverts Y0, leaving the Q bits alone.
// So each figure is determined by the points labelled Y2Y1 = 00, listed
// here per Q value as {Y0 = 0, Y0 = 1}; buildConstellation rotates them
// into the full table. Coordinates are in the figures' units.
var (
	base14400 = [16][2]point{
		{{-8, -3}, {9, 2}}, {{-8, 1}, {9, -2}}, {{-4, -3}, {5, 2}}, {{-4, 1}, {5, -2}},
		{{4, -3}, {-3, 2}}, {{4, 1}, {-3, -2}}, {{0, -3}, {1, 2}}, {{0, 1}, {1, -2}},
		{{8, -3}, {-7, 2}}, {{8, 1}, {-7, -2}}, {{-4, -7}, {5, 6}}, {{-4, 5}, {5, -6}},
		{{4, -7}, {-3, 6}}, {{4, 5}, {-3, -6}}, {{0, -7}, {1, 6}}, {{0, 5}, {1, -6}},
	}
	base12000 = [8][2]point{
		{{7, 1}, {-5, -1}}, {{3, -3}, {-1, 3}}, {{7, -7}, {-5, 7}}, {{-1, -7}, {3, 7}},
		{{3, 5}, {-1, -5}}, {{-1, 1}, {3, -1}}, {{-5, 5}, {7, -5}}, {{-5, -3}, {7, 3}},
	}
	base9600 = [4][2]point{
		{{-8, 2}, {-6, -4}}, {{0, 2}, {-6, 4}}, {{0, -6}, {2, -4}}, {{8, 2}, {2, 4}},
	}
	base7200 = [2][2]point{
		{{6, -6}, {-2, 6}}, {{-2, 2}, {6, -2}},
	}
)

// The four training points of the synchronizing signals (V.17, segments
// 1–3). Each is the previous one turned by +90°: A, B = jA, C = -A, D = -jA.
var trainingPoints = [4]point{{-6, -2}, {2, -6}, {6, 2}, {-2, 6}}

const (
	pointA = 0
	pointB = 1
	pointC = 2
	pointD = 3
)

// buildConstellation expands base points into the table indexed by label.
func buildConstellation(base [][2]point) []point {
	c := make([]point, len(base)*8)
	for q, pair := range base {
		for y0 := 0; y0 < 2; y0++ {
			p := pair[y0]
			for y21 := 0; y21 < 4; y21++ {
				c[q<<3|y21<<1|(y0^(y21&1))] = p
				p = point{p.im, -p.re} // turn by -90°
			}
		}
	}
	return c
}

// rateParams describes one data rate.
type rateParams struct {
	bitsPerSymbol int
	points        []point     // indexed by label
	padded        *[128]point // points, padded for lookups without bounds checks
	grid          *subsetGrid
	lattice       *subsetLattice // nil if the subsets are not lattice cosets
	// txWaveforms returns the transmitter's modulator tables, made on
	// first use.
	txWaveforms func() *qam.Waveforms
	minDist2    float64 // squared minimum distance between points
}

// params holds the per-rate tables, built once at package initialisation and
// read-only afterwards.
var params = func() map[int]*rateParams {
	m := make(map[int]*rateParams, 4)
	add := func(rate, bps int, base [][2]point) {
		pts := buildConstellation(base)
		padded := new([128]point)
		copy(padded[:], pts)
		d := math.Inf(1)
		for i, a := range pts {
			for _, b := range pts[i+1:] {
				d = min(d, (a.re-b.re)*(a.re-b.re)+(a.im-b.im)*(a.im-b.im))
			}
		}
		m[rate] = &rateParams{bitsPerSymbol: bps, points: pts, padded: padded, grid: newSubsetGrid(pts), lattice: newSubsetLattice(pts), minDist2: d,
			txWaveforms: sync.OnceValue(func() *qam.Waveforms { return newTxWaveforms(pts) })}
	}
	add(Rate14400, 6, base14400[:])
	add(Rate12000, 5, base12000[:])
	add(Rate9600, 4, base9600[:])
	add(Rate7200, 3, base7200[:])
	return m
}()

func lookupRate(rate int) (*rateParams, error) {
	p, ok := params[rate]
	if !ok {
		return nil, fmt.Errorf("v17: unsupported rate %d bit/s (want 7200, 9600, 12000 or 14400)", rate)
	}
	return p, nil
}

// subsetGrid answers, for a received point, which point of each of the
// eight subsets (labels with the same Y2 Y1 Y0) is nearest. The plane is
// cut into small square cells; each cell keeps the candidates of every
// subset that could be nearest to some position inside it, so the lookup
// is exact yet needs only a few distance computations.
type subsetGrid struct {
	// cells[c][set] lists maxCandidates labels: the candidates, the first
	// repeated where there are fewer (in most cells one point of each
	// subset is nearest everywhere), so that a lookup does the same work
	// whatever the cell and takes no branch on the noise.
	cells [gridCells * gridCells][8][maxCandidates]uint8
}

// maxCandidates bounds the candidates per subset and cell; newSubsetGrid
// panics at package initialisation if the tables ever need more.
const maxCandidates = 4

const (
	gridCells = 40
	gridMin   = -10.0
	gridStep  = 0.5 // gridCells*gridStep = 20 covers [-10, 10)
)

func newSubsetGrid(pts []point) *subsetGrid {
	g := &subsetGrid{}
	for cy := 0; cy < gridCells; cy++ {
		for cx := 0; cx < gridCells; cx++ {
			x0 := gridMin + float64(cx)*gridStep
			y0 := gridMin + float64(cy)*gridStep
			cell := &g.cells[cy*gridCells+cx]
			for set := 0; set < 8; set++ {
				// A point can be nearest somewhere in the cell only if its
				// distance to the cell's nearest spot is no more than the
				// best worst-case distance of any point of the set.
				best := 1e18
				for i := set; i < len(pts); i += 8 {
					if d := maxDist2(pts[i], x0, y0); d < best {
						best = d
					}
				}
				n := 0
				for i := set; i < len(pts); i += 8 {
					if minDist2(pts[i], x0, y0) <= best {
						if n == maxCandidates {
							panic("v17: subset grid cell needs more candidates")
						}
						cell[set][n] = uint8(i)
						n++
					}
				}
				for ; n < maxCandidates; n++ {
					cell[set][n] = cell[set][0]
				}
			}
		}
	}
	return g
}

// minDist2 and maxDist2 bound the squared distance from p to the cell whose
// lower left corner is (x0, y0).
func minDist2(p point, x0, y0 float64) float64 {
	dx := max(x0-p.re, 0, p.re-(x0+gridStep))
	dy := max(y0-p.im, 0, p.im-(y0+gridStep))
	return dx*dx + dy*dy
}

func maxDist2(p point, x0, y0 float64) float64 {
	dx := max(abs(p.re-x0), abs(p.re-(x0+gridStep)))
	dy := max(abs(p.im-y0), abs(p.im-(y0+gridStep)))
	return dx*dx + dy*dy
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// nearest fills idx and dist with the nearest point to (re, im) of each
// subset s whose bit is set in sets, and its squared distance. pts is the
// constellation, padded to 128 entries so the label needs no bounds
// check. Which subsets are asked for, and which candidate is nearest,
// follow the noise, so neither is a branch: the loop runs once per subset
// asked for, and the candidates are compared as keys of distance bits and
// position (qam.MinKey). The distance returned has the key's two low bits
// cleared, a change of under 2^-50 of itself.
func (g *subsetGrid) nearest(pts *[128]point, re, im float64, sets uint8, idx *[8]uint8, dist *[8]float64) {
	cx := int((re - gridMin) / gridStep)
	cy := int((im - gridMin) / gridStep)
	cx = min(max(cx, 0), gridCells-1)
	cy = min(max(cy, 0), gridCells-1)
	cell := &g.cells[cy*gridCells+cx]
	for m := sets; m != 0; m &= m - 1 {
		set := bits.TrailingZeros8(m) & 7
		c := &cell[set]
		key := func(j uint64) uint64 {
			p := &pts[c[j]&127]
			dx, dy := re-p.re, im-p.im
			return math.Float64bits(dx*dx+dy*dy)&^3 | j
		}
		k := qam.MinKey(qam.MinKey(key(0), key(1)), qam.MinKey(key(2), key(3)))
		idx[set], dist[set] = c[k&3], math.Float64frombits(k&^3)
	}
}
