package qam

import (
	"math"
	"testing"
)

func TestAGC(t *testing.T) {
	var a AGC
	if g := a.Gain(); g != 0 {
		t.Errorf("zero value gain %v, want 0", g)
	}
	a.Reset()
	if g := a.Gain(); g != 1 {
		t.Errorf("gain after Reset %v, want 1", g)
	}
	for range 200 {
		a.Follow(Complex{3, 4}.Abs2(), 1.0/8) // |y| = 5
	}
	if y := a.Scale(Complex{3, 4}); math.Abs(y.Abs()-1) > 1e-6 {
		t.Errorf("scaled |y| = %v, want 1", y.Abs())
	}
	a.SetPower(0) // nothing to measure: the gain holds
	if g := a.Gain(); math.Abs(g-0.2) > 1e-6 {
		t.Errorf("gain %v after zero power, want 0.2 held", g)
	}
	a.SetPower(4)
	if g := a.Gain(); g != 0.5 {
		t.Errorf("gain %v for power 4, want 0.5", g)
	}
}

func TestDiverged(t *testing.T) {
	for _, tt := range []struct {
		z    Complex
		want bool
	}{
		{Complex{9, 2}, false}, {Complex{-90, 0}, false}, {Complex{100, 1}, true},
		{Complex{math.NaN(), 0}, true}, {Complex{0, math.Inf(-1)}, true},
	} {
		if got := Diverged(tt.z); got != tt.want {
			t.Errorf("Diverged(%v) = %v, want %v", tt.z, got, tt.want)
		}
	}
}
