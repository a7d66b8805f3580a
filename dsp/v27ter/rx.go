package v27ter

import (
	"fmt"
	"math"
	"sync"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
	"github.com/softfax/softfax/dsp/internal/scrambler"
)

// Default carrier detector thresholds, within the usual GSTN modem rule
// (on for signals above -43 dBm0, off below -48 dBm0) with 3 dB of
// hysteresis.
const (
	DefaultCarrierOn  = -45.0
	DefaultCarrierOff = -48.0
)

// rxStage is the receiver's state.
type rxStage int

const (
	rxHunt  rxStage = iota // looking for the 180° reversals of segment 3
	rxTrain                // segment 4: training on the conditioning pattern
	rxOnes                 // segment 5 of a long sequence: checking scrambled ones
	rxData                 // trained: decoding data
)

func (s rxStage) String() string {
	return [...]string{"hunt", "train", "ones", "data"}[s]
}

// Receiver tuning. Symbols are normalised to unit radius by the AGC before
// the equalizer, so error thresholds are in units of the constellation.
const (
	eqTaps = 17 // T/2 taps; the centre tap (8) is a symbol instant
	// minReversals is how many 180° reversals in a row must precede the
	// phase hop that starts segment 4. The short sequence has only 14, of
	// which the first few go on the carrier detector, the AGC and the
	// timing loop. Noise rarely passes (none in 80 s of noise at -40 to
	// 0 dBm0 in the tests: the test also wants similar amplitudes), and a
	// false start is abandoned silently after earlyCheck symbols.
	minReversals = 6
	// reversalCos is the cosine of the widest angle from 180° (or from 0°
	// for the hop) accepted as a reversal: 40°.
	reversalCos = 0.766
	// maxOffsetHz is the largest carrier offset believed from the
	// reversals; V.27 ter requires ±7 Hz.
	maxOffsetHz = 20.0
	// rotLen is how many of the latest reversals estimate the offset.
	rotLen = 6
	// earlyCheck is the symbol of segment 4 at which a start that is not
	// converging (noise that looked like reversals) is silently abandoned,
	// and earlyMaxErr the mean squared error it must be under by then.
	earlyCheck  = 24
	earlyMaxErr = 0.35
	// decideLen symbols after the first seg4Short of segment 4 decide
	// between a short sequence (they are segment 5's scrambled ones) and a
	// long one (they are more conditioning pattern).
	decideLen = seg5Len
	// lostMSE is the mean squared error in data mode above which the
	// signal is taken as gone even if the line is not quiet (noise).
	lostMSE = 0.5
	// dropRatio is the fall in power, from the training's, that ends a
	// reception at once (-20 dB).
	dropRatio = 0.01
)

// Receiver is a V.27 ter demodulator. It hunts for the synchronizing
// sequence (long or short, told apart by the signal itself), trains on it,
// then delivers descrambled data bits until the carrier drops.
type Receiver struct {
	p      params
	sink   dsp.BitSink
	status dsp.StatusFunc

	cd    qam.CarrierDetect
	demod *qam.Demodulator
	gard  qam.Gardner
	eq    *qam.Equalizer
	pll   qam.PLL

	sample int64 // index of the sample being processed
	stage  rxStage
	up     bool // CarrierUp reported and CarrierDown not yet
	// fastPower is a quicker power meter than the carrier detector's, for
	// an end of signal that is not an end of energy, in units of
	// 2^-fastFrac sample units² (integers: a step of the meter is three
	// one-cycle operations, where in floating point it is three of three
	// or four cycles, all on a chain from sample to sample); dropLevel is
	// the level below which it ends a reception: dropRatio of the carrier
	// detector's power when the training started, or -1 while hunting
	// (one comparison a sample covers both).
	fastPower, dropLevel int64
	odd                  bool // the next T/2 sample is a half-way one
	// retime is the timing correction from the last symbol instant, made
	// after the half-way output that follows it: the next instant does not
	// then wait on this symbol's matched filter, Gardner detector and loop
	// (a chain the processor could not overlap with anything), and the
	// loop sees one T/2 more delay, nothing at its gains.
	retime float64

	// hunting
	agc       qam.AGC // brings symbols to unit radius; its Power is the running mean |y|² at symbol instants (before it)
	eqPower   float64 // running mean |x|² of the equalizer's input
	midPower  float64 // and half-way between them
	flipHold  int     // symbols before the next parity check
	skipHalf  bool    // drop one T/2 sample to swap symbol and half-way instants
	prev      qam.Complex
	reversals int
	// rot holds -z_k·conj(z_k-1) for the latest reversals: their phase is
	// the carrier offset per symbol. Only the latest count: the first
	// ones are disturbed by the AGC and timing settling.
	rot [rotLen]qam.Complex

	// training
	count    int              // symbols of segment 4 (or 5) seen
	state    uint8            // expected absolute phase, units of 45°
	model    scrambler.V27ter // the far transmitter's scrambler, as it should be
	alt      scrambler.V27ter // the short-sequence hypothesis during the decision
	altState uint8
	errLong  float64 // squared error sums for the two hypotheses
	errShort float64
	mse      float64 // running mean squared error
	errSum   float64

	// data
	descr scrambler.V27ter

	saved     []qam.Complex // equalizer taps from the last good training
	haveSaved bool
}

