package qam

import "testing"

func BenchmarkDemodulator(b *testing.B) {
	d := NewDemodulator(1700, 2400, 0.5, 6)
	for b.Loop() {
		for i := range 8000 {
			d.Push(float64(i & 1023))
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
	m := NewModulator(1700, 2400, 0.5, 8, []Complex{{3, -1}, {1, 1}})
	out := make([]int16, 8000)
	n := 0
	sym := func() (int, bool) { n++; return n & 1, true }
	for b.Loop() {
		m.Fill(out, 100, sym)
	}
}
