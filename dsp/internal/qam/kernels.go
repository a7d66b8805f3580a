package qam

// The inner loops of the receivers: the matched filter's dot product and
// the equalizer's output and LMS step. On amd64 they run in SSE3 assembly
// (kernels_amd64.s), two float64 lanes an instruction: the compiler does
// not vectorise, and these loops are a third to a half of a receiver's
// time. The Go versions here are the reference (and the code elsewhere,
// or with the purego build tag); TestKernels holds the two together.
//
// The equalizer's kernels sum in the order the assembly can: for taps w
// and inputs x, A = Σ w·Re(x) and B = Σ w·Im(x) as complex sums (four
// apart, tap k into sum k mod 4, then added), and the output is (Re A -
// Im B, Im A + Re B). Output and the fused adapt-and-output must sum alike, so the
// deferred LMS step gives exactly the results of an immediate one.

// dotRealGo returns Σ x[k]·h[k] for complex x and real h (len(h) >=
// len(x)), four taps a step, each into sums of its own: in a receiver the
// loop is bound by the latency of the additions, not by their number.
func dotRealGo(x []Complex, h []float64) (re, im float64) {
	h = h[:len(x)]
	var a0, a1, a2, a3 Complex
	for len(x) >= 4 && len(h) >= 4 {
		a0 = Complex{a0.Re + x[0].Re*h[0], a0.Im + x[0].Im*h[0]}
		a1 = Complex{a1.Re + x[1].Re*h[1], a1.Im + x[1].Im*h[1]}
		a2 = Complex{a2.Re + x[2].Re*h[2], a2.Im + x[2].Im*h[2]}
		a3 = Complex{a3.Re + x[3].Re*h[3], a3.Im + x[3].Im*h[3]}
		x, h = x[4:], h[4:]
	}
	for k := range x {
		a0 = Complex{a0.Re + x[k].Re*h[k], a0.Im + x[k].Im*h[k]}
	}
	a := a0.Add(a1).Add(a2.Add(a3))
	return a.Re, a.Im
}

// eqOutputGo returns Σ w[k]·x[k] (len(x) >= len(w)).
func eqOutputGo(w, x []Complex) (re, im float64) {
	x = x[:len(w)]
	var a, b [4]Complex // tap k into a[k%4], b[k%4]; the tail into a[0], b[0]
	for len(w) >= 4 && len(x) >= 4 {
		for j := range 4 {
			a[j], b[j] = mac(a[j], b[j], w[j], x[j])
		}
		w, x = w[4:], x[4:]
	}
	for k := range w {
		a[0], b[0] = mac(a[0], b[0], w[k], x[k])
	}
	return finish(&a, &b)
}

// eqAdaptGo applies the LMS step w[k] += e·conj(u[k]) (len(u) >= len(w)).
func eqAdaptGo(w, u []Complex, er, ei float64) {
	u = u[:len(w)]
	for k := range w {
		w[k] = step(w[k], u[k], er, ei)
	}
}

// eqAdaptOutputGo applies the LMS step w[k] += e·conj(u[k]) and returns
// Σ w[k]·x[k] with the new taps, in one pass (len(x), len(u) >= len(w)),
// summing as eqOutputGo does.
func eqAdaptOutputGo(w, x, u []Complex, er, ei float64) (re, im float64) {
	x = x[:len(w)]
	u = u[:len(w)]
	var a, b [4]Complex
	for len(w) >= 4 && len(x) >= 4 && len(u) >= 4 {
		for j := range 4 {
			w[j] = step(w[j], u[j], er, ei)
			a[j], b[j] = mac(a[j], b[j], w[j], x[j])
		}
		w, x, u = w[4:], x[4:], u[4:]
	}
	for k := range w {
		w[k] = step(w[k], u[k], er, ei)
		a[0], b[0] = mac(a[0], b[0], w[k], x[k])
	}
	return finish(&a, &b)
}

// mac adds w·Re(x) to a and w·Im(x) to b.
func mac(a, b, w, x Complex) (Complex, Complex) {
	return Complex{a.Re + w.Re*x.Re, a.Im + w.Im*x.Re}, Complex{b.Re + w.Re*x.Im, b.Im + w.Im*x.Im}
}

// finish combines the sums of mac into Σ w·x.
func finish(a, b *[4]Complex) (re, im float64) {
	sa := a[0].Add(a[1]).Add(a[2].Add(a[3]))
	sb := b[0].Add(b[1]).Add(b[2].Add(b[3]))
	return sa.Re - sb.Im, sa.Im + sb.Re
}

// step returns w + e·conj(u), e = er + j·ei.
func step(w, u Complex, er, ei float64) Complex {
	return Complex{w.Re + (er*u.Re + ei*u.Im), w.Im + (ei*u.Re + -er*u.Im)}
}
