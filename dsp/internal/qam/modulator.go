package qam

import "math"

// Modulator is a transmitter's pulse shaper and carrier in one, for
// symbols drawn from a fixed set of points (a constellation, its training
// points and silence) and sent by index. It yields real passband samples
// at 8 kHz equal to Re(Shaper output · e^(j2πfc·n/8000)) for sample n.
//
// When the carrier and the symbol clock repeat together every few samples
// (1700 Hz and 2400 baud every 80; 1800 Hz and 1600, 1200 or 2400 baud
// every 40) the whole shaped, modulated waveform of a point is known in
// advance for each place in that period where a symbol can start. So a
// symbol is sent by adding one precomputed row into a ring of output
// accumulators (overlap-add), with no multiplication. The tables are
// Waveforms, made once and shared; a Modulator holds only its clocks and
// accumulators.
//
// The rows are in fixed point, two consecutive samples to an int64: the
// pair (lo, hi) is stored as hi·2^32 + lo, a plain signed sum, so adding
// two pairs adds both samples at once and the low sample's carries and
// borrows land in the high one exactly as in the sum of the pairs, to be
// taken back out when it is read (see render). That halves the additions:
// about 4.5 per output sample for an 8-symbol pulse. Two consecutive
// symbols' rows are added in one pass, so each accumulator is loaded and
// stored once for both; with the zero pairs stored between rows that pass
// has the same length whatever the symbols' offset, and for V.17 and V.29
// it is written out in full.
type Modulator struct {
	w      *Waveforms
	acc, k int            // symbol clock phase; sample index in the period
	ring   []int64        // accumulator pairs; the sum for sample pos+d is in ring[(pos+d)/2]
	pos    int            // 0 or 1: the parity of the next sample, as of k
	syms   [fillChunk]int // symbols due in Fill's current round
	clips  bool           // the current gain can take a sample beyond int16
}

// Waveforms are the tables of a Modulator: read-only once made, so one set
// serves any number of modulators (make it once per modem and rate).
type Waveforms struct {
	inc, nph int // symbol clock: advance per sample, phases per symbol
	period   int // samples in the joint period of carrier and clock
	np       int // number of points
	// rows[(k*np+p)*pitch+pad:][:pairs] is the waveform of point p when it
	// starts at sample k of the period, as sample pairs starting at the
	// pair that holds sample k (k odd: its high half). Phases where no
	// symbol starts have zero rows; so has the extra row at the end, for
	// silence. Every row has pad zero pairs before it, and the table pad
	// more after the last, so that two symbols that start up to pad pairs
	// apart add in one pass of pairs+pad (see render).
	rows  []int64
	pairs int     // pairs in a row that can be non-zero
	pad   int     // zero pairs before each row
	pitch int     // pairs from a row to the next: pairs+pad
	gap   []int   // gap[k]: samples from a symbol starting at sample k of the period to the next
	shift uint    // fixed-point scale of the rows: 2^shift per unit
	bound float64 // no accumulated sample exceeds this in magnitude, in row units
}

// maxPeriod bounds the tables: a carrier and baud rate that repeat
// together less often than this are not supported.
const maxPeriod = 2000

// NewModulator returns a modulator, at rest, that sends the waveforms w.
func NewModulator(w *Waveforms) *Modulator {
	return &Modulator{w: w, ring: make([]int64, w.ringLen())}
}

