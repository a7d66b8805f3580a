package qam

// MaxSymbolEnergy bounds |z|² of a sane equalized symbol in the figure
// units of V.29 and V.17 (outermost points 25 and 85): about eleven times
// the largest amplitude.
const MaxSymbolEnergy = 1e4

// Diverged reports whether the equalized symbol z lies so far outside every
// constellation (|z|² at or above MaxSymbolEnergy), or is not a number,
// that the receiver's loops must have diverged on something that is not
// the expected signal, such as a loud burst after a quiet training. A
// receiver should then start again rather than decode garbage.
func Diverged(z Complex) bool {
	return !(z.Abs2() < MaxSymbolEnergy) // written so that NaN diverges too
}
