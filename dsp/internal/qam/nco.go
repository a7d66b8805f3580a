package qam

import "math"

// ncoBits is the size of the oscillator's sine table: 2^10 entries keeps the
// worst phase error at π/1024 rad (spurs below -55 dBc) in 16 KiB.
const ncoBits = 10

// ncoTable holds e^(j2πi/1024); read-only after package initialisation.
var ncoTable = func() (t [1 << ncoBits]Complex) {
	for i := range t {
		t[i] = Expj(2 * math.Pi * float64(i) / (1 << ncoBits))
	}
	return t
}()

// NCO is a numerically controlled oscillator: a 32-bit phase accumulator
// read through a table, so producing a carrier costs no math.Sin.
type NCO struct {
	phase uint32
	step  uint32
}

// NewNCO returns an oscillator at freqHz for the 8 kHz sample rate.
func NewNCO(freqHz float64) NCO {
	var n NCO
	n.SetFrequency(freqHz)
	return n
}

// SetFrequency changes the frequency, keeping the phase.
func (n *NCO) SetFrequency(freqHz float64) {
	n.step = uint32(int64(math.Round(freqHz / 8000 * (1 << 32))))
}

// Frequency returns the oscillator frequency in Hz.
func (n *NCO) Frequency() float64 {
	return float64(int32(n.step)) * 8000 / (1 << 32)
}

// Next returns e^(jφ) for the current phase φ, then advances φ by one
// sample.
func (n *NCO) Next() Complex {
	v := ncoTable[n.phase>>(32-ncoBits)]
	n.phase += n.step
	return v
}

// Reset sets the phase back to zero.
func (n *NCO) Reset() { n.phase = 0 }