// rxFilters holds the receivers' matched filters per baud rate, made on
// first use.
var rxFilters = map[int]func() *qam.MatchedFilter{
	1200: sync.OnceValue(func() *qam.MatchedFilter { return qam.NewMatchedFilter(CarrierHz, 1200, rolloff, rxSpan) }),
	1600: sync.OnceValue(func() *qam.MatchedFilter { return qam.NewMatchedFilter(CarrierHz, 1600, rolloff, rxSpan) }),
}

// rxSpan is the matched filter's length in symbols. Three are enough at
// roll-off 0.5: the truncated pulse's residual ISI is left to the
// equalizer, and the BER table of bench/modems.sh (6-16 dB, both rates) is
// the same as with five symbols' span, at 21 instead of 35 taps at 1200
// baud (16 instead of 26 at 1600).
const rxSpan = 3

// NewReceiver returns a receiver that delivers bits to sink and status
// changes to status (which may be nil).
func NewReceiver(cfg Config, sink dsp.BitSink, status dsp.StatusFunc) (*Receiver, error) {
	p, err := paramsFor(cfg.Rate)
	if err != nil {
		return nil, err
	}
	if sink == nil {
		return nil, fmt.Errorf("v27ter: nil bit sink")
	}
	on, off := cfg.CarrierOn, cfg.CarrierOff
	if on == 0 {
		on = DefaultCarrierOn
	}
	if off == 0 {
		off = DefaultCarrierOff
	}
	if off > on {
		return nil, fmt.Errorf("v27ter: carrier off threshold %v dBm0 above on threshold %v dBm0", off, on)
	}
	if status == nil {
		status = func(dsp.Status, int64) {}
	}
	r := &Receiver{
		p:      p,
		sink:   sink,
		status: status,
		cd:     qam.NewCarrierDetect(on, off),
		demod:  qam.NewDemodulator(rxFilters[p.baud]()),
		eq:     qam.NewEqualizer(eqTaps),
		saved:  make([]qam.Complex, eqTaps),
	}
	r.hunt()
	return r, nil
}

// fastFrac is the number of fraction bits of the fast power meter: the
// truncation of its steps then costs under 1/16 of a sample unit².
const fastFrac = 8

// Receive demodulates a block of samples.
func (r *Receiver) Receive(in []int16) {
	for _, s := range in {
		x := float64(s)
		r.fastPower += (int64(s)*int64(s)<<fastFrac - r.fastPower) >> 4 // 16 samples
		if r.fastPower < r.dropLevel {
			// The far end stopped: 20 dB down in a few milliseconds,
			// long before the detector's slower meter decays.
			r.carrierDown()
		}
		if r.cd.Push(x) {
			if r.cd.Up() {
				r.carrierUp()
			} else if r.up {
				r.carrierDown()
			} else {
				r.hunt()
			}
		}
		if r.demod.Push(x) {
			r.halfSymbol(r.demod.Output())
		}
		r.sample++
	}
}

