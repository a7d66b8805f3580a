package qam

import "math"

// interpPhases is how finely the Demodulator resolves sampling instants:
// 1/64 of a sample, under 0.5% of a symbol at 2400 baud.
const interpPhases = 64

// Demodulator is the front of a receiver: it mixes real 8 kHz samples down
// to complex baseband and filters them with a root-raised-cosine matched
// filter that is evaluated only at the instants the timing loop asks for,
// at arbitrary fractions of a sample, so symbol timing is recovered by
// moving the instants rather than by resampling. It yields two samples per
// symbol (T/2), the input of a fractionally spaced equalizer and of a
// Gardner timing detector.
//
// The mixing is done as each sample comes in, where it costs little: it
// depends on nothing that comes later, so the processor does it alongside
// the work on the previous output. (Turning the filter's taps by the
// carrier instead, and removing the carrier once per output, does fewer
// multiplications but puts a rotation on the path from one output through
// the timing loop to the next, and measured slower.)
//
// Carrier frequency offsets are left in the baseband signal for the
// equalizer and the PLL after it to remove.
type Demodulator struct {
	f    *MatchedFilter
	rot  []Complex // f.rot, one load nearer for Push
	hist []Complex // mixed samples, newest at pos, sliding towards 0
	n    int
	pos  int
	t    int     // the carrier's phase for the next sample, as a place in f.rot
	step float64 // nominal input samples per output sample (half a symbol)
	next float64 // time of the next output, in input samples after the newest
}

// MatchedFilter is a Demodulator's carrier and interpolating matched
// filter: read-only once made, so one serves any number of demodulators
// (make it once per modem and rate: it takes thousands of evaluations of
// the pulse).
type MatchedFilter struct {
	sps float64 // input samples per symbol
	// taps[p][k] is h(k - c - p/interpPhases), k = 0 the newest sample:
	// the pulse delayed by p/interpPhases of a sample.
	taps [interpPhases + 1][]float64
	// rot[t] is e^(-jωt) over one period of the carrier at 8 kHz (40
	// samples for 1800 Hz, 80 for 1700 Hz): exact, where a phase
	// accumulator read through a table would add phase noise.
	rot []Complex
}

// NewMatchedFilter returns the filter for a carrier at carrierHz (rounded
// to a whole number of hertz) and baud symbols per second, with roll-off
// beta and a pulse truncated to span symbols. baud must be below 4000 (two
// outputs per symbol must not exceed the sample rate).
func NewMatchedFilter(carrierHz, baud, beta float64, span int) *MatchedFilter {
	sps := 8000 / baud
	n := int(math.Ceil(float64(span)*sps)) + 1
	hz := int(math.Round(carrierHz))
	w := 2 * math.Pi * float64(hz) / 8000
	f := &MatchedFilter{sps: sps, rot: make([]Complex, 8000/gcd(abs(hz), 8000))}
	for t := range f.rot {
		f.rot[t] = Expj(-w * float64(t))
	}
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

func abs(x int) int { return max(x, -x) }

// NewDemodulator returns a demodulator through the filter f.
func NewDemodulator(f *MatchedFilter) *Demodulator {
	n := len(f.taps[0])
	return &Demodulator{
		f:    f,
		rot:  f.rot,
		n:    n,
		hist: make([]Complex, n+histSlack),
		pos:  histSlack,
		step: f.sps / 2,
		next: f.sps / 2,
	}
}

// Delay returns the filter's group delay in input samples.
func (d *Demodulator) Delay() float64 { return float64(d.n-1) / 2 }

// Push mixes one input sample down into the history and reports whether a
// half-symbol instant falls within it; if so, call Output before the next
// Push. Small enough to inline. The history always has room for the
// samples up to the next output (pos > next+1, restored by Output and
// AdjustTiming).
func (d *Demodulator) Push(x float64) (due bool) {
	m := d.rot[d.t]
	if d.t++; d.t == len(d.rot) {
		d.t = 0
	}
	d.pos--
	d.hist[d.pos] = Complex{x * m.Re, x * m.Im}
	d.next--
	return d.next <= 0
}

// Output returns the matched-filter output at the instant that Push found
// due, d.next (at most 0) samples after the newest sample, and schedules
// the next one.
func (d *Demodulator) Output() Complex {
	mu := -d.next // the instant lies mu samples before the newest one
	d.next += d.step
	p := int(mu*interpPhases + 0.5)
	if p < 0 || p > interpPhases { // only if the clock was corrupted
		p = interpPhases
		d.next = d.step
	}
	re, im := dotReal(d.hist[d.pos:d.pos+d.n], d.f.taps[p])
	if float64(d.pos) <= d.next+1 {
		d.slide()
	}
	return Complex{re, im}
}

// histSlack is how many samples the history takes before it slides back:
// one copy of the window every 512 samples, instead of a second store of
// every sample into a ring.
const histSlack = 512

// slide moves the newest n-1 samples to the end of the history, making
// room below them.
func (d *Demodulator) slide() {
	p := len(d.hist) - d.n + 1
	copy(d.hist[p:], d.hist[d.pos:d.pos+d.n-1])
	d.pos = p
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
	// Never in the past nor more than a symbol ahead, however often it
	// is called.
	d.next = min(max(d.next+dt, 0), 2*d.step)
	if float64(d.pos) <= d.next+1 {
		d.slide()
	}
}

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
