package qam

// PointModulator is a Modulator for symbols drawn from a small fixed set
// of points, such as a PSK constellation plus silence. It tabulates every
// point's contribution to every sample of the period, so an output sample
// costs one table load and one addition per symbol in the pulse span
// instead of two multiply-adds. (Added for V.27 ter, whose symbols are the
// eight unit phasors; any PSK modem or training segment can use it.)
type PointModulator struct {
	inc, nph, acc int
	np            int         // number of points
	wave          [][]float32 // per sample of the period: [i*np + point] for the i-th newest symbol
	k             int         // sample index within the period
	hist          []uint8     // ring of the last n point indices, stored twice
	n, pos        int
}

// NewPointModulator returns a modulator like NewModulator's whose symbols
// are points[i], pushed by index. The history starts full of points[0], so
// make points[0] zero for the output to start from silence. It returns nil
// when NewModulator would, or for no points or more than 256.
func NewPointModulator(carrierHz, baud int, beta float64, span int, points []Complex) *PointModulator {
	m := NewModulator(carrierHz, baud, beta, span)
	if m == nil || len(points) == 0 || len(points) > 256 {
		return nil
	}
	np := len(points)
	pm := &PointModulator{inc: m.inc, nph: m.nph, np: np, n: m.n, hist: make([]uint8, 2*m.n)}
	pm.wave = make([][]float32, len(m.taps))
	for k, taps := range m.taps {
		w := make([]float32, m.n*np)
		for i, t := range taps {
			for p, pt := range points {
				w[i*np+p] = float32(pt.Re*t.Re + pt.Im*t.Im)
			}
		}
		pm.wave[k] = w
	}
	return pm
}

// Tick advances the clock by one output sample and reports whether a new
// symbol is due; if so the caller must Push it before Sample.
func (m *PointModulator) Tick() bool {
	m.acc += m.inc
	if m.acc >= m.nph {
		m.acc -= m.nph
		return true
	}
	return false
}

// Push enters the next symbol, as an index into the points.
func (m *PointModulator) Push(point uint8) {
	m.pos--
	if m.pos < 0 {
		m.pos = m.n - 1
	}
	m.hist[m.pos] = point
	m.hist[m.pos+m.n] = point
}

// Sample returns the passband output for this sample and moves on to the
// next one.
func (m *PointModulator) Sample() float64 {
	w := m.wave[m.k]
	if m.k++; m.k == len(m.wave) {
		m.k = 0
	}
	h := m.hist[m.pos : m.pos+m.n]
	np := m.np
	var v0, v1 float32
	i := 0
	for ; i+1 < len(h); i += 2 {
		v0 += w[i*np+int(h[i])]
		v1 += w[(i+1)*np+int(h[i+1])]
	}
	if i < len(h) {
		v0 += w[i*np+int(h[i])]
	}
	return float64(v0 + v1)
}
