package v29

import (
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp/internal/qam"
)

// TestSlicerExact compares the grid slicer with the exhaustive search on
// random symbols, at every rate.
func TestSlicerExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, rate := range []int{9600, 7200, 4800} {
		points := pointsInUse(rate)
		s := newSlicer(points)
		for range 200000 {
			z := qam.C(rng.Float64()*18-9, rng.Float64()*18-9)
			if got, want := s.slice(points, z), nearest(points, z); got != want &&
				z.Sub(constellation[got]).Abs2()-z.Sub(constellation[want]).Abs2() > 1e-9 {
				t.Fatalf("rate %d: slice(%v) = %d, want %d", rate, z, got, want)
			}
		}
	}
}
