package qam

import (
	"math"
	"testing"
)

// TestPointModulator checks the tabulated modulator against Modulator on
// the same symbols.
func TestPointModulator(t *testing.T) {
	points := []Complex{{}}
	for k := range 8 {
		points = append(points, Expj(float64(k)*math.Pi/4))
	}
	for _, baud := range []int{1200, 1600, 2400} {
		ref := NewModulator(1800, baud, 0.5, 8)
		pm := NewPointModulator(1800, baud, 0.5, 8, points)
		x := uint32(1)
		for n := range 5000 {
			due := ref.Tick()
			if pm.Tick() != due {
				t.Fatalf("baud %d: clocks differ at sample %d", baud, n)
			}
			if due {
				x = x*1103515245 + 12345
				p := uint8(x>>16) % uint8(len(points))
				ref.Push(points[p])
				pm.Push(p)
			}
			if d := math.Abs(ref.Sample() - pm.Sample()); d > 1e-5 {
				t.Fatalf("baud %d: sample %d differs by %g", baud, n, d)
			}
		}
	}
	if NewPointModulator(1800, 1600, 0.5, 8, nil) != nil {
		t.Errorf("no points: want nil")
	}
}
