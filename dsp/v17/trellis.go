package v17

import "math"

// The trellis code of V.17 (the same as V.32bis): two of the scrambled bits
// of each symbol, Q1 and Q2, are differentially encoded into Y1 and Y2
// (Table 1/V.32bis, which V.17 repeats), which drive an 8-state systematic convolutional encoder
// producing the redundant bit Y0 (Figure 1/V.32bis). Y0, Y1, Y2 select one of
// eight subsets of the constellation, the remaining bits Q3... a point in it.

// trellisNext[s][y] is the encoder state after state s takes input y =
// Y2Y1. The state holds the three delay elements W1 (bit 0), W2 (bit 1) and
// W3 (bit 2) of that figure; the encoder's output Y0 is W1, the bit
// leaving the register, before the update.
var trellisNext = func() (t [8][4]uint8) {
	for s := 0; s < 8; s++ {
		w1, w2, w3 := s&1, s>>1&1, s>>2&1
		for y := 0; y < 4; y++ {
			y1, y2 := y&1, y>>1
			n1 := y2 ^ w2 ^ (y1 & w1)
			n2 := y2 ^ y1 ^ w3 ^ ((y2 ^ w2) & w1)
			n3 := w1
			t[s][y] = uint8(n1 | n2<<1 | n3<<2)
		}
	}
	return t
}()

// trellisPrev[n] lists the four transitions into state n: each as the
// previous state and the input Y2Y1 that leads to n.
var trellisPrev = func() (p [8][4]struct{ state, y uint8 }) {
	var count [8]int
	for s := 0; s < 8; s++ {
		for y := 0; y < 4; y++ {
			n := trellisNext[s][y]
			p[n][count[n]] = struct{ state, y uint8 }{uint8(s), uint8(y)}
			count[n]++
		}
	}
	return p
}()

// trellisEncoder is the differential plus convolutional encoder.
type trellisEncoder struct {
	diff  uint8 // Y2Y1 of the previous symbol
	state uint8 // convolutional encoder state
}

// encode maps the data bits q of one symbol (Q1 in bit 0) to the label of
// the signal element to send.
func (e *trellisEncoder) encode(q uint8) uint8 {
	// Table 1: Y2Y1 = Q2Q1 + previous Y2Y1, modulo 4.
	e.diff = (e.diff + q) & 3
	y0 := e.state & 1
	e.state = trellisNext[e.state][e.diff]
	return (q&^3)<<1 | e.diff<<1 | y0
}

// diffDecode undoes the differential encoding of a label's Y2Y1 given the previous one.
func diffDecode(y, prev uint8) uint8 { return (y - prev) & 3 }

// tracebackDepth is how many symbols the Viterbi decoder looks back before
// it decides: survivors of this 8-state code merge within a few constraint
// lengths. tracebackChunk symbols are decided per traceback, which cuts the
// work per symbol to (depth+chunk)/chunk steps at the cost of a delay that
// varies between tracebackDepth and tracebackDepth+tracebackChunk-1.
const (
	tracebackDepth = 24
	tracebackChunk = 8
	viterbiHistory = tracebackDepth + tracebackChunk
)

// trellisBranches[n] lists, for each of the four transitions into state n,
// the previous state and the subset label Y2 Y1 Y0 the branch sends.
var trellisBranches = func() (b [8][4]struct{ from, set uint8 }) {
	for n := range trellisPrev {
		for k, t := range trellisPrev[n] {
			b[n][k].from = t.state
			b[n][k].set = t.y<<1 | t.state&1
		}
	}
	return b
}()

// viterbi is a soft-decision Viterbi decoder for the V.17 trellis code.
// Branch metrics are squared Euclidean distances from the received point to
// the nearest point of each subset; each survivor remembers the full label
// it decided, so the uncoded bits come out with the coded ones.
type viterbi struct {
	metric [8]float64
	// Ring buffers over time: the predecessor state and the label decided
	// on the surviving branch into each state.
	from  [viterbiHistory][8]uint8
	label [viterbiHistory][8]uint8
	pos   int // index of the newest entry
	fill  int // entries written since the last reset
	out   [tracebackChunk]uint8
}

