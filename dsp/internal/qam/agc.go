package qam

import "math"

// AGC is the automatic gain control ahead of a receiver's equalizer. While
// the receiver hunts for a training sequence it follows the mean power of
// the baseband samples and scales them to unit power; once training starts
// the receiver stops feeding it, so the gain holds and the equalizer takes
// over the tracking of the level. The zero value has gain 0 until it has
// followed some power; Reset makes it 1.
type AGC struct {
	Power float64 // running mean power of the samples followed
	gain  float64
}

// Follow moves the mean power towards p (a sample's |y|²) by the fraction
// k of the difference, and the gain with it.
func (a *AGC) Follow(p, k float64) {
	a.Power += (p - a.Power) * k
	a.update()
}

// SetPower sets the mean power outright, say from a carrier detector's meter.
func (a *AGC) SetPower(p float64) {
	a.Power = p
	a.update()
}

// update recomputes the gain; a power too small to measure keeps the
// previous gain rather than amplify nothing without bound.
func (a *AGC) update() {
	if a.Power > 1e-9 {
		a.gain = 1 / math.Sqrt(a.Power)
	}
}

// Reset forgets the power and sets the gain to 1.
func (a *AGC) Reset() { a.Power, a.gain = 0, 1 }

// Gain returns the current gain.
func (a *AGC) Gain() float64 { return a.gain }

// Scale returns y times the gain.
func (a *AGC) Scale(y Complex) Complex { return Complex{y.Re * a.gain, y.Im * a.gain} }
