package qam

import "math"

// PLL is a second-order phase-locked loop that tracks carrier phase and
// frequency at the symbol rate, from a phase error per symbol (usually the
// angle between an equalized symbol and its decision). Its rotator is
// recomputed once per update, never per sample.
type PLL struct {
	phase float64 // radians
	freq  float64 // radians per symbol
	rot   Complex // e^(-j·phase); zero until first used
	steps uint8   // updates since rot was last computed exactly
	Alpha float64 // proportional gain
	Beta  float64 // integral (frequency) gain
}

// Reset sets phase and frequency (radians per symbol).
func (p *PLL) Reset(phase, freq float64) {
	p.phase, p.freq = phase, freq
	p.rot = Expj(-phase)
}

// Derotate returns z·e^(-jφ): the symbol with the tracked carrier removed.
func (p *PLL) Derotate(z Complex) Complex {
	if p.rot == (Complex{}) {
		p.rot = Expj(-p.phase)
	}
	return z.Mul(p.rot)
}

// Rotate returns z·e^(+jφ), taking an error back to the equalizer's frame.
func (p *PLL) Rotate(z Complex) Complex {
	if p.rot == (Complex{}) {
		p.rot = Expj(-p.phase)
	}
	return z.MulConj(p.rot)
}

// Update applies a phase error (radians, positive when the derotated
// symbol leads its decision) and advances one symbol.
func (p *PLL) Update(err float64) {
	p.freq += p.Beta * err
	d := p.Alpha*err + p.freq
	p.phase += d
	if p.phase > math.Pi {
		p.phase -= 2 * math.Pi
	} else if p.phase < -math.Pi {
		p.phase += 2 * math.Pi
	}
	p.steps++
	if d > 0.25 || d < -0.25 || p.steps == 0 || p.rot == (Complex{}) {
		// A big step, the first, or every 256th: recompute exactly so
		// rounding never accumulates.
		p.rot = Expj(-p.phase)
		return
	}
	// e^(-jd) by its series to d^5: even at |d| = 0.25 the rotator leaves
	// unit modulus by under 1e-4 in the 255 steps to the next exact
	// recomputation, and by far less at a locked loop's small steps.
	// Multiplications by the reciprocals: Go divides by a constant that is
	// not a power of two, at some twenty cycles a division.
	d2 := d * d
	p.rot = p.rot.Mul(Complex{1 - d2*0.5 + d2*d2*(1.0/24), -d * (1 - d2*(1.0/6) + d2*d2*(1.0/120))})
}

// Phase returns the tracked phase in radians.
func (p *PLL) Phase() float64 { return p.phase }

// Freq returns the tracked frequency in radians per symbol.
func (p *PLL) Freq() float64 { return p.freq }

// PhaseError returns the small-angle phase of y relative to d,
// Im(y·conj(d))/|d|², and zero when d is zero.
func PhaseError(y, d Complex) float64 {
	m := d.Abs2()
	if m == 0 {
		return 0
	}
	return (y.Im*d.Re - y.Re*d.Im) / m
}
