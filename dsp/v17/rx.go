package v17

import (
	"math"
	"math/bits"
	"sync"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
	"github.com/softfax/softfax/dsp/internal/scrambler"
)

// Carrier detection thresholds: V.17 requires the carrier detector to turn
// on above -43 dBm0 and off below -48 dBm0, with hysteresis.
const (
	carrierOnDBm0  = -45.5
	carrierOffDBm0 = -48.5
	// dropBelowTrained is where, relative to the power heard when
	// training ends, a trained receiver's carrier ends: 12 dB down, well
	// below the dips of a QAM envelope over the 4 ms power meter, so that
	// line noise above the off level does not hold the carrier up.
	dropBelowTrained = 0.063
)

// Receiver front-end parameters.
const (
	rxRolloff = 0.25 // matched filter roll-off, as our transmitter's
	rxSpan    = 6    // matched filter length in symbols
	eqTaps    = 21   // T/2 equalizer taps; eqTaps/2 is even so the centre tap is a symbol instant

	// LMS steps, for an equalizer input normalised to unit power.
	eqFastStep = 0.25 / eqTaps
	eqSlowStep = 0.04 / eqTaps
	eqDataStep = 0.015 / eqTaps

	// Long train: symbols of segment 2 trained with the fast step.
	seg2FastLen = 1200
	// Training-error window at the end of segment 2 (long train).
	seg2TestLen = 256
	// Symbols of segment 2 of the short train left out of its error
	// measurement while the carrier phase settles.
	seg2ShortSkip = 8

	// ABAB detection: the averages must look like alternations for this
	// many symbols' worth (exponential window 1/abWindow).
	abWindow    = 16
	abMinCount  = 24
	abThreshold = 0.8
	// Symbols of segment 1 after detection within which the phase reversal
	// into segment 2 must come.
	abTimeout = seg1Len + 32
)

type rxStage int

const (
	rxIdle rxStage = iota // no carrier
	rxHunt                // carrier present, looking for segment 1
	rxSeg1                // segment 1 found, waiting for the phase reversal
	rxSeg2                // training on the CDBA pattern
	rxSeg3                // bridge (long train)
	rxSeg4                // trellis-coded ones: decoder winds up
	rxData                // data bits to the sink
)

// Receiver is a V.17 demodulator. It reports carrier and training changes
// to its StatusFunc and data bits (after the training) to its BitSink.
type Receiver struct {
	p      *rateParams
	rate   int
	short  bool
	sink   dsp.BitSink
	status dsp.StatusFunc
	sample int64 // index of the sample being processed

	cd   qam.CarrierDetect
	dem  *qam.Demodulator
	gard qam.Gardner
	eq   *qam.Equalizer
	pll  qam.PLL

	stage rxStage
	count int // symbols in the current stage

	// Level normalisation ahead of the equalizer.
	agc    qam.AGC
	powerN int

	// Segment 1 detection.
	prev1, prev2 qam.Complex
	abAlt        qam.Complex // mean of alternating-sign z·conj(z-1), normalised
	abRep        qam.Complex // mean of z·conj(z-2), normalised
	abPow        float64     // mean |z|²
	expect       int         // training point expected next in segment 1

	scr     scrambler.V29
	trainPt int
	errSum  float64
	errN    int
	eqStep  float64

	vit       viterbi
	confident float64 // squared distance below which a data decision trains the loops
	prevY     uint8
	decoded   int // symbols out of the Viterbi decoder since segment 4 began

	saved     []qam.Complex // equalizer taps from the last good long train
	haveSaved bool
}

// rxFilter is the receivers' matched filter, made on first use.
var rxFilter = sync.OnceValue(func() *qam.MatchedFilter {
	return qam.NewMatchedFilter(CarrierHz, BaudRate, rxRolloff, rxSpan)
})

