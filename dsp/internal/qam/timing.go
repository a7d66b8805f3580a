package qam

// Gardner is the Gardner symbol-timing error detector (Gardner, IEEE Trans.
// Commun. 1986) for two samples per symbol. It needs no decisions and no
// carrier phase, so it can run from the first symbol of a training sequence.
//
// Push every T/2 sample; every second one is a symbol instant, for which it
// returns the timing error, normalised by the signal power so loop gains do
// not depend on the level. A positive error means the instants are early:
// feed it to Demodulator.AdjustTiming with a positive gain.
type Gardner struct {
	prev, mid Complex // previous symbol sample and the one half-way since
	odd       bool    // the next sample is a half-way sample
	power     float64 // running mean of |symbol sample|²
}

// Push takes the next T/2 sample. At symbol instants it returns ok true and
// the timing error.
func (g *Gardner) Push(y Complex) (err float64, ok bool) {
	if g.odd {
		g.odd = false
		g.mid = y
		return 0, false
	}
	g.odd = true
	d := y.Sub(g.prev)
	// -Re{mid · conj(y - prev)}: the mid sample leans towards the later
	// symbol when the instants are late.
	e := -(g.mid.Re*d.Re + g.mid.Im*d.Im)
	g.prev = y
	g.power += (y.Abs2() - g.power) * (1.0 / 32)
	if g.power <= 1e-30 {
		return 0, true
	}
	return e / g.power, true
}

// Reset forgets the history.
func (g *Gardner) Reset() { *g = Gardner{} }
