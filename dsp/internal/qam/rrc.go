package qam

import "math"

// RRC returns the value at time t (in symbol periods) of the root-raised-
// cosine pulse with roll-off beta (0 < beta <= 1), normalised to 1 at t=0
// for beta -> 0. The singular points t=0 and |t|=1/(4β) use their limits.
func RRC(t, beta float64) float64 {
	switch {
	case t == 0:
		return 1 - beta + 4*beta/math.Pi
	case beta > 0 && math.Abs(math.Abs(t)-1/(4*beta)) < 1e-9:
		return beta / math.Sqrt2 * ((1+2/math.Pi)*math.Sin(math.Pi/(4*beta)) +
			(1-2/math.Pi)*math.Cos(math.Pi/(4*beta)))
	}
	num := math.Sin(math.Pi*t*(1-beta)) + 4*beta*t*math.Cos(math.Pi*t*(1+beta))
	den := math.Pi * t * (1 - 16*beta*beta*t*t)
	return num / den
}

// window is a Hann-like taper over |x| <= 1 that keeps a truncated RRC's
// sidelobes low without moving its zero crossings much.
func window(x float64) float64 {
	if math.Abs(x) >= 1 {
		return 0
	}
	return 0.5 + 0.5*math.Cos(math.Pi*x)
}

// taperedRRC is the RRC pulse truncated to |t| <= span/2 symbols and
// tapered; the taper is wide (1.2 × span) so it only softens the edges.
func taperedRRC(t, beta float64, span int) float64 {
	half := float64(span) / 2
	if math.Abs(t) > half {
		return 0
	}
	return RRC(t, beta) * window(t/(half*1.2))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