// NewReceiver returns a receiver for cfg.Rate, expecting a long train, or
// a short one when cfg.ShortTrain is set (see Restart). The transmitter's
// other settings are not needed.
func NewReceiver(cfg Config, sink dsp.BitSink, status dsp.StatusFunc) (*Receiver, error) {
	rate := cfg.Rate
	p, err := lookupRate(rate)
	if err != nil {
		return nil, err
	}
	if sink == nil {
		sink = func(int) {}
	}
	if status == nil {
		status = func(dsp.Status, int64) {}
	}
	r := &Receiver{
		p: p, rate: rate, short: cfg.ShortTrain, sink: sink, status: status,
		cd:    qam.NewCarrierDetect(carrierOnDBm0, carrierOffDBm0),
		dem:   qam.NewDemodulator(rxFilter()),
		eq:    qam.NewEqualizer(eqTaps),
		saved: make([]qam.Complex, eqTaps),
	}
	return r, nil
}

// Restart prepares the receiver for the next transmission at rate, trained
// with the short train when short is true. A short train reuses the
// equalizer of the last successful long train (V.17 intends the short train
// only after a long one on the same connection); without one the receiver
// trains from scratch on the short train, which works on a clean line. The
// carrier detector keeps running across a restart.
func (r *Receiver) Restart(rate int, short bool) error {
	p, err := lookupRate(rate)
	if err != nil {
		return err
	}
	r.p, r.rate, r.short = p, rate, short
	if r.cd.Up() {
		r.startHunt()
	} else {
		r.stage = rxIdle
	}
	return nil
}

// Receive demodulates a block of samples.
func (r *Receiver) Receive(in []int16) {
	for _, s := range in {
		x := float64(s)
		if r.cd.Push(x) {
			if r.cd.Up() {
				r.status(dsp.CarrierUp, r.sample)
				r.startHunt()
			} else {
				r.status(dsp.CarrierDown, r.sample)
				r.stage = rxIdle
			}
		}
		if r.stage != rxIdle {
			if r.dem.Push(x) {
				r.push(r.dem.Output())
			}
		}
		r.sample++
	}
}

func (r *Receiver) startHunt() {
	r.stage = rxHunt
	r.count = 0
	r.dem.Reset()
	r.gard.Reset()
	if r.short && r.haveSaved {
		r.eq.Reset(qam.Complex{})
		r.eq.SetTaps(r.saved)
	} else {
		r.eq.Reset(qam.Complex{Re: 1})
	}
	r.pll.Reset(0, 0)
	r.agc.Reset()
	r.powerN = 0
	r.prev1, r.prev2 = qam.Complex{}, qam.Complex{}
	r.abAlt, r.abRep, r.abPow = qam.Complex{}, qam.Complex{}, 0
	r.scr = scrambler.V29{Reg: scramblerSeed}
	r.vit.reset()
}

// push takes one T/2 output of the front end; at each symbol instant it
// hands the equalized, derotated symbol to the training or data logic.
func (r *Receiver) push(y qam.Complex) {
	if r.stage == rxHunt {
		// Follow the level until segment 1 is found, then hold it: the
		// equalizer takes over gain tracking.
		r.powerN++
		r.agc.Follow(y.Abs2(), 1/float64(min(r.powerN, 64)))
	}
	y = r.agc.Scale(y)
	r.eq.Push(y)
	e, sym := r.gard.Push(y)
	if !sym {
		return
	}
	z := r.pll.Derotate(r.eq.Output())
	// A diverged loop (or a timing error that is not a number): start again.
	if qam.Diverged(z) || !(math.Abs(e) < 1e6) {
		if r.stage >= rxSeg2 && r.stage < rxData {
			r.status(dsp.TrainingFailed, r.sample)
		}
		r.startHunt()
		return
	}
	gain := 0.02
	if r.stage <= rxSeg1 {
		gain = 0.1
	}
	r.dem.AdjustTiming(gain * e)
	r.symbol(z)
}

func (r *Receiver) fail() {
	r.status(dsp.TrainingFailed, r.sample)
	r.startHunt()
}

