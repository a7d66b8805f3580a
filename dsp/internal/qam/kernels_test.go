package qam

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernels checks the kernels the receivers run (SSE3 assembly on
// amd64) against their Go versions, which they must match bit for bit,
// for every length up to 40.
func TestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cx := func(n int) []Complex {
		v := make([]Complex, n)
		for i := range v {
			v[i] = Complex{rng.NormFloat64(), rng.NormFloat64()}
		}
		return v
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	for n := range 41 {
		h := make([]float64, n)
		for i := range h {
			h[i] = rng.NormFloat64()
		}
		x, w, u, in := cx(n), cx(n), cx(n), cx(n)
		er, ei := rng.NormFloat64(), rng.NormFloat64()

		re, im := dotReal(x, h)
		wantRe, wantIm := dotRealGo(x, h)
		if !same(re, wantRe) || !same(im, wantIm) {
			t.Errorf("dotReal n=%d: %v %v, want %v %v", n, re, im, wantRe, wantIm)
		}
		re, im = eqOutput(w, in)
		wantRe, wantIm = eqOutputGo(w, in)
		if !same(re, wantRe) || !same(im, wantIm) {
			t.Errorf("eqOutput n=%d: %v %v, want %v %v", n, re, im, wantRe, wantIm)
		}
		w1, w2 := append([]Complex(nil), w...), append([]Complex(nil), w...)
		eqAdapt(w1, u, er, ei)
		eqAdaptGo(w2, u, er, ei)
		for k := range w1 {
			if !same(w1[k].Re, w2[k].Re) || !same(w1[k].Im, w2[k].Im) {
				t.Fatalf("eqAdapt n=%d tap %d: %v, want %v", n, k, w1[k], w2[k])
			}
		}
		w1, w2 = append([]Complex(nil), w...), append([]Complex(nil), w...)
		re, im = eqAdaptOutput(w1, in, u, er, ei)
		wantRe, wantIm = eqAdaptOutputGo(w2, in, u, er, ei)
		if !same(re, wantRe) || !same(im, wantIm) {
			t.Errorf("eqAdaptOutput n=%d: %v %v, want %v %v", n, re, im, wantRe, wantIm)
		}
		for k := range w1 {
			if w1[k] != w2[k] {
				t.Fatalf("eqAdaptOutput n=%d tap %d: %v, want %v", n, k, w1[k], w2[k])
			}
		}
		// The kernels compute what they say, within rounding.
		var d Complex
		for k := range x {
			d = d.Add(x[k].Scale(h[k]))
		}
		var o Complex
		for k := range w {
			o = o.Add(w[k].Mul(in[k]))
		}
		re, im = eqOutputGo(w, in)
		if math.Hypot(o.Re-re, o.Im-im) > 1e-12*float64(n+1)*10 {
			t.Errorf("eqOutputGo n=%d: %v %v, want %v", n, re, im, o)
		}
		re, im = dotRealGo(x, h)
		if math.Hypot(d.Re-re, d.Im-im) > 1e-12*float64(n+1)*10 {
			t.Errorf("dotRealGo n=%d: %v %v, want %v", n, re, im, d)
		}
	}
}

// TestKernelsLengthChecked: a slice shorter than the kernel reads panics
// in Go rather than reading past it.
func TestKernelsLengthChecked(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	eqOutput(make([]Complex, 5), make([]Complex, 4))
}

func BenchmarkEqualizerAdaptOutput(b *testing.B) {
	w, x, u := make([]Complex, 21), make([]Complex, 21), make([]Complex, 21)
	for i := range x {
		x[i], u[i] = Complex{float64(i), 1}, Complex{1, float64(i)}
	}
	for b.Loop() {
		eqAdaptOutput(w, x, u, 1e-9, 1e-9)
	}
}

func BenchmarkDotReal(b *testing.B) {
	x, h := make([]Complex, 21), make([]float64, 21)
	for b.Loop() {
		dotReal(x, h)
	}
}
