package v29

import (
	"fmt"

	"github.com/softfax/softfax/dsp/internal/qam"
)

// Modem constants (V.29 principal characteristics, line signals).
const (
	CarrierHz = 1700
	Baud      = 2400
)

// Training segment lengths in symbols (V.29 synchronizing signals).
const (
	tepLen  = 480 // optional unmodulated carrier (talker echo protection), 200 ms
	seg1Len = 48  // segment 1: no transmitted energy
	seg2Len = 128 // segment 2: alternations ABAB...
	seg3Len = 384 // segment 3: equalizer conditioning pattern
	seg4Len = 48  // segment 4: scrambled binary ones
	// trailerLen is what we send after the data. V.29 defines no ending;
	// scrambled ones carry the last data bits through the far equalizer.
	trailerLen = 32
)

// rollOff is the excess bandwidth of our pulse shaping and matched filter.
// V.29 leaves the spectrum shaping to the implementer; 50% keeps the
// 1700±1800 Hz band inside the telephone channel and helps timing recovery.
const rollOff = 0.5

// constellation is the 16-point V.29 signal space diagram: index
// amp<<3 | phase, where phase counts 45° steps and amp selects the outer
// ring (9600 bit/s only).
var constellation = [16]qam.Complex{
	qam.C(3, 0), qam.C(1, 1), qam.C(0, 3), qam.C(-1, 1), qam.C(-3, 0), qam.C(-1, -1), qam.C(0, -3), qam.C(1, -1),
	qam.C(5, 0), qam.C(3, 3), qam.C(0, 5), qam.C(-3, 3), qam.C(-5, 0), qam.C(-3, -3), qam.C(0, -5), qam.C(3, -3),
}

// phaseStep maps the bits Q2Q3Q4 to a phase change in 45° steps (V.29
// Table 1): 001→0°, 000→45°, 010→90°, 011→135°, 111→180°, 110→225°,
// 100→270°, 101→315°.
var phaseStep = [8]int{1, 0, 2, 3, 6, 7, 5, 4}

// phaseStep4800 maps Q2Q3 at 4800 bit/s (Q1 and Q4 unused): 00→0°, 01→90°,
// 11→180°, 10→270°.
var phaseStep4800 = [4]int{0, 2, 6, 4}

// trainingPoints are the points A, B of segment 2 and C, D of segment 3 for
// one rate, as the V.29 synchronizing signals define them.
type trainingPoints struct{ a, b, c, d qam.Complex }

func pointsFor(rate int) trainingPoints {
	switch rate {
	case 9600:
		return trainingPoints{a: qam.Complex{Re: -3}, b: qam.Complex{Re: 3, Im: -3}, c: qam.Complex{Re: 3}, d: qam.Complex{Re: -3, Im: 3}}
	case 7200:
		return trainingPoints{a: qam.Complex{Re: -3}, b: qam.Complex{Re: 1, Im: -1}, c: qam.Complex{Re: 3}, d: qam.Complex{Re: -1, Im: 1}}
	default: // 4800
		return trainingPoints{a: qam.Complex{Re: -3}, b: qam.Complex{Im: -3}, c: qam.Complex{Re: 3}, d: qam.Complex{Im: 3}}
	}
}

// Default carrier detect thresholds (dBm0). V.29's received line signal detector uses -26/-31 dBm on
// a leased line; a fax receiver behind G.711 must hear signals down to
// -43 dBm0, so ours are lower, with the same 4 dB of hysteresis.
const (
	DefaultCarrierOn  = -45.0
	DefaultCarrierOff = -49.0
)

// checkRate validates a bit rate.
func checkRate(rate int) error {
	switch rate {
	case 4800, 7200, 9600:
		return nil
	}
	return fmt.Errorf("v29: unsupported bit rate %d (want 4800, 7200 or 9600)", rate)
}

// bitsPerSymbol returns log2 of the constellation size in use.
func bitsPerSymbol(rate int) int { return rate / Baud }

// meanEnergy is the mean symbol energy of the data constellation at rate.
func meanEnergy(rate int) float64 {
	switch rate {
	case 9600:
		return (9 + 2 + 25 + 18) / 4.0
	case 7200:
		return (9 + 2) / 2.0
	}
	return 9
}

// pointsInUse returns the constellation indices a rate transmits.
func pointsInUse(rate int) []int {
	switch rate {
	case 9600:
		return []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	case 7200:
		return []int{0, 1, 2, 3, 4, 5, 6, 7}
	}
	return []int{0, 2, 4, 6}
}

// decisions is a rate's decision device: a slicer over the points in use
// and, for each of its points, the constellation index.
type decisions struct {
	slicer *qam.Slicer
	index  []int
}

func newDecisions(rate int) decisions {
	idx := pointsInUse(rate)
	pts := make([]qam.Complex, len(idx))
	for i, c := range idx {
		pts[i] = constellation[c]
	}
	return decisions{slicer: qam.NewSlicer(pts, 0.5), index: idx}
}

// nearest returns the constellation index of the point nearest to z.
func (d decisions) nearest(z qam.Complex) int { return d.index[d.slicer.Nearest(z)] }

// decisionsFor holds one read-only decision device per rate, built once.
var decisionsFor = map[int]decisions{
	9600: newDecisions(9600),
	7200: newDecisions(7200),
	4800: newDecisions(4800),
}

// minDistance2 is the squared minimum distance between two points of the
// data constellation at rate.
func minDistance2(rate int) float64 {
	if rate == 4800 {
		return 18 // (3,0) to (0,3)
	}
	return 4 // (3,0) to (5,0) at 9600, (1,1) to (-1,1) at 7200
}

// trainingGen is the segment 3 pattern generator 1+x^-6+x^-7 of the V.29
// synchronizing signals, started at 0101010: each output bit picks C (0)
// or D (1).
type trainingGen uint8

const trainingSeed trainingGen = 0x2a

func (g *trainingGen) next() int {
	r := uint8(*g)
	bit := int(r & 1)
	r >>= 1
	r |= (uint8(bit) ^ r&1) << 6
	*g = trainingGen(r)
	return bit
}
