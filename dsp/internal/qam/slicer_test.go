package qam

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSlicerExact compares the grid with exhaustive search for square,
// cross and circular constellations and random symbols inside and outside
// the grid.
func TestSlicerExact(t *testing.T) {
	var square, ring []Complex
	for x := -3.0; x <= 3; x += 2 {
		for y := -3.0; y <= 3; y += 2 {
			square = append(square, Complex{x, y})
		}
	}
	for k := range 8 {
		ring = append(ring, Expj(float64(k)*math.Pi/4).Scale(1+float64(k%2)*2))
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, pts := range [][]Complex{square, ring, {{1, 0}}} {
		for _, step := range []float64{0.25, 0.5, 1.5} {
			s := NewSlicer(pts, step)
			for range 100000 {
				z := Complex{rng.Float64()*16 - 8, rng.Float64()*16 - 8}
				got := s.Nearest(z)
				bestD := math.Inf(1)
				for _, p := range pts {
					bestD = min(bestD, z.Sub(p).Abs2())
				}
				if d := z.Sub(pts[got]).Abs2(); d > bestD+1e-12 {
					t.Fatalf("step %v: Nearest(%v) = %v at %v, best %v", step, z, pts[got], d, bestD)
				}
			}
		}
	}
	if NewSlicer(nil, 1) != nil {
		t.Error("NewSlicer(nil) should be nil")
	}
	s := NewSlicer(square, 0.5)
	if i := s.Nearest(Complex{math.NaN(), 0}); i < 0 || i >= s.Len() {
		t.Errorf("NaN gave index %d", i)
	}
}

func TestMinKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for range 10000 {
		a, b := rng.Uint64()>>1>>rng.IntN(63), rng.Uint64()>>1>>rng.IntN(63)
		if got := MinKey(a, b); got != min(a, b) {
			t.Fatalf("MinKey(%d, %d) = %d", a, b, got)
		}
	}
	for _, c := range [][2]uint64{{0, 0}, {0, 1<<63 - 1}, {1<<63 - 1, 1}, {5, 5}} {
		if got := MinKey(c[0], c[1]); got != min(c[0], c[1]) {
			t.Errorf("MinKey(%d, %d) = %d", c[0], c[1], got)
		}
	}
}