// train adapts the equalizer and the carrier loop towards a known target.
func (r *Receiver) train(z, target qam.Complex, step float64) qam.Complex {
	return qam.Track(r.eq, &r.pll, z, target, step)
}

func tp(i int) qam.Complex {
	p := trainingPoints[i]
	return qam.Complex{Re: p.re, Im: p.im}
}

// symbol processes one equalized, derotated symbol.
func (r *Receiver) symbol(z qam.Complex) {
	switch r.stage {
	case rxHunt:
		r.hunt(z)
	case rxSeg1:
		want := tp(r.expect)
		if z.Re*want.Re+z.Im*want.Im < 0 {
			// The phase reversal: this is the first symbol of segment 2.
			r.stage, r.count = rxSeg2, 0
			r.errSum, r.errN = 0, 0
			r.eqStep = eqFastStep
			if r.short {
				r.eqStep = eqSlowStep
			}
			r.segment2(z)
			return
		}
		r.pll.Update(qam.PhaseError(z, want))
		r.expect ^= 1
		r.count++
		if r.count > abTimeout {
			r.fail()
		}
	case rxSeg2:
		r.segment2(z)
	case rxSeg3:
		shift := uint(r.count&7) * 2
		d1 := r.scr.Scramble(int(bridgeWord >> shift & 1))
		d := d1<<1 | r.scr.Scramble(int(bridgeWord>>(shift+1)&1))
		r.trainPt = (r.trainPt + bridgeTurn[d]) & 3
		r.train(z, tp(r.trainPt), eqSlowStep)
		r.count++
		if r.count == seg3Len {
			r.startSegment4()
		}
	case rxSeg4, rxData:
		r.decide(z)
		if r.stage == rxSeg4 {
			r.count++
			if r.count == seg4Len {
				r.stage = rxData
				r.cd.RaiseOff(r.cd.Power() * dropBelowTrained)
				if !r.short {
					copy(r.saved, r.eq.Taps())
					r.haveSaved = true
				}
				r.status(dsp.Trained, r.sample)
			}
		}
	}
}

// hunt looks for segment 1: symbols alternating between two points a
// quarter turn apart (A, B = jA), each equal to the one two symbols back.
func (r *Receiver) hunt(z qam.Complex) {
	r.count++
	p1, p2 := r.prev1, r.prev2
	r.prev2, r.prev1 = p1, z
	a := z.Abs()
	b, c := p1.Abs(), p2.Abs()
	if a == 0 || b == 0 || c == 0 {
		return
	}
	alt := z.MulConj(p1).Scale(1 / (a * b))
	if r.count&1 == 1 {
		alt = alt.Scale(-1)
	}
	rep := z.MulConj(p2).Scale(1 / (a * c))
	const k = 1.0 / abWindow
	r.abAlt = r.abAlt.Add(alt.Sub(r.abAlt).Scale(k))
	r.abRep = r.abRep.Add(rep.Sub(r.abRep).Scale(k))
	r.abPow += (z.Abs2() - r.abPow) * k
	if r.count < abMinCount || r.abRep.Re < abThreshold ||
		math.Abs(r.abAlt.Im) < abThreshold || math.Abs(r.abAlt.Re) > 1-abThreshold {
		return
	}
	// Segment 1 found. B·conj(A) = j|A|², so the symbol just seen is B when
	// z·conj(z-1) points to +j.
	im := r.abAlt.Im
	if r.count&1 == 1 {
		im = -im
	}
	cur := pointA
	if im > 0 {
		cur = pointB
	}
	if !(r.short && r.haveSaved) {
		// Scale the equalizer so the training points come out at their
		// nominal size.
		r.eq.SetCentre(qam.Complex{Re: math.Sqrt(40 / r.abPow)})
		z = z.Scale(math.Sqrt(40 / r.abPow))
	}
	freq := r.abRep.Arg() / 2 // radians per symbol
	phase := z.MulConj(tp(cur)).Arg()
	r.pll.Reset(phase+freq, freq)
	r.pll.Alpha, r.pll.Beta = 0.1, 0.004
	r.expect = cur ^ 1
	r.stage, r.count = rxSeg1, 0
}

