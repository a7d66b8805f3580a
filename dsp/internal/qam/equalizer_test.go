package qam

import (
	"math/rand/v2"
	"testing"
)

// TestEqualizerDeferredAdapt checks that the LMS step Adapt defers to the
// next Output gives exactly the results of applying it at once (which
// Taps forces), across history slides, SetTaps and SetCentre.
func TestEqualizerDeferredAdapt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	deferred, direct := NewEqualizer(21), NewEqualizer(21)
	for i := range 3000 {
		x := Complex{rng.NormFloat64(), rng.NormFloat64()}
		deferred.Push(x)
		direct.Push(x)
		if i%2 == 0 {
			continue
		}
		a, b := deferred.Output(), direct.Output()
		if a != b {
			t.Fatalf("symbol %d: output %v, want %v", i/2, a, b)
		}
		err := Complex{rng.NormFloat64(), rng.NormFloat64()}
		deferred.Adapt(err, 0.01)
		direct.Adapt(err, 0.01)
		direct.Taps() // applies the step now
		switch i % 701 {
		case 99:
			w := append([]Complex(nil), direct.Taps()...)
			deferred.SetTaps(w)
			direct.SetTaps(w)
		case 301:
			deferred.SetCentre(Complex{1, 0})
			direct.SetCentre(Complex{1, 0})
		}
	}
	for k, w := range deferred.Taps() {
		if w != direct.Taps()[k] {
			t.Fatalf("tap %d: %v, want %v", k, w, direct.Taps()[k])
		}
	}
}
