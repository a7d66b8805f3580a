package qam

// Equalizer is a complex adaptive FIR equalizer with taps spaced at half a
// symbol (fractionally spaced), adapted by least mean squares. The caller
// pushes every T/2 sample, takes Output at symbol instants, and after a
// decision calls Adapt with the error in the equalizer's own frame.
type Equalizer struct {
	w    []Complex
	hist []Complex // inputs, newest at pos, sliding towards 0
	n    int
	pos  int
	// A deferred LMS step: Adapt records it and the next Output applies it
	// in the same pass over the taps, so a symbol loads and stores each
	// tap once. pendAt is where the window began at that Adapt (the
	// history keeps it until a slide, which applies the step first).
	pending        bool
	pendRe, pendIm float64
	pendAt         int
}

// NewEqualizer returns an equalizer with n taps (an even n is rounded up:
// there must be a centre tap), initially a unit impulse at the centre.
// Choose n = 4k+1 (13, 17, 21, ...) when Output is taken at symbol instants:
// then the centre tap, n/2 samples back, is a symbol instant too.
func NewEqualizer(n int) *Equalizer {
	n |= 1
	e := &Equalizer{w: make([]Complex, n), hist: make([]Complex, n+eqSlack), n: n}
	e.Reset(Complex{1, 0})
	return e
}

// Reset sets the taps to centre at the centre tap, zero elsewhere, and
// clears the input history.
func (e *Equalizer) Reset(centre Complex) {
	e.pending = false
	clear(e.w)
	clear(e.hist)
	e.w[e.n/2] = centre
	e.pos = eqSlack
}

// SetCentre resets the taps to centre at the centre tap, keeping the input
// history.
func (e *Equalizer) SetCentre(centre Complex) {
	e.pending = false
	clear(e.w)
	e.w[e.n/2] = centre
}

// Push enters the next T/2 input sample.
func (e *Equalizer) Push(x Complex) {
	if e.pos == 0 {
		e.slide()
	}
	e.pos--
	e.hist[e.pos] = x
}

// eqSlack is how many inputs the history takes before it slides back: one
// copy of the window every 256 inputs, instead of a second store of every
// input into a ring.
const eqSlack = 256

// slide moves the newest n-1 inputs to the end of the history, making room
// below them.
func (e *Equalizer) slide() {
	e.flush()
	copy(e.hist[len(e.hist)-e.n+1:], e.hist[:e.n-1])
	e.pos = len(e.hist) - e.n + 1
}

// Output returns the filter output for the current history.
func (e *Equalizer) Output() Complex {
	if e.pending {
		return e.adaptOutput()
	}
	re, im := eqOutput(e.w, e.hist[e.pos:e.pos+e.n])
	return Complex{re, im}
}

// Adapt moves the taps by mu·err·conj(x) (LMS), where err is the wanted
// output minus the actual one. For stability mu must stay well below
// 2/(n·input power).
func (e *Equalizer) Adapt(err Complex, mu float64) {
	e.flush()
	e.pending = true
	e.pendRe, e.pendIm = err.Re*mu, err.Im*mu
	e.pendAt = e.pos
}

// flush applies a deferred LMS step now.
func (e *Equalizer) flush() {
	if !e.pending {
		return
	}
	e.pending = false
	eqAdapt(e.w, e.hist[e.pendAt:e.pendAt+e.n], e.pendRe, e.pendIm)
}

// adaptOutput applies the deferred LMS step and returns the output of the
// updated filter, in one pass: the same operations in the same order as
// flush and then Output, so the same results.
func (e *Equalizer) adaptOutput() Complex {
	e.pending = false
	re, im := eqAdaptOutput(e.w, e.hist[e.pos:e.pos+e.n], e.hist[e.pendAt:e.pendAt+e.n], e.pendRe, e.pendIm)
	return Complex{re, im}
}

// Taps returns the taps (read-only; valid until the next Adapt or Output).
func (e *Equalizer) Taps() []Complex {
	e.flush()
	return e.w
}

// Len returns the number of taps.
func (e *Equalizer) Len() int { return e.n }

// SetTaps loads taps saved earlier from Taps (for a receiver that keeps its
// equalizer across a short training sequence), keeping the input history.
// w must have Len() taps; extra or missing taps are ignored.
func (e *Equalizer) SetTaps(w []Complex) {
	e.flush()
	copy(e.w, w)
}