// carrierUp reports a carrier, once until it goes down.
func (r *Receiver) carrierUp() {
	if !r.up {
		r.up = true
		r.status(dsp.CarrierUp, r.sample)
	}
}

// carrierDown ends a reception: keep a still well-trained equalizer for a
// short sequence that may follow, and hunt again.
func (r *Receiver) carrierDown() {
	if r.stage == rxData && r.mse < lostMSE/2 {
		copy(r.saved, r.eq.Taps())
		r.haveSaved = true
	}
	r.up = false
	r.status(dsp.CarrierDown, r.sample)
	r.hunt()
}

// hunt (re)starts the search for a synchronizing sequence.
func (r *Receiver) hunt() {
	r.stage = rxHunt
	r.dropLevel = -1
	r.reversals = 0
	r.flipHold = 4
	if r.haveSaved {
		r.eq.SetTaps(r.saved)
	} else {
		r.eq.SetCentre(qam.Complex{Re: 1})
	}
}

// halfSymbol takes one matched-filter output at a T/2 instant.
func (r *Receiver) halfSymbol(y qam.Complex) {
	if r.skipHalf {
		r.skipHalf = false
		return
	}
	p := y.Abs2()
	if r.odd = !r.odd; !r.odd {
		r.demod.AdjustTiming(r.retime)
		r.retime = 0
		// The half-way sample: only the hunt's parity check looks at it.
		r.midPower += (p - r.midPower) * (1.0 / 4)
		x := r.agc.Scale(y)
		r.eqPower += (x.Abs2() - r.eqPower) * (1.0 / 16)
		r.eq.Push(x)
		r.gard.Push(y)
		return
	}
	if r.stage == rxHunt {
		r.agc.Follow(p, 1.0/4)
	}
	x := r.agc.Scale(y)
	r.eqPower += (x.Abs2() - r.eqPower) * (1.0 / 16)
	r.eq.Push(x)
	if e, ok := r.gard.Push(y); ok {
		r.retime = r.timingGain() * e
	}
	if z := r.eq.Output(); r.stage == rxData {
		r.dataSymbol(z) // the usual case, without a call through symbol
	} else {
		r.symbol(z)
	}
}

// timingGain is the Gardner loop gain: fast while hunting, slow once the
// timing is found.
func (r *Receiver) timingGain() float64 {
	switch r.stage {
	case rxHunt:
		return 0.15
	case rxTrain:
		return 0.04
	}
	return 0.01
}

// symbol handles one equalizer output at a symbol instant.
func (r *Receiver) symbol(z qam.Complex) {
	switch r.stage {
	case rxHunt:
		r.huntSymbol(z)
	case rxTrain:
		r.trainSymbol(z)
	case rxOnes:
		r.onesSymbol(z)
	case rxData:
		r.dataSymbol(z)
	}
}

// huntSymbol looks for segment 3's reversals and the phase hop into
// segment 4 (whose first symbol repeats the last reversal: the scrambler's
// first bit from its seed is 0).
func (r *Receiver) huntSymbol(z qam.Complex) {
	prev := r.prev
	r.prev = z
	if r.flipHold--; r.flipHold <= 0 && r.midPower > 2*r.agc.Power {
		// We are sampling near the zero crossings of reversals, where the
		// Gardner loop is slowest to pull away: move by half a symbol.
		r.skipHalf = true
		r.agc.Power, r.midPower = r.midPower, r.agc.Power
		r.flipHold = 6
		r.reversals = 0
		return
	}
	c := z.MulConj(prev)
	m := (z.Abs2() + prev.Abs2()) / 2
	if m < 0.1 {
		r.reversals = 0
		return
	}
	switch {
	case c.Re < -reversalCos*m:
		r.reversals++
		r.rot[r.reversals%rotLen] = c.Scale(-1)
	case c.Re > reversalCos*m && r.reversals >= minReversals && r.cd.Up():
		r.startTraining(z)
	default:
		r.reversals = 0
	}
}

