package qam

import "math"

// Shaper is a transmitter's pulse shaper: it takes symbols at the baud rate
// and yields complex baseband samples at 8 kHz, filtered by a root-raised-
// cosine pulse. It is an exact polyphase interpolator: with baud B the
// output falls on one of 8000/gcd(8000,B) phases of the symbol clock (10 for
// 2400 baud, 5 for 1600, 20 for 1200).
//
// Output power is normalised so that a stream of symbols of mean energy Es
// gives baseband samples of mean power Es.
type Shaper struct {
	inc    int         // symbol clock advance per output sample
	acc    int         // symbol clock: the phase index, 0 <= acc < len(phases)
	phases [][]float64 // per phase, taps for the newest symbol first
	hist   []Complex   // ring of the last n symbols, stored twice so any window is contiguous
	n, pos int
}

// NewShaper returns a shaper for baud symbols per second, roll-off beta, and
// a pulse truncated to span symbols.
func NewShaper(baud int, beta float64, span int) *Shaper {
	g := gcd(8000, baud)
	nph := 8000 / g
	n := span + 1
	s := &Shaper{inc: baud / g, n: n, hist: make([]Complex, 2*n)}
	s.phases = make([][]float64, nph)
	var energy float64
	for p := range s.phases {
		taps := make([]float64, n)
		frac := float64(p) / float64(nph) // time since the newest symbol, in symbols
		for i := range taps {
			taps[i] = taperedRRC(float64(i)+frac-float64(span)/2, beta, span)
			energy += taps[i] * taps[i]
		}
		s.phases[p] = taps
	}
	norm := 1 / math.Sqrt(energy/float64(nph))
	for _, taps := range s.phases {
		for i := range taps {
			taps[i] *= norm
		}
	}
	return s
}

// Delay returns the shaper's group delay in symbols: a symbol pushed now
// peaks at the output this many symbol periods later.
func (s *Shaper) Delay() float64 { return float64(s.n-1) / 2 }

// Tick advances the shaper's clock by one output sample and reports whether
// a new symbol is due; if so the caller must Push it before Sample.
func (s *Shaper) Tick() bool {
	s.acc += s.inc
	if s.acc >= len(s.phases) {
		s.acc -= len(s.phases)
		return true
	}
	return false
}

// Push enters the next symbol.
func (s *Shaper) Push(sym Complex) {
	s.pos--
	if s.pos < 0 {
		s.pos = s.n - 1
	}
	s.hist[s.pos] = sym
	s.hist[s.pos+s.n] = sym
}

// Sample returns the baseband output for the current clock position.
func (s *Shaper) Sample() Complex {
	taps := s.phases[s.acc]
	re, im := dot(s.hist[s.pos:s.pos+s.n], taps)
	return Complex{re, im}
}

// Reset clears the symbol history and the clock.
func (s *Shaper) Reset() {
	clear(s.hist)
	s.acc, s.pos = 0, 0
}
