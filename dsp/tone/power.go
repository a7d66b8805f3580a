package tone

import (
	"math"

	"github.com/softfax/softfax/dsp"
)

// PowerMeter is a one-pole smoothed mean-square meter. Its time constant
// is 2^shift samples: shift 5 (4 ms) follows modem bursts closely, shift
// 8 (32 ms) gives a steadier level reading.
type PowerMeter struct {
	shift int
	k     float64
	ms    float64
}

// NewPowerMeter returns a meter with a time constant of 2^shift samples.
func NewPowerMeter(shift int) *PowerMeter {
	shift = min(max(shift, 0), 20)
	return &PowerMeter{shift: shift, k: 1 / float64(uint(1)<<shift)}
}

// Update adds one sample and returns the mean square.
func (m *PowerMeter) Update(x int16) float64 {
	v := float64(x)
	m.ms += (v*v - m.ms) * m.k
	return m.ms
}

// Process adds a block of samples.
func (m *PowerMeter) Process(in []int16) {
	ms, k := m.ms, m.k
	for _, x := range in {
		v := float64(x)
		ms += (v*v - ms) * k
	}
	m.ms = ms
}

// MeanSquare returns the current mean square.
func (m *PowerMeter) MeanSquare() float64 { return m.ms }

// DBm0 returns the current level in dBm0 (-inf for silence).
func (m *PowerMeter) DBm0() float64 {
	if m.ms <= 0 {
		return math.Inf(-1)
	}
	return dsp.PowerDBm0(m.ms)
}

// Reset sets the reading to silence.
func (m *PowerMeter) Reset() { m.ms = 0 }

// MeanSquareOf returns the mean square a signal at dBm0 has, for comparing
// with [PowerMeter.MeanSquare] without a logarithm per sample.
func MeanSquareOf(dBm0 float64) float64 {
	a := dsp.SineAmplitude(dBm0)
	return a * a / 2
}
