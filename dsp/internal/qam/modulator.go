package qam

import "math"

// Modulator is a transmitter's pulse shaper and carrier in one, for
// symbols drawn from a fixed set of points (a constellation, its training
// points and silence) and pushed by index. It yields real passband samples
// at 8 kHz equal to Re(Shaper output · e^(j2πfc·n/8000)) for sample n.
//
// When the carrier and the symbol clock repeat together every few samples
// (1700 Hz and 2400 baud every 80; 1800 Hz and 1600, 1200 or 2400 baud
// every 40) the whole shaped, modulated waveform of a point is known in
// advance for each place in that period where a symbol can start. So a
// symbol is sent by adding one precomputed row into a ring of output
// accumulators (overlap-add): no multiplication at all, about nine float32
// additions per output sample for an 8-symbol pulse.
type Modulator struct {
	inc, nph, acc int // symbol clock: advance per sample, phases per symbol, phase
	period, k     int // samples in the joint period of carrier and clock; sample index in it
	np            int // number of points
	// rows[k*np+p] is the waveform of point p when it starts at sample k of
	// the period: its contribution to that sample and the following
	// len-1. Phases where no symbol starts have no rows.
	rows [][]float32
	span int       // samples one symbol reaches: the length of each row
	acc2 []float32 // 2·span accumulators; acc2[pos+d] is the sum for d samples ahead
	pos  int
	syms [fillChunk]int // symbols due in Fill's current round
}

// maxPeriod bounds the tables: a carrier and baud rate that repeat
// together less often than this are not supported.
const maxPeriod = 2000

// NewModulator returns a modulator for a carrier at carrierHz (a whole
// number of hertz), baud symbols per second, roll-off beta and a pulse of
// span symbols, whose symbols are points[i], pushed by index. It is
// normalised like Shaper: symbols of mean energy Es give a passband signal
// of mean power Es/2. It returns nil if carrier and baud rate do not
// repeat together within 2000 samples, or for no points or more than 256.
func NewModulator(carrierHz, baud int, beta float64, span int, points []Complex) *Modulator {
	if len(points) == 0 || len(points) > 256 {
		return nil
	}
	sh := NewShaper(baud, beta, span)
	nph := len(sh.phases)
	cper := 8000 / gcd(8000, carrierHz)
	period := nph / gcd(nph, cper) * cper
	if period > maxPeriod {
		return nil
	}
	// taps[k][i]: weight of the i-th newest symbol at sample k of the
	// period, carrier folded in: out = Σ taps.Re·Re(sym) + taps.Im·Im(sym).
	taps := make([][]Complex, period)
	starts := make([]bool, period) // a symbol starts at sample k
	acc := 0
	for k := range taps {
		acc += sh.inc
		if acc >= nph {
			acc -= nph
			starts[k] = true
		}
		s, c := math.Sincos(2 * math.Pi * float64(carrierHz) * float64(k) / 8000)
		t := make([]Complex, sh.n)
		for i, h := range sh.phases[acc] {
			t[i] = Complex{h * c, -h * s}
		}
		taps[k] = t
	}
	// A symbol that starts at sample k0 is the i-th newest at sample k0+d
	// while fewer than n newer ones have started; span is the longest such
	// reach over all start phases.
	reach := 0
	for k0 := range period {
		if !starts[k0] {
			continue
		}
		i, d := 0, 0
		for ; i < sh.n; d++ {
			if d > 0 && starts[(k0+d)%period] {
				i++
			}
		}
		reach = max(reach, d-1)
	}
	np := len(points)
	m := &Modulator{
		inc: sh.inc, nph: nph, period: period, np: np,
		rows: make([][]float32, period*np),
		span: reach,
		acc2: make([]float32, 2*reach),
	}
	for k0 := range period {
		if !starts[k0] {
			continue
		}
		for p, pt := range points {
			row := make([]float32, reach)
			i := 0
			for d := range reach {
				k := (k0 + d) % period
				if d > 0 && starts[k] {
					i++
				}
				if i < sh.n {
					t := taps[k][i]
					row[d] = float32(pt.Re*t.Re + pt.Im*t.Im)
				}
			}
			m.rows[k0*np+p] = row
		}
	}
	return m
}

