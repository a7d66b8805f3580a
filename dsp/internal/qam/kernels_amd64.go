//go:build !purego

package qam

// The SSE2 kernels of kernels_amd64.s. The Go wrappers cut the slices to
// the length the assembly reads, so a wrong length panics in Go instead of
// reading past a slice.

func dotReal(x []Complex, h []float64) (re, im float64) {
	return dotRealSSE2(x, h[:len(x)])
}

func eqOutput(w, x []Complex) (re, im float64) {
	return eqOutputSSE2(w, x[:len(w)])
}

func eqAdapt(w, u []Complex, er, ei float64) {
	eqAdaptSSE2(w, u[:len(w)], er, ei)
}

func eqAdaptOutput(w, x, u []Complex, er, ei float64) (re, im float64) {
	return eqAdaptOutputSSE2(w, x[:len(w)], u[:len(w)], er, ei)
}

//go:noescape
func dotRealSSE2(x []Complex, h []float64) (re, im float64)

//go:noescape
func eqOutputSSE2(w, x []Complex) (re, im float64)

//go:noescape
func eqAdaptSSE2(w, u []Complex, er, ei float64)

//go:noescape
func eqAdaptOutputSSE2(w, x, u []Complex, er, ei float64) (re, im float64)
