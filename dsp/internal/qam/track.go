package qam

// Track is the decision-directed (or training-directed) update every QAM
// receiver makes once per symbol: given the derotated equalizer output z
// (pll.Derotate(eq.Output())) and the point it should have been, it moves
// the equalizer taps by LMS with step mu (the error taken back into the
// equalizer's frame) and the PLL by the phase error, and returns want - z.
func Track(eq *Equalizer, pll *PLL, z, want Complex, mu float64) Complex {
	e := want.Sub(z)
	eq.Adapt(pll.Rotate(e), mu)
	pll.Update(PhaseError(z, want))
	return e
}
