package qam

import "math"

// interpPhases is how finely the Demodulator resolves sampling instants:
// 1/64 of a sample, under 0.5% of a symbol at 2400 baud.
const interpPhases = 64

// Demodulator is the front of a receiver: it mixes real 8 kHz samples down
// to complex baseband with a fixed carrier and filters them with a root-
// raised-cosine matched filter that is evaluated at arbitrary fractional
// instants, so symbol timing is recovered by moving the instants rather
// than by resampling. It yields two samples per symbol (T/2), the input of
// a fractionally spaced equalizer and of a Gardner timing detector.
//
// Carrier frequency offsets are left in the baseband signal for the
// equalizer and the PLL after it to remove.
type Demodulator struct {
	f    *MatchedFilter
	nco  NCO
	hist []Complex // mixed samples, newest at pos, sliding towards 0
	n    int
	pos  int
	step float64 // nominal input samples per output sample (half a symbol)
	next float64 // time of the next output, in input samples after the newest
}

// MatchedFilter is a Demodulator's carrier and interpolating matched
// filter: read-only once made, so one serves any number of demodulators
// (make it once per modem and rate: it takes thousands of evaluations of
// the pulse).
type MatchedFilter struct {
	carrierHz float64
	sps       float64                     // input samples per symbol
	taps      [interpPhases + 1][]float64 // taps[p][k]: h(k - c - p/interpPhases), k = 0 newest
}

// NewMatchedFilter returns the filter for a carrier at carrierHz and baud
// symbols per second, with roll-off beta and a pulse truncated to span
// symbols. baud must be below 4000 (two outputs per symbol must not exceed
// the sample rate).
func NewMatchedFilter(carrierHz, baud, beta float64, span int) *MatchedFilter {
	sps := 8000 / baud
	n := int(math.Ceil(float64(span)*sps)) + 1
	f := &MatchedFilter{carrierHz: carrierHz, sps: sps}
	c := float64(n-1) / 2
	for p := range f.taps {
		taps := make([]float64, n)
		var sum float64
		for k := range taps {
			taps[k] = taperedRRC((float64(k)-c-float64(p)/interpPhases)/sps, beta, span)
			sum += taps[k]
		}
		// Unit gain at DC: a baseband constant comes out unchanged, so the
		// output is half the passband amplitude.
		for k := range taps {
			taps[k] /= sum
		}
		f.taps[p] = taps
	}
	return f
}

// NewDemodulator returns a demodulator through the filter f.
func NewDemodulator(f *MatchedFilter) *Demodulator {
	n := len(f.taps[0])
	return &Demodulator{
		f:    f,
		nco:  NewNCO(-f.carrierHz),
		n:    n,
		hist: make([]Complex, n+histSlack),
		pos:  histSlack,
		step: f.sps / 2,
		next: f.sps / 2,
	}
}

// Delay returns the filter's group delay in input samples.
func (d *Demodulator) Delay() float64 { return float64(d.n-1) / 2 }

// Push enters one input sample. When a half-symbol instant falls within
// this sample it returns the matched-filter output there with ok true.
func (d *Demodulator) Push(x float64) (y Complex, ok bool) {
	m := d.nco.Next()
	if d.pos == 0 {
		d.slide()
	}
	d.pos--
	d.hist[d.pos] = Complex{x * m.Re, x * m.Im}
	d.next--
	if d.next > 0 {
		return Complex{}, false
	}
	mu := -d.next // the instant lies mu samples before the newest one
	d.next += d.step
	p := int(mu*interpPhases + 0.5)
	if p < 0 || p > interpPhases { // only if the clock was corrupted
		p = interpPhases
		d.next = d.step
	}
	taps := d.f.taps[p]
	win := d.hist[d.pos : d.pos+d.n]
	win = win[:len(taps)]
	re, im := dot(win, taps)
	return Complex{re, im}, true
}

// histSlack is how many samples the history takes before it slides back:
// one copy of the window every 512 samples, instead of a second store of
// every sample into a ring.
const histSlack = 512

// slide moves the newest n-1 samples to the end of the history, making
// room below them.
func (d *Demodulator) slide() {
	copy(d.hist[len(d.hist)-d.n+1:], d.hist[:d.n-1])
	d.pos = len(d.hist) - d.n + 1
}

// AdjustTiming moves the next sampling instant by dt input samples (positive
// is later). Each call is limited to a quarter of a sample so a wild timing
// error cannot skip or repeat an output.
func (d *Demodulator) AdjustTiming(dt float64) {
	switch {
	case dt > 0.25:
		dt = 0.25
	case dt < -0.25:
		dt = -0.25
	case dt != dt: // NaN from a diverged loop: ignore it
		return
	}
	d.next += dt
}

// SetCarrier changes the mixing frequency (for a coarse frequency
// correction), keeping the phase.
func (d *Demodulator) SetCarrier(hz float64) { d.nco.SetFrequency(-hz) }

// Reset clears the filter history and the clock.
func (d *Demodulator) Reset() {
	clear(d.hist)
	d.pos = histSlack
	d.next = d.step
}

// dot returns Σ x[k]·h[k] for complex x and real h (len(h) >= len(x)),
// with two sums per part so the additions pipeline.
func dot(x []Complex, h []float64) (re, im float64) {
	h = h[:len(x)]
	var r0, i0, r1, i1 float64
	k := 0
	for ; k+1 < len(x); k += 2 {
		a, b := x[k], x[k+1]
		r0 += a.Re * h[k]
		i0 += a.Im * h[k]
		r1 += b.Re * h[k+1]
		i1 += b.Im * h[k+1]
	}
	if k < len(x) {
		r0 += x[k].Re * h[k]
		i0 += x[k].Im * h[k]
	}
	return r0 + r1, i0 + i1
}
