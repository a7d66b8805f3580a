package qam

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkModulatorRender measures the modulator alone, as V.17 at 14400
// bit/s uses it (1800 Hz, 2400 baud, 133 points: the 128 labels, four
// training points and silence): the symbols come from a table, so the
// cost of making them is left out.
func BenchmarkModulatorRender(b *testing.B) {
	pts := make([]Complex, 133)
	for i := range pts[:132] {
		pts[i] = Complex{float64(i%17 - 8), float64(i%13 - 6)}
	}
	m := NewModulator(NewWaveforms(1800, 2400, 0.25, 8, pts))
	rng := rand.New(rand.NewPCG(1, 2))
	var table [4096]int
	for i := range table {
		table[i] = rng.IntN(128)
	}
	pos := 0
	next := func(syms []int) int {
		for i := range syms {
			syms[i] = table[pos&4095]
			pos++
		}
		return len(syms)
	}
	out := make([]int16, 160)
	for b.Loop() {
		m.Fill(out, 300, next)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(out)), "ns/sample")
}