// segment2 trains on one symbol of the scrambled CDBA pattern.
func (r *Receiver) segment2(z qam.Complex) {
	d1 := r.scr.Scramble(1)
	d := d1<<1 | r.scr.Scramble(1)
	r.trainPt = cdbaPoint[d]
	n := seg2LongLen
	if r.short {
		n = seg2ShortLen
	}
	step := r.eqStep
	if r.count == seg2FastLen {
		r.eqStep = eqSlowStep
		r.pll.Alpha, r.pll.Beta = 0.05, 0.001
	}
	err := r.train(z, tp(r.trainPt), step)
	if (r.short && r.count >= seg2ShortSkip) || (!r.short && r.count >= n-seg2TestLen) {
		r.errSum += err.Abs2()
		r.errN++
	}
	r.count++
	if r.count < n {
		return
	}
	mse := r.errSum / float64(max(r.errN, 1))
	if !(mse <= r.p.minDist2/4) { // NaN fails too
		r.fail()
		return
	}
	if r.short {
		r.startSegment4()
		return
	}
	r.stage, r.count = rxSeg3, 0
}

func (r *Receiver) startSegment4() {
	r.stage, r.count = rxSeg4, 0
	r.vit.reset()
	r.decoded = 0
	// The frequency is known by now; in data mode the loop mostly holds it.
	r.pll.Alpha, r.pll.Beta = 0.04, 0.0002
	// A decision is confident within 0.35 of the minimum distance.
	r.confident = 0.35 * 0.35 * r.p.minDist2
}

// subsetKey orders subset s by its distance d (not negative, so its bit
// pattern orders like it), with s in the low three bits.
func subsetKey(d float64, s uint64) uint64 { return math.Float64bits(d)&^7 | s }

// decide runs one data-mode symbol: the nearest point of each subset feeds
// the Viterbi decoder, and the nearest of all drives the equalizer and the
// carrier loop at once (the decoder's decision comes too late for them).
func (r *Receiver) decide(z qam.Complex) {
	var idx [8]uint8
	var dist [8]float64
	pts := r.p.padded
	r.p.nearest(z.Re, z.Im, &idx, &dist)
	// The nearest of all, by keys (subsetKey) compared without branches;
	// taken as a tree, so the comparisons run three deep rather than
	// eight.
	key := qam.MinKey(
		qam.MinKey(qam.MinKey(subsetKey(dist[0], 0), subsetKey(dist[1], 1)), qam.MinKey(subsetKey(dist[2], 2), subsetKey(dist[3], 3))),
		qam.MinKey(qam.MinKey(subsetKey(dist[4], 4), subsetKey(dist[5], 5)), qam.MinKey(subsetKey(dist[6], 6), subsetKey(dist[7], 7))))
	best := int(key & 7)
	// Adapt only on confident decisions: near the threshold a wrong one
	// pulls the equalizer gain down and biases the carrier loop, and at a
	// low signal-to-noise ratio the loops would wander off.
	if dist[best] < r.confident {
		d := pts[idx[best]]
		r.train(z, qam.Complex{Re: d.re, Im: d.im}, eqDataStep)
	} else {
		r.pll.Update(0)
	}
	for _, label := range r.vit.step(&idx, &dist) {
		y := label >> 1 & 3
		q := (label>>1)&^3 | diffDecode(y, r.prevY)
		r.prevY = y
		r.decoded++
		// Descrambled a symbol at a time: Q1 (bit 0) is first in time,
		// DescrambleWord wants the first bit most significant.
		n := uint(r.p.bitsPerSymbol)
		out := r.scr.DescrambleWord(uint32(bits.Reverse8(q))>>(8-n), n)
		if r.decoded > seg4Len {
			for i := int(n) - 1; i >= 0; i-- {
				r.sink(int(out >> i & 1))
			}
		}
	}
}
