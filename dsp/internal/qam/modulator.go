package qam

import "math"

// Modulator is a Shaper and a carrier in one: it takes symbols at the
// baud rate and yields real passband samples at 8 kHz. When the carrier
// and the symbol clock repeat together every few samples (1700 Hz and 2400
// baud every 80; 1800 Hz and 1600, 1200 or 2400 baud every 40) the carrier
// is folded into per-sample tap tables, so a sample costs one real dot
// product and no oscillator.
//
// Its output equals Re(Shaper output · e^(j2πfc·n/8000)) for sample n.
type Modulator struct {
	inc, nph int // symbol clock: advance per sample and phases per symbol
	acc      int
	taps     [][]Complex // per sample of the period: (a, b) per symbol, out = Σ a·Re + b·Im
	k        int         // sample index within the period
	hist     []Complex   // ring of the last n symbols, stored twice
	n, pos   int
}

// maxPeriod bounds the tables: a carrier and baud rate that repeat
// together less often than this are not supported.
const maxPeriod = 2000

// NewModulator returns a modulator for a carrier at carrierHz (a whole
// number of hertz), baud symbols per second, roll-off beta and a pulse of
// span symbols, normalised like Shaper: symbols of mean energy Es give a
// passband signal of mean power Es/2. It returns nil if carrier and baud
// rate do not repeat together within 2000 samples.
func NewModulator(carrierHz, baud int, beta float64, span int) *Modulator {
	sh := NewShaper(baud, beta, span)
	nph := len(sh.phases)
	cper := 8000 / gcd(8000, carrierHz)
	period := nph / gcd(nph, cper) * cper
	if period > maxPeriod {
		return nil
	}
	m := &Modulator{inc: sh.inc, nph: nph, n: sh.n, hist: make([]Complex, 2*sh.n)}
	m.taps = make([][]Complex, period)
	acc := 0
	for k := range m.taps {
		acc = (acc + sh.inc) % nph // the phase Sample sees after Tick
		s, c := math.Sincos(2 * math.Pi * float64(carrierHz) * float64(k) / 8000)
		t := make([]Complex, sh.n)
		for i, h := range sh.phases[acc] {
			t[i] = Complex{h * c, -h * s}
		}
		m.taps[k] = t
	}
	return m
}

// Tick advances the clock by one output sample and reports whether a new
// symbol is due; if so the caller must Push it before Sample.
func (m *Modulator) Tick() bool {
	m.acc += m.inc
	if m.acc >= m.nph {
		m.acc -= m.nph
		return true
	}
	return false
}

// Push enters the next symbol.
func (m *Modulator) Push(sym Complex) {
	m.pos--
	if m.pos < 0 {
		m.pos = m.n - 1
	}
	m.hist[m.pos] = sym
	m.hist[m.pos+m.n] = sym
}

// Sample returns the passband output for this sample and moves on to the
// next one.
func (m *Modulator) Sample() float64 {
	taps := m.taps[m.k]
	m.k++
	if m.k == len(m.taps) {
		m.k = 0
	}
	win := m.hist[m.pos : m.pos+m.n]
	taps = taps[:len(win)]
	// Four independent sums, so the additions pipeline instead of
	// waiting on one another.
	var v0, v1, v2, v3 float64
	i := 0
	for ; i+1 < len(win); i += 2 {
		x, y := win[i], win[i+1]
		a, b := taps[i], taps[i+1]
		v0 += x.Re * a.Re
		v1 += x.Im * a.Im
		v2 += y.Re * b.Re
		v3 += y.Im * b.Im
	}
	if i < len(win) {
		v0 += win[i].Re*taps[i].Re + win[i].Im*taps[i].Im
	}
	return (v0 + v1) + (v2 + v3)
}

// Reset clears the symbol history and the clocks.
func (m *Modulator) Reset() {
	clear(m.hist)
	m.acc, m.k, m.pos = 0, 0, 0
}

// Fill writes passband samples scaled by gain, rounded and clipped to
// int16, into out, calling next for each symbol as it falls due. When next
// reports ok=false, Fill stops before that sample and returns the number
// of samples written. It is Tick, Push and Sample in one loop, with the
// clocks kept in registers.
func (m *Modulator) Fill(out []int16, gain float64, next func() (sym Complex, ok bool)) int {
	acc, k, pos := m.acc, m.k, m.pos
	n, nph, inc := m.n, m.nph, m.inc
	hist := m.hist
	for i := range out {
		acc += inc
		if acc >= nph {
			acc -= nph
			sym, ok := next()
			if !ok {
				acc -= inc
				if acc < 0 {
					acc += nph
				}
				m.acc, m.k, m.pos = acc, k, pos
				return i
			}
			pos--
			if pos < 0 {
				pos = n - 1
			}
			hist[pos] = sym
			hist[pos+n] = sym
		}
		taps := m.taps[k]
		if k++; k == len(m.taps) {
			k = 0
		}
		if n == 9 {
			// The common 8-symbol pulse, unrolled over fixed-size views:
			// no bounds checks, no loop (about 15% faster).
			w := (*[9]Complex)(hist[pos : pos+9])
			t := (*[9]Complex)(taps)
			v0 := w[0].Re*t[0].Re + w[2].Re*t[2].Re + w[4].Re*t[4].Re + w[6].Re*t[6].Re + w[8].Re*t[8].Re
			v1 := w[0].Im*t[0].Im + w[2].Im*t[2].Im + w[4].Im*t[4].Im + w[6].Im*t[6].Im + w[8].Im*t[8].Im
			v2 := w[1].Re*t[1].Re + w[3].Re*t[3].Re + w[5].Re*t[5].Re + w[7].Re*t[7].Re
			v3 := w[1].Im*t[1].Im + w[3].Im*t[3].Im + w[5].Im*t[5].Im + w[7].Im*t[7].Im
			out[i] = Clip16(((v0 + v1) + (v2 + v3)) * gain)
			continue
		}
		win := hist[pos : pos+n]
		taps = taps[:len(win)]
		var v0, v1, v2, v3 float64
		j := 0
		for ; j+1 < len(win); j += 2 {
			x, y := win[j], win[j+1]
			a, b := taps[j], taps[j+1]
			v0 += x.Re * a.Re
			v1 += x.Im * a.Im
			v2 += y.Re * b.Re
			v3 += y.Im * b.Im
		}
		if j < len(win) {
			v0 += win[j].Re*taps[j].Re + win[j].Im*taps[j].Im
		}
		out[i] = Clip16(((v0 + v1) + (v2 + v3)) * gain)
	}
	m.acc, m.k, m.pos = acc, k, pos
	return len(out)
}

// Clip16 rounds v to the nearest int16 sample (halves up), saturating.
func Clip16(v float64) int16 {
	// Plain comparisons: the max/min builtins also order NaNs and signed
	// zeros, which costs time per sample. NaN ends up as -32768.
	if v >= 32767 {
		return 32767
	}
	if !(v > -32768) {
		return -32768
	}
	// Shifted positive, truncation is floor: round half up.
	return int16(int32(v+32768.5) - 32768)
}
