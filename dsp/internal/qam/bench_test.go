package qam

import "testing"

func BenchmarkDemodulator(b *testing.B) {
	d := NewDemodulator(NewMatchedFilter(1700, 2400, 0.5, 6))
	for b.Loop() {
		for i := range 8000 {
			if d.Push(float64(i & 1023)) {
				d.Output()
			}
		}
	}
}

func BenchmarkEqualizer(b *testing.B) {
	e := NewEqualizer(17)
	for b.Loop() {
		for range 2400 {
			e.Push(Complex{1, 2})
			e.Push(Complex{1, 2})
			e.Adapt(e.Output(), 1e-9)
		}
	}
}

func BenchmarkModulatorFill(b *testing.B) {
	m := NewModulator(NewWaveforms(1700, 2400, 0.5, 8, []Complex{{3, -1}, {1, 1}}))
	out := make([]int16, 8000)
	n := 0
	sym := func() (int, bool) { n++; return n & 1, true }
	next := perSymbol(sym)
	for b.Loop() {
		m.Fill(out, 100, next)
	}
}

// BenchmarkModulatorFill128 sends random points of a 128-point set, as
// V.17 at 14400 bit/s does: the rows no longer all sit in the L1 cache.
func BenchmarkModulatorFill128(b *testing.B) {
	pts := make([]Complex, 133)
	for i := range pts {
		pts[i] = Complex{float64(i%11 - 5), float64(i%13 - 6)}
	}
	m := NewModulator(NewWaveforms(1800, 2400, 0.25, 8, pts))
	out := make([]int16, 8000)
	var lfsr uint32 = 1
	sym := func() (int, bool) {
		lfsr = lfsr*1664525 + 1013904223
		return int(lfsr>>25) & 127, true
	}
	next := perSymbol(sym)
	for b.Loop() {
		m.Fill(out, 100, next)
	}
}
