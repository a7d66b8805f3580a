package qam

import "math"

// interpPhases is how finely the Demodulator resolves sampling instants:
// 1/64 of a sample, under 0.5% of a symbol at 2400 baud.
const interpPhases = 64

// Demodulator is the front of a receiver: it brings real 8 kHz samples
// down to complex baseband with a fixed carrier and filters them with a
// root-raised-cosine matched filter that is evaluated at arbitrary
// fractional instants, so symbol timing is recovered by moving the instants
// rather than by resampling. It yields two samples per symbol (T/2), the
// input of a fractionally spaced equalizer and of a Gardner timing detector.
//
// Mixing and filtering are done in the other order, which gives the same
// result: the filter is the matched filter shifted up to the carrier (a
// complex band-pass filter, h(k)·e^(jωk)) applied to the real samples, and
// only its outputs, at the T/2 instants, are mixed down. So a sample that
// is not at an output instant costs a store, not a complex multiplication.
//
// Carrier frequency offsets are left in the baseband signal for the
// equalizer and the PLL after it to remove.
type Demodulator struct {
	f *MatchedFilter
	// The mixer's frequency and, in phase, its phase at hist[0]: the
	// sample at hist[i] has phase phase - step·i (newer samples lie
	// lower), so a sample costs no phase update.
	nco  NCO
	hist []float64 // ring of real input samples, stored twice
	n    int
	pos  int
	// margin is the room kept below the newest sample after an output:
	// more than the samples to the next one, at most 2·step+1.
	margin int
	step   float64 // nominal input samples per output sample (half a symbol)
	next   float64 // time of the next output, in input samples after the newest
}

// MatchedFilter is a Demodulator's carrier and interpolating matched
// filter: read-only once made, so one serves any number of demodulators
// (make it once per modem and rate: it takes thousands of evaluations of
// the pulse).
type MatchedFilter struct {
	carrierHz float64
	sps       float64                     // input samples per symbol
	taps      [interpPhases + 1][]Complex // taps[p][k]: h(k - c - p/interpPhases)·e^(jωk), k = 0 newest
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
	h := make([]float64, n)
	for p := range f.taps {
		var sum float64
		for k := range h {
			h[k] = taperedRRC((float64(k)-c-float64(p)/interpPhases)/sps, beta, span)
			sum += h[k]
		}
		// Unit gain at DC: a baseband constant comes out unchanged, so the
		// output is half the passband amplitude.
		taps := make([]Complex, n)
		for k := range taps {
			taps[k] = Expj(2 * math.Pi * carrierHz / 8000 * float64(k)).Scale(h[k] / sum)
		}
		f.taps[p] = taps
	}
	return f
}

// NewDemodulator returns a demodulator through the filter f.
func NewDemodulator(f *MatchedFilter) *Demodulator {
	n := len(f.taps[0])
	margin := int(math.Ceil(f.sps)) + 2
	return &Demodulator{
		f:      f,
		nco:    newDemodNCO(-f.carrierHz),
		n:      n,
		hist:   make([]float64, n+histSlack+margin),
		margin: margin,
		pos:    histSlack,
		step:   f.sps / 2,
		next:   f.sps / 2,
	}
}

// Delay returns the filter's group delay in input samples.
func (d *Demodulator) Delay() float64 { return float64(d.n-1) / 2 }

// Push enters one input sample. When a half-symbol instant falls within
// this sample it returns the matched-filter output there with ok true.
// A sample costs a store: the mixer's phase follows from its place in the
// history, and the history slides back only at outputs, which come at
// least every 2·step+1 samples (AdjustTiming keeps the next one that
// close).
func (d *Demodulator) Push(x float64) (y Complex, ok bool) {
	d.pos--
	d.hist[d.pos] = x
	d.next--
	if d.next > 0 {
		return Complex{}, false
	}
	return d.output(), true
}

// newDemodNCO returns the mixer for a new demodulator: the first sample,
// at hist[histSlack-1], has phase zero.
func newDemodNCO(hz float64) NCO {
	n := NewNCO(hz)
	n.phase = n.step * (histSlack - 1)
	return n
}

// histSlack is how many samples the history takes before it slides back:
// one copy of the window every ~500 samples.
const histSlack = 512

// slide moves the newest n-1 samples to the end of the history, making
// room below them.
func (d *Demodulator) slide() {
	to := len(d.hist) - d.n + 1
	copy(d.hist[to:], d.hist[d.pos:d.pos+d.n-1])
	d.nco.phase += d.nco.step * uint32(to-d.pos)
	d.pos = to
}

// output evaluates the filter at the instant due within the newest sample
// and mixes it down to baseband.
func (d *Demodulator) output() Complex {
	mu := -d.next // the instant lies mu samples before the newest one
	d.next += d.step
	p := int(mu*interpPhases + 0.5)
	if p < 0 || p > interpPhases { // only if the clock was corrupted
		p = interpPhases
		d.next = d.step
	}
	taps := d.f.taps[p]
	win := d.hist[d.pos : d.pos+d.n]
	re, im := dotReal(win, taps)
	// e^(-jωn) for the newest sample n: the phase before this sample's
	// advance, rounded to the nearest table entry.
	ph := d.nco.phase - d.nco.step*uint32(d.pos) + 1<<(31-ncoBits)
	m := ncoTable[ph>>(32-ncoBits)]
	if d.pos < d.margin {
		d.slide()
	}
	return Complex{re*m.Re - im*m.Im, re*m.Im + im*m.Re}
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
	// Never more than two outputs' time ahead, however often it is
	// called: Push relies on an output at least every 2·step+1 samples.
	d.next = min(d.next+dt, 2*d.step)
}

// Reset clears the filter history and the clock.
func (d *Demodulator) Reset() {
	clear(d.hist)
	// The mixer's phase runs on: the next sample has the phase it would
	// have had.
	d.nco.phase += d.nco.step * uint32(histSlack-d.pos)
	d.pos = histSlack
	d.next = d.step
}

// dotReal returns Σ x[k]·h[k] for real x and complex h (len(h) >= len(x)),
// with four sums per part so the additions pipeline.
func dotReal(x []float64, h []Complex) (re, im float64) {
	h = h[:len(x)]
	var r0, i0, r1, i1, r2, i2, r3, i3 float64
	for len(x) >= 4 && len(h) >= 4 {
		// Array views: one bounds check per four taps.
		xa, ha := (*[4]float64)(x), (*[4]Complex)(h)
		r0 += xa[0] * ha[0].Re
		i0 += xa[0] * ha[0].Im
		r1 += xa[1] * ha[1].Re
		i1 += xa[1] * ha[1].Im
		r2 += xa[2] * ha[2].Re
		i2 += xa[2] * ha[2].Im
		r3 += xa[3] * ha[3].Re
		i3 += xa[3] * ha[3].Im
		x, h = x[4:], h[4:]
	}
	for k := 0; k < len(x) && k < len(h); k++ {
		r0 += x[k] * h[k].Re
		i0 += x[k] * h[k].Im
	}
	return (r0 + r1) + (r2 + r3), (i0 + i1) + (i2 + i3)
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