// NewWaveforms returns the tables for a carrier at carrierHz (a whole
// number of hertz), baud symbols per second, roll-off beta and a pulse of
// span symbols, whose symbols are points[i], pushed by index. They are
// normalised like Shaper: symbols of mean energy Es give a passband signal
// of mean power Es/2. It returns nil if carrier and baud rate do not
// repeat together within 2000 samples (or in an odd number of samples),
// or for no points.
func NewWaveforms(carrierHz, baud int, beta float64, span int, points []Complex) *Waveforms {
	if len(points) == 0 {
		return nil
	}
	sh := NewShaper(baud, beta, span)
	nph := len(sh.phases)
	cper := 8000 / gcd(8000, carrierHz)
	period := nph / gcd(nph, cper) * cper
	if period > maxPeriod || period%2 != 0 {
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
	// while fewer than n newer ones have started; reach is the longest
	// such run over all start phases.
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
	// waves[k0][p][d]: the waveform in floating point.
	waves := make([][][]float64, period)
	var peak float64 // bound of |sample| from any one symbol
	for k0 := range period {
		if !starts[k0] {
			continue
		}
		waves[k0] = make([][]float64, len(points))
		for p, pt := range points {
			w := make([]float64, reach)
			i := 0
			for d := range w {
				k := (k0 + d) % period
				if d > 0 && starts[k] {
					i++
				}
				if i < sh.n {
					t := taps[k][i]
					w[d] = pt.Re*t.Re + pt.Im*t.Im
					peak = max(peak, math.Abs(w[d]))
				}
			}
			waves[k0][p] = w
		}
	}
	// At most n+1 symbols overlap in a sample; keep their sum within
	// 2^30 so neither half of a pair can overflow.
	shift := uint(24)
	for shift > 8 && peak*float64(sh.n+1)*float64(uint64(1)<<shift) >= 1<<30 {
		shift--
	}
	pairs := reach/2 + 1
	gap := make([]int, period)
	maxGap := 0
	for k0 := range period {
		if starts[k0] {
			d := 1
			for !starts[(k0+d)%period] {
				d++
			}
			gap[k0] = d
			maxGap = max(maxGap, d)
		}
	}
	// Symbols maxGap samples apart start at most this many pairs apart.
	pad := (maxGap + 1) / 2
	np := len(points)
	w := &Waveforms{
		inc: sh.inc, nph: nph, period: period, np: np,
		rows:  make([]int64, (period*np+1)*(pairs+pad)+pad),
		pairs: pairs,
		pad:   pad,
		pitch: pairs + pad,
		gap:   gap,
		shift: shift,
	}
	scale := float64(uint64(1) << shift)
	// The largest |sum| a sample can reach, in row units: at each sample
	// of the period, the largest contribution of every symbol that can
	// overlap it, rounding included.
	var bound float64
	for t := range period {
		var b float64
		for d := range reach {
			k0 := ((t-d)%period + period) % period
			if !starts[k0] {
				continue
			}
			var m float64
			for _, wave := range waves[k0] {
				m = max(m, math.Abs(wave[d]))
			}
			b += m*scale + 0.5
		}
		bound = max(bound, b)
	}
	w.bound = bound
	for k0, ws := range waves {
		odd := k0 & 1
		for p, wave := range ws {
			row := w.rows[(k0*np+p)*w.pitch+pad:][:pairs]
			for j := range row {
				var lo, hi int64
				if d := 2*j - odd; d >= 0 && d < len(wave) {
					lo = int64(math.Round(wave[d] * scale))
				}
				if d := 2*j + 1 - odd; d < len(wave) {
					hi = int64(math.Round(wave[d] * scale))
				}
				row[j] = hi<<32 + lo
			}
		}
	}
	return w
}

// ringLen is the accumulator pairs a Modulator needs: a round of samples
// plus the reach of the symbols that start in its last sample, with room
// for the odd start.
func (w *Waveforms) ringLen() int { return fillChunk/2 + w.pitch + 2 }

// Use switches the modulator to the waveforms w and resets it; it
// allocates only if w's pulses are longer than any it had.
func (m *Modulator) Use(w *Waveforms) {
	if w.ringLen() > cap(m.ring) {
		m.ring = make([]int64, w.ringLen())
	}
	m.w, m.ring = w, m.ring[:w.ringLen()]
	m.Reset()
}

// Reset clears the output accumulators and the clocks.
func (m *Modulator) Reset() {
	clear(m.ring)
	m.acc, m.k, m.pos = 0, 0, 0
}

// fillChunk is how many samples Fill produces per round of symbol
// requests; syms holds the symbols of one round.
const fillChunk = 256

// Fill writes passband samples scaled by gain, rounded and clipped to
// int16, into out. It asks next for the indices of the symbols as they fall
// due (an index outside the points sends silence): next fills as many of
// syms as it can and returns how many. When that is fewer than asked for,
// the transmission ends there: Fill stops before the sample where the first
// missing symbol falls due and returns the number of samples written.
//
// It works in rounds: first it asks next for all the symbols due in the
// next fillChunk samples, at once so that a transmitter's symbol loop runs
// without a call per symbol, then it renders those samples in a loop
// without calls, which keeps the clocks in registers.
func (m *Modulator) Fill(out []int16, gain float64, next func(syms []int) int) int {
	// Samples are (sum·g + 2^31) >> 32: g carries the gain and undoes the
	// rows' scale; |sum| < 2^30 and g <= 2^33 keep the product in range.
	// (A gain that needs a larger g saturates every sample anyway: NewModulator
	// chose the scale so that one symbol's peak times such a gain is above
	// 2^25.)
	g := int64(math.Round(min(max(gain, 0)*float64(uint64(1)<<(32-m.w.shift)), 1<<33)))
	// With a gain that cannot reach full scale, no sample needs clipping.
	m.clips = m.w.bound*float64(g) >= 32767<<32
	done := 0
	for done < len(out) {
		n := min(len(out)-done, fillChunk)
		// Symbols fall due where the clock wraps: the j-th (from 0) at
		// the sample s with acc + (s+1)·inc >= (j+1)·nph.
		due := (m.acc + n*m.w.inc) / m.w.nph
		got := 0
		if due > 0 {
			got = min(next(m.syms[:due]), due)
		}
		if got < due {
			// Stop just before the sample where symbol got falls due.
			n = ((got+1)*m.w.nph-m.acc+m.w.inc-1)/m.w.inc - 1
			m.render(out[done:done+n], g)
			return done + n
		}
		m.render(out[done:done+n], g)
		done += n
	}
	return done
}

// render writes len(out) <= fillChunk samples, sending the symbols due in
// them from m.syms: first it adds the symbols' rows where they start, two
// symbols at a time, then it reads the samples out, two to a pair, four
// pairs at a time, with no clipping when the gain cannot need it.
func (m *Modulator) render(out []int16, g int64) {
	w := m.w
	n := len(out)
	np, pairs, pad, pitch, period := w.np, w.pairs, w.pad, w.pitch, w.period
	// The first symbol starts s samples from now: the least s with
	// acc + (s+1)·inc >= nph.
	s := (w.nph-m.acc+w.inc-1)/w.inc - 1
	k := m.k + s
	if k >= period {
		k -= period
	}
	// The rows, two symbols at a time: each accumulator pair is read and
	// written once for both, which halves the memory traffic. r1 and r2
	// are where the rows' data start; an index outside the points takes
	// the zero row at the end of the table.
	rows, ring, gap, pos := w.rows, m.ring, w.gap, m.pos
	zero := period*np*pitch + pad
	for j := 0; s < n; j += 2 {
		r1, b1 := zero, (pos+s)>>1
		if p := m.syms[j&(fillChunk-1)]; uint(p) < uint(np) {
			r1 = (k*np+p)*pitch + pad
		}
		d := gap[k]
		s += d
		if k += d; k >= period {
			k -= period
		}
		if s >= n { // the round's last symbol
			addRows(ring[b1:b1+pairs], rows[r1:r1+pairs])
			break
		}
		r2, b2 := zero, (pos+s)>>1
		if p := m.syms[(j+1)&(fillChunk-1)]; uint(p) < uint(np) {
			r2 = (k*np+p)*pitch + pad
		}
		d = gap[k]
		s += d
		if k += d; k >= period {
			k -= period
		}
		// The second row starts delta <= pad pairs after the first: over
		// pairs+pad accumulators, the first row then the zeros before the
		// next in the table, and the zeros before the second then it.
		delta := b2 - b1
		if pitch == 18 { // V.17 and V.29: 16 pairs and 2 of padding
			addRowPair18((*[18]int64)(ring[b1:b1+18]), (*[18]int64)(rows[r1:r1+18]), (*[18]int64)(rows[r2-delta:r2-delta+18]))
		} else {
			addRowPair(ring[b1:b1+pitch], rows[r1:r1+pitch], rows[r2-delta:r2-delta+pitch])
		}
	}
	// Read out: the low sample of a pair is exact while |sum| < 2^31, the
	// high one is what remains with the low one's carries taken out.
	i, q := 0, m.pos
	if q == 1 && n > 0 {
		x := ring[0]
		out[0] = clip(((x - int64(int32(x))) >> 32) * g)
		i, q = 1, 2
	}
	j := q >> 1 // the accumulator pair that holds out[i]
	if !m.clips {
		// The common case, a level below full scale: rounding only.
		for ; i+8 <= n && j+4 <= len(ring); i, j = i+8, j+4 {
			o := (*[8]int16)(out[i : i+8])
			x := (*[4]int64)(ring[j : j+4])
			o[0], o[1] = rounded(x[0], g)
			o[2], o[3] = rounded(x[1], g)
			o[4], o[5] = rounded(x[2], g)
			o[6], o[7] = rounded(x[3], g)
		}
	}
	for ; i+1 < n; i, j = i+2, j+1 {
		x := ring[j]
		lo := int64(int32(x))
		out[i] = clip(lo * g)
		out[i+1] = clip(((x - lo) >> 32) * g)
	}
	if i < n {
		out[i] = clip(int64(int32(ring[j])) * g)
	}
	// Move what is still to come to the front: from the pair that holds
	// the next sample on.
	first := (m.pos + n) >> 1
	kept := copy(ring, ring[first:min(first+pairs+1, len(ring))])
	clear(ring[kept:])
	m.pos = (m.pos + n) & 1
	m.acc = (m.acc + n*w.inc) % w.nph
	m.k = (m.k + n) % period
}

// addRows adds row r into the accumulators d, as long as r.
func addRows(d, r []int64) {
	r = r[:len(d)]
	for i := range d {
		d[i] += r[i]
	}
}

// addRowPair adds the rows r1 and r2, as long as d, into the accumulators
// d.
func addRowPair(d, r1, r2 []int64) {
	r1, r2 = r1[:len(d)], r2[:len(d)]
	i := 0
	for ; i < len(d)-3; i += 4 {
		d[i] += r1[i] + r2[i]
		d[i+1] += r1[i+1] + r2[i+1]
		d[i+2] += r1[i+2] + r2[i+2]
		d[i+3] += r1[i+3] + r2[i+3]
	}
	for ; i < len(d); i++ {
		d[i] += r1[i] + r2[i]
	}
}

// addRowPair18 is addRowPair for the rows of V.17 and V.29 (2400 baud:
// 16 pairs, symbols 3 or 4 samples apart, so 2 of padding). Written out,
// without a loop, the modulator runs a fifth fewer instructions
// (BenchmarkModulatorRender).
func addRowPair18(d, r1, r2 *[18]int64) {
	d[0] += r1[0] + r2[0]
	d[1] += r1[1] + r2[1]
	d[2] += r1[2] + r2[2]
	d[3] += r1[3] + r2[3]
	d[4] += r1[4] + r2[4]
	d[5] += r1[5] + r2[5]
	d[6] += r1[6] + r2[6]
	d[7] += r1[7] + r2[7]
	d[8] += r1[8] + r2[8]
	d[9] += r1[9] + r2[9]
	d[10] += r1[10] + r2[10]
	d[11] += r1[11] + r2[11]
	d[12] += r1[12] + r2[12]
	d[13] += r1[13] + r2[13]
	d[14] += r1[14] + r2[14]
	d[15] += r1[15] + r2[15]
	d[16] += r1[16] + r2[16]
	d[17] += r1[17] + r2[17]
}

// rounded returns the two samples of the accumulator pair x times the gain
// (in units of 2^-32), rounded, halves up, for a gain too small to need
// clipping.
func rounded(x, g int64) (lo, hi int16) {
	l := int64(int32(x))
	return int16((l*g + 1<<31) >> 32), int16((((x-l)>>32)*g + 1<<31) >> 32)
}

// clip rounds a sample times the gain (in units of 2^-32) to int16, halves
// up, saturating.
func clip(v int64) int16 { return int16(min(max((v+1<<31)>>32, -32768), 32767)) }