func (v *viterbi) reset() { *v = viterbi{} }

// step takes the nearest point of each subset and its squared distance for
// one received symbol. Every tracebackChunk symbols, once enough history is
// there, it returns the next tracebackChunk decided labels, oldest first;
// otherwise it returns nil.
func (v *viterbi) step(idx *[8]uint8, dist *[8]float64) []uint8 {
	v.pos++
	if v.pos == viterbiHistory {
		v.pos = 0
	}
	from := &v.from[v.pos]
	lab := &v.label[v.pos]
	// Add-compare-select, written out for the eight states: states 0-3 are
	// reached from the even states by the even subsets, 4-7 from the odd
	// states by the odd subsets (trellisBranches, which TestViterbiUnrolled
	// checks this against).
	m := &v.metric
	var next [8]float64
	var k [8]uint8
	next[0], k[0] = acs4(m[0]+dist[0], m[2]+dist[6], m[4]+dist[2], m[6]+dist[4])
	next[1], k[1] = acs4(m[0]+dist[6], m[2]+dist[0], m[4]+dist[4], m[6]+dist[2])
	next[2], k[2] = acs4(m[0]+dist[2], m[2]+dist[4], m[4]+dist[0], m[6]+dist[6])
	next[3], k[3] = acs4(m[0]+dist[4], m[2]+dist[2], m[4]+dist[6], m[6]+dist[0])
	next[4], k[4] = acs4(m[1]+dist[1], m[3]+dist[3], m[5]+dist[7], m[7]+dist[5])
	next[5], k[5] = acs4(m[1]+dist[5], m[3]+dist[7], m[5]+dist[3], m[7]+dist[1])
	next[6], k[6] = acs4(m[1]+dist[7], m[3]+dist[5], m[5]+dist[1], m[7]+dist[3])
	next[7], k[7] = acs4(m[1]+dist[3], m[3]+dist[1], m[5]+dist[5], m[7]+dist[7])
	for n := range k {
		br := &trellisBranches[n]
		kn := k[n] & 3
		from[n] = br[kn].from
		lab[n] = idx[br[kn].set&7]
	}
	v.metric = next
	v.fill++
	if v.fill < viterbiHistory || (v.fill-viterbiHistory)%tracebackChunk != 0 {
		return nil
	}
	// Find the best state, the way acs4 finds the best branch, and keep
	// the metrics small: only their differences matter, and between two
	// tracebacks they grow by no more than a few branch metrics.
	key := uint64(math.MaxUint64)
	for n, m := range next {
		key = min(key, math.Float64bits(m)&^7|uint64(n))
	}
	lo, bestState := next[key&7], int(key&7)
	for n := range next {
		v.metric[n] = next[n] - lo
	}
	// Trace back from the best state through the newest tracebackDepth
	// symbols, then collect the labels of the tracebackChunk before them.
	s := uint8(bestState)
	p := v.pos
	for i := 0; i < tracebackDepth; i++ {
		s = v.from[p][s&7]
		if p--; p < 0 {
			p = viterbiHistory - 1
		}
	}
	for i := tracebackChunk - 1; i >= 0; i-- {
		v.out[i] = v.label[p][s&7]
		s = v.from[p][s&7]
		if p--; p < 0 {
			p = viterbiHistory - 1
		}
	}
	return v.out[:]
}

// acs4 returns the least of four path metrics and its position. Metrics
// are never negative (distances, and metrics less their minimum), and
// non-negative floats order like their bit patterns, so the comparison is
// made on integers with the position in the two lowest bits: the
// compiler turns integer min into conditional moves, and the decisions,
// which follow the noise, cost no mispredicted branches. (Clearing those
// two bits changes a metric by under 2^-50 of itself.)
func acs4(a, b, c, d float64) (float64, uint8) {
	m := min(math.Float64bits(a)&^3, math.Float64bits(b)&^3|1,
		math.Float64bits(c)&^3|2, math.Float64bits(d)&^3|3)
	return math.Float64frombits(m &^ 3), uint8(m & 3)
}