// Reset clears the output accumulators and the clocks.
func (m *Modulator) Reset() {
	clear(m.acc2)
	m.acc, m.k, m.pos = 0, 0, 0
}

// fillChunk is how many samples Fill produces per round of symbol
// requests; syms holds the symbols of one round.
const fillChunk = 256

// Fill writes passband samples scaled by gain, rounded and clipped to
// int16, into out, calling next for the index of each symbol as it falls
// due (an index outside the points sends silence). When next reports
// ok=false, Fill stops before that sample and returns the number of
// samples written; a later Fill resumes there.
//
// It works in rounds: first it asks next for all the symbols due in the
// next fillChunk samples, then it renders those samples in a loop without
// calls, which keeps the clocks in registers.
func (m *Modulator) Fill(out []int16, gain float64, next func() (point int, ok bool)) int {
	done := 0
	for done < len(out) {
		n := min(len(out)-done, fillChunk)
		// Symbols fall due where the clock wraps: the j-th (from 0) at
		// the sample s with acc + (s+1)·inc >= (j+1)·nph.
		due := (m.acc + n*m.inc) / m.nph
		got := 0
		for got < due {
			p, ok := next()
			if !ok {
				break
			}
			m.syms[got] = p
			got++
		}
		if got < due {
			// Stop just before the sample where symbol got falls due.
			n = ((got+1)*m.nph-m.acc+m.inc-1)/m.inc - 1
			m.render(out[done:done+n], gain)
			return done + n
		}
		m.render(out[done:done+n], gain)
		done += n
	}
	return done
}

// render writes len(out) samples, taking the symbols due from m.syms.
func (m *Modulator) render(out []int16, gain float64) {
	acc, k, pos := m.acc, m.k, m.pos
	inc, nph, np, span, period := m.inc, m.nph, m.np, m.span, m.period
	buf := m.acc2[:2*span]
	syms := m.syms[:]
	rows := m.rows
	g := float32(gain)
	si := 0
	for i := range out {
		if acc += inc; acc >= nph {
			acc -= nph
			p := syms[si&(len(syms)-1)]
			si++
			if uint(p) < uint(np) {
				addRow(buf[pos:pos+span], rows[k*np+p])
			}
		}
		out[i] = clip16f(buf[pos] * g)
		if k++; k == period {
			k = 0
		}
		if pos++; pos == span {
			// The first half has been read out: move the second half down
			// and start it afresh.
			copy(buf[:span], buf[span:])
			clear(buf[span:])
			pos = 0
		}
	}
	m.acc, m.k, m.pos = acc, k, pos
}

// addRow adds row into dst (len(dst) >= len(row)), four at a time: the
// compiler neither unrolls nor vectorises, and four independent additions
// per iteration halve the loop overhead.
func addRow(dst, row []float32) {
	dst = dst[:len(row)]
	j := 0
	for ; j+3 < len(row); j += 4 {
		d := (*[4]float32)(dst[j : j+4])
		r := (*[4]float32)(row[j : j+4])
		d[0] += r[0]
		d[1] += r[1]
		d[2] += r[2]
		d[3] += r[3]
	}
	for ; j < len(row); j++ {
		dst[j] += row[j]
	}
}

// clip16f is Clip16 for float32, which the modulator's sums are: the
// rounding offset 32768.5 and every in-range sum plus it are exact enough
// in float32 (an error below 2^-7 of a sample step).
func clip16f(v float32) int16 {
	if v >= 32767 {
		return 32767
	}
	if !(v > -32768) {
		return -32768
	}
	return int16(int32(v+32768.5) - 32768)
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
