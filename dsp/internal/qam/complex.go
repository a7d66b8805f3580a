package qam

import "math"

// Complex is a complex baseband value. Arithmetic is written out on the two
// float64 fields so that it inlines and never takes a slow path for
// infinities, unlike complex128 division.
type Complex struct{ Re, Im float64 }

// Add returns a+b.
func (a Complex) Add(b Complex) Complex { return Complex{a.Re + b.Re, a.Im + b.Im} }

// Sub returns a-b.
func (a Complex) Sub(b Complex) Complex { return Complex{a.Re - b.Re, a.Im - b.Im} }

// Mul returns a*b.
func (a Complex) Mul(b Complex) Complex {
	return Complex{a.Re*b.Re - a.Im*b.Im, a.Re*b.Im + a.Im*b.Re}
}

// MulConj returns a*conj(b).
func (a Complex) MulConj(b Complex) Complex {
	return Complex{a.Re*b.Re + a.Im*b.Im, a.Im*b.Re - a.Re*b.Im}
}

// Conj returns the complex conjugate of a.
func (a Complex) Conj() Complex { return Complex{a.Re, -a.Im} }

// Scale returns a*k for a real k.
func (a Complex) Scale(k float64) Complex { return Complex{a.Re * k, a.Im * k} }

// Abs2 returns |a|².
func (a Complex) Abs2() float64 { return a.Re*a.Re + a.Im*a.Im }

// Abs returns |a|.
func (a Complex) Abs() float64 { return math.Hypot(a.Re, a.Im) }

// Arg returns the phase of a in radians, in (-π, π].
func (a Complex) Arg() float64 { return math.Atan2(a.Im, a.Re) }

// Inv returns 1/a, or zero when a is zero.
func (a Complex) Inv() Complex {
	d := a.Abs2()
	if d == 0 {
		return Complex{}
	}
	return Complex{a.Re / d, -a.Im / d}
}

// Expj returns e^(jφ).
func Expj(phi float64) Complex {
	s, c := math.Sincos(phi)
	return Complex{c, s}
}

// C returns re+j·im; handy for tables in other packages, where go vet wants
// keyed fields in Complex literals.
func C(re, im float64) Complex { return Complex{re, im} }