// startTraining begins segment 4 at its first symbol z.
func (r *Receiver) startTraining(z qam.Complex) {
	// The reversals rotate by the carrier offset each symbol. An
	// implausible estimate is left to the carrier loop to correct.
	var sum qam.Complex
	for _, c := range r.rot[:min(r.reversals, rotLen)] {
		sum = sum.Add(c)
	}
	w := sum.Arg()
	if math.Abs(w)*float64(r.p.baud)/(2*math.Pi) > maxOffsetHz {
		w = 0
	}
	r.carrierUp()
	r.dropLevel = int64(r.cd.Power() * dropRatio * (1 << fastFrac))
	r.pll.Reset(z.Arg()+w, w)
	r.model = scrambler.V27ter{Reg: trainingSeed}
	r.model.Scramble(1) // 0: the hop itself
	r.model.Scramble(1)
	r.model.Scramble(1)
	r.state = 0
	r.count = 1
	r.mse = 1
	r.errSum = 0
	r.stage = rxTrain
}

// train adapts equalizer and carrier loop towards the known symbol d and
// returns the squared error.
func (r *Receiver) train(z qam.Complex, d qam.Complex, mu, alpha, beta float64) float64 {
	r.pll.Alpha, r.pll.Beta = alpha, beta
	e2 := qam.Track(r.eq, &r.pll, r.pll.Derotate(z), d, r.normalised(mu)).Abs2()
	r.mse += (e2 - r.mse) * (1.0 / 16)
	return e2
}

// normalised scales an LMS step for the equalizer's input power (which the
// AGC holds near 1 once trained), so a sudden rise in level slows the
// adaptation instead of making it diverge.
func (r *Receiver) normalised(mu float64) float64 {
	return mu / max(r.eqPower, 0.5)
}

// conditioningStep returns the phase change of one symbol of the
// equalizer conditioning pattern: the first of three scrambler.V27ter bits picks
// 0° or 180°.
func conditioningStep(s *scrambler.V27ter) uint8 {
	b := s.Scramble(1)
	s.Scramble(1)
	s.Scramble(1)
	return uint8(4 * b)
}

// onesStep returns the phase change of one symbol of scrambled ones.
func (r *Receiver) onesStep(s *scrambler.V27ter) uint8 {
	v := 0
	for range r.p.bitsPerSym {
		v = v<<1 | s.Scramble(1)
	}
	if r.p.bitsPerSym == 3 {
		return tribitStep[v]
	}
	return dibitStep[v]
}

// Training loop gains, from fast acquisition to tracking.
const (
	muTrainFast = 0.05
	muTrainSlow = 0.02
	muData      = 0.005
)

// trainSymbol handles a symbol of segment 4.
func (r *Receiver) trainSymbol(z qam.Complex) {
	n := r.count
	r.count++
	mu, alpha, beta := muTrainFast, 0.15, 0.004
	if n > 200 {
		mu, alpha, beta = muTrainSlow, 0.08, 0.001
	}
	switch {
	case n < seg4Short:
		r.state = (r.state + conditioningStep(&r.model)) & 7
		r.train(z, unit8PSK[r.state], mu, alpha, beta)
		if n == earlyCheck && !(r.mse <= earlyMaxErr) { // NaN fails too
			// Not a V.27 ter training after all: say nothing, keep hunting.
			r.hunt()
		}
		return
	case n == seg4Short:
		r.alt = r.model
		r.altState = r.state
		r.errLong, r.errShort = 0, 0
	}
	if n < seg4Short+decideLen {
		// Is this more conditioning pattern, or segment 5 of a short
		// sequence? Follow whichever fits better so far.
		r.state = (r.state + conditioningStep(&r.model)) & 7
		r.altState = (r.altState + r.onesStep(&r.alt)) & 7
		zr := r.pll.Derotate(z)
		r.errLong += unit8PSK[r.state].Sub(zr).Abs2()
		r.errShort += unit8PSK[r.altState].Sub(zr).Abs2()
		d := unit8PSK[r.state]
		if r.errShort < r.errLong {
			d = unit8PSK[r.altState]
		}
		r.train(z, d, muTrainSlow, alpha, beta)
		if n == seg4Short+decideLen-1 && r.errShort < r.errLong {
			r.state = r.altState
			r.model = r.alt
			r.finishTraining(r.errShort / decideLen)
		}
		return
	}
	r.state = (r.state + conditioningStep(&r.model)) & 7
	r.train(z, unit8PSK[r.state], mu, alpha, beta)
	if n == seg4Long-1 {
		r.stage = rxOnes
		r.count = 0
		r.errSum = 0
	}
}

