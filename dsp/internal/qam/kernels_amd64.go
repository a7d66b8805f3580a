//go:build !purego

package qam

import "golang.org/x/sys/cpu"

// The SSE3 kernels of kernels_amd64.s. On a processor without SSE3 (only
// the first x86-64 ones) each jumps to its Go version instead, so that
// these wrappers stay small enough to inline. The wrappers cut the slices
// to the length the assembly reads, so a wrong length panics in Go instead
// of reading past a slice.

// haveSSE3 is read by the assembly; read-only after package
// initialisation.
var haveSSE3 = cpu.X86.HasSSE3

func dotReal(x []Complex, h []float64) (re, im float64) {
	return dotRealSSE3(x, h[:len(x)])
}

func eqOutput(w, x []Complex) (re, im float64) {
	return eqOutputSSE3(w, x[:len(w)])
}

func eqAdapt(w, u []Complex, er, ei float64) {
	eqAdaptSSE3(w, u[:len(w)], er, ei)
}

func eqAdaptOutput(w, x, u []Complex, er, ei float64) (re, im float64) {
	return eqAdaptOutputSSE3(w, x[:len(w)], u[:len(w)], er, ei)
}

//go:noescape
func dotRealSSE3(x []Complex, h []float64) (re, im float64)

//go:noescape
func eqOutputSSE3(w, x []Complex) (re, im float64)

//go:noescape
func eqAdaptSSE3(w, u []Complex, er, ei float64)

//go:noescape
func eqAdaptOutputSSE3(w, x, u []Complex, er, ei float64) (re, im float64)
