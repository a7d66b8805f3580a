//go:build !amd64 || purego

package qam

func dotReal(x []Complex, h []float64) (re, im float64) { return dotRealGo(x, h) }

func eqOutput(w, x []Complex) (re, im float64) { return eqOutputGo(w, x) }

func eqAdapt(w, u []Complex, er, ei float64) { eqAdaptGo(w, u, er, ei) }

func eqAdaptOutput(w, x, u []Complex, er, ei float64) (re, im float64) {
	return eqAdaptOutputGo(w, x, u, er, ei)
}