// onesSymbol handles a symbol of segment 5 after a long segment 4.
func (r *Receiver) onesSymbol(z qam.Complex) {
	r.state = (r.state + r.onesStep(&r.model)) & 7
	r.errSum += r.train(z, unit8PSK[r.state], muTrainSlow, 0.08, 0.001)
	if r.count++; r.count == seg5Len {
		r.finishTraining(r.errSum / seg5Len)
	}
}

// finishTraining accepts or rejects the training from the mean squared
// error over segment 5.
func (r *Receiver) finishTraining(mse float64) {
	limit := 0.1 // 8-PSK decision boundaries are 0.38 from each point
	if r.p.bitsPerSym == 2 {
		limit = 0.2
	}
	if !(mse <= limit) { // NaN (a diverged loop) fails too
		r.status(dsp.TrainingFailed, r.sample)
		r.hunt()
		return
	}
	r.descr = r.model
	r.stage = rxData
	r.mse = mse
	copy(r.saved, r.eq.Taps())
	r.haveSaved = true
	r.status(dsp.Trained, r.sample)
}

// dataSymbol decides a data symbol, decodes its phase change and delivers
// the descrambled bits.
func (r *Receiver) dataSymbol(z qam.Complex) {
	zr := r.pll.Derotate(z)
	k := nearestPhase(zr, r.p.bitsPerSym == 2)
	r.pll.Alpha, r.pll.Beta = 0.05, 0.0005
	e := qam.Track(r.eq, &r.pll, zr, unit8PSK[k], r.normalised(muData))
	if r.mse += (e.Abs2() - r.mse) * (1.0 / 64); !(r.mse <= lostMSE) {
		// The signal has gone, though the line is not quiet.
		r.carrierDown()
		return
	}

	step := (k - r.state) & 7
	r.state = k
	if r.p.bitsPerSym == 3 {
		v := r.descr.DescrambleWord(uint32(stepTribit[step]), 3)
		r.sink(int(v >> 2))
		r.sink(int(v>>1) & 1)
		r.sink(int(v) & 1)
		return
	}
	v := r.descr.DescrambleWord(uint32(stepDibit[step]), 2)
	r.sink(int(v >> 1))
	r.sink(int(v) & 1)
}

// Rotations that put the decision boundaries on the axes and diagonals.
var (
	rot8PSK = qam.Expj(math.Pi / 8)
	rot4PSK = qam.Expj(math.Pi / 4)
)

// nearestPhase returns the constellation point nearest to z, in units of
// 45°: one of eight, or with quad one of the four at multiples of 90°.
// Comparisons instead of an arctangent: it runs once per symbol.
func nearestPhase(z qam.Complex, quad bool) uint8 {
	rot := rot8PSK
	if quad {
		rot = rot4PSK
	}
	w := z.Mul(rot)
	// Decided from sign bits and a comparison of magnitudes as integers,
	// without branches: the phases are random, so branches would be
	// mispredicted half the time.
	re, im := math.Float64bits(w.Re), math.Float64bits(w.Im)
	q := quadrantOf[re>>63|im>>63<<1]
	if quad {
		return 2 * q
	}
	// In quadrants 0 and 2 the first 45° have |re| > |im|; in 1 and 3,
	// |im| > |re|.
	const abs = 1<<63 - 1
	first := uint8(uint64(int64(im&abs-re&abs))>>63) ^ q&1
	return 2*q + (first ^ 1)
}

// quadrantOf maps the sign bits of re (bit 0) and im (bit 1) to the
// quadrant, counted anticlockwise from the positive real axis.
var quadrantOf = [4]uint8{0, 1, 3, 2}
