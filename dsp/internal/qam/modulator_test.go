package qam

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestModulatorClips checks the clipping path: at a gain that drives
// samples beyond full scale, the output is the exact waveform rounded and
// saturated to int16, with the unclipped samples still within rounding.
func TestModulatorClips(t *testing.T) {
	points := []Complex{{}, {3, 1}, {-1, 3}, {-3, -3}, {1, -1}, {5, 0}}
	const gain = 12000 // peaks of 5·12000 and more
	w := NewWaveforms(1800, 2400, 0.25, 8, points)
	m := NewModulator(w)
	sh := NewShaper(2400, 0.25, 8)
	rng := rand.New(rand.NewPCG(9, 10))
	syms := make([]int, 300)
	for i := range syms {
		syms[i] = rng.IntN(len(points))
	}
	var want []float64
	for n, next := 0, 0; ; n++ {
		if sh.Tick() {
			if next == len(syms) {
				break
			}
			sh.Push(points[syms[next]])
			next++
		}
		want = append(want, gain*sh.Sample().Mul(Expj(2*math.Pi*1800*float64(n)/8000)).Re)
	}
	next := 0
	src := func() (int, bool) {
		if next == len(syms) {
			return 0, false
		}
		next++
		return syms[next-1], true
	}
	var got []int16
	buf := make([]int16, 160)
	for {
		n := m.Fill(buf, gain, perSymbol(src))
		got = append(got, buf[:n]...)
		if n < len(buf) {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("Fill wrote %d samples, want %d", len(got), len(want))
	}
	clipped := 0
	for i, x := range want {
		if x > 32767 || x < -32768 {
			clipped++
		}
		if d := float64(got[i]) - min(max(x, -32768), 32767); math.Abs(d) > 0.51 {
			t.Fatalf("sample %d = %d, want %.2f", i, got[i], x)
		}
	}
	if clipped == 0 {
		t.Fatal("no sample beyond full scale: the test does not reach the clipping path")
	}
	if !m.clips {
		t.Error("the modulator did not expect to clip")
	}
}
