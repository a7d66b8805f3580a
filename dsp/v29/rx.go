package v29

import (
	"math"
	"sync"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
	"github.com/softfax/softfax/dsp/internal/scrambler"
)

// Receiver tuning. Loop gains are per symbol.
const (
	rxSpan  = 6  // matched filter length in symbols
	eqTaps  = 17 // T/2 spaced; the centre tap (8) sits on a symbol instant
	absWin  = 16 // ABAB statistics time constant, in T/2 samples
	absGood = 12 // symbols the ABAB test must hold before we measure
	absMeas = 8  // symbols averaged for the gain and phase estimate
	// absMax bounds how long we follow alternations before segment 3 must
	// start: segment 2 is 128 symbols, and we lock well after its start.
	absMax = seg2Len + 32

	timingFast = 0.1   // Gardner gain while acquiring on ABAB
	timingMid  = 0.02  // while the equalizer trains
	timingSlow = 0.005 // on data
	timingInt  = 1e-5  // integral gain, from segment 3 on
	muTrain    = 0.02  // LMS step on the known segment 3 pattern
	muTrack    = 0.002 // LMS step on decisions
	// trainMSE is the largest mean squared error that segment 3 may leave,
	// relative to the squared minimum distance of the data constellation:
	// a sixth of it keeps decisions nearly error free (9600: 13 dB SNR).
	trainMSE = 0.17
	// onesFrom is the segment 4 symbol from which every descrambled bit
	// must be a one: by then the descrambler (23 bits) has synchronized.
	onesFrom = 16
	// onesErrors is how many zeros we tolerate in that part of segment 4.
	onesErrors = 2
	// dropBelowTrained is where, relative to the power measured in
	// training, a trained receiver's carrier ends: 12 dB down, well below
	// the dips of a QAM envelope over the 4 ms power meter.
	dropBelowTrained = 0.063
)

// rxStage is the receiver's state.
type rxStage int

const (
	rxIdle    rxStage = iota // no carrier
	rxSearch                 // carrier up, looking for ABAB alternations
	rxMeasure                // alternations found: averaging A and B
	rxABAB                   // following ABAB until segment 3 starts
	rxSeg3                   // training the equalizer on CDCD...
	rxSeg4                   // checking segment 4's scrambled ones
	rxData                   // trained: decoding data
)

// Receiver is a V.29 demodulator. It is not safe for concurrent use.
type Receiver struct {
	rate   int
	sink   dsp.BitSink
	status dsp.StatusFunc
	tp     trainingPoints
	slicer decisions
	energy float64

	cd      qam.CarrierDetect
	demod   *qam.Demodulator
	gardner qam.Gardner
	eq      *qam.Equalizer
	pll     qam.PLL
	agc     qam.AGC // scale of the T/2 samples into the equalizer
	tgain   float64 // timing loop gain
	tacc    float64 // timing loop integrator
	// retime is the timing correction from the last symbol instant, made
	// after the half-way output that follows it, so that the next output
	// does not wait on this one through the Gardner detector and the loop.
	retime float64

	n     int64 // index of the sample being processed
	stage rxStage
	count int // symbols in the current stage

	// ABAB search over T/2 samples.
	last        [4]qam.Complex // the last four T/2 samples, newest at li
	li          int
	r2, r4      qam.Complex // mean of u[m]·conj(u[m-2]) and u[m]·conj(u[m-4])
	pw          float64     // mean of |u[m]|²
	sums        [2]qam.Complex
	aFirst      bool        // the next expected alternation point is A
	recvA       qam.Complex // A and B as received, after the equalizer's
	recvB       qam.Complex // initial gain (ideal A and B on a flat line)
	misses      int
	train       trainingGen
	mse         float64
	prevPhase   int
	scr         scrambler.V29
	onesMissing int
	// failed is set once TrainingFailed has been reported for this
	// carrier: we keep searching, but report it once.
	failed bool
	// errPower is the running mean squared decision error.
	errPower float64
	// sigPower sums the input power over the end of segment 3.
	sigPower float64
}

// rxFilter is the receivers' matched filter (the same at every rate),
// made on first use.
var rxFilter = sync.OnceValue(func() *qam.MatchedFilter {
	return qam.NewMatchedFilter(CarrierHz, Baud, rollOff, rxSpan)
})

// NewReceiver returns a receiver that sends data bits to sink and status
// changes to status (either may be nil, to discard them).
func NewReceiver(cfg Config, sink dsp.BitSink, status dsp.StatusFunc) (*Receiver, error) {
	if err := checkRate(cfg.Rate); err != nil {
		return nil, err
	}
	on, off := cfg.CarrierOn, cfg.CarrierOff
	if on == 0 {
		on = DefaultCarrierOn
	}
	if off == 0 {
		off = DefaultCarrierOff
	}
	if sink == nil {
		sink = func(int) {}
	}
	if status == nil {
		status = func(dsp.Status, int64) {}
	}
	r := &Receiver{
		rate:   cfg.Rate,
		sink:   sink,
		status: status,
		tp:     pointsFor(cfg.Rate),
		energy: meanEnergy(cfg.Rate),
		cd:     qam.NewCarrierDetect(on, off),
		demod:  qam.NewDemodulator(rxFilter()),
		eq:     qam.NewEqualizer(eqTaps),
	}
	r.slicer = decisionsFor[cfg.Rate]
	return r, nil
}

// Receive demodulates a block of samples.
func (r *Receiver) Receive(in []int16) {
	for _, s := range in {
		x := float64(s)
		if r.cd.Push(x) {
			if r.cd.Up() {
				r.carrierUp()
			} else {
				r.carrierDown()
			}
		}
		if r.demod.Push(x) {
			if y := r.demod.Output(); r.stage != rxIdle {
				r.halfSymbol(y)
			}
		}
		r.n++
	}
}

func (r *Receiver) carrierUp() {
	r.status(dsp.CarrierUp, r.n)
	r.failed = false
	r.search()
}

func (r *Receiver) carrierDown() {
	switch r.stage {
	case rxMeasure, rxABAB, rxSeg3, rxSeg4:
		if !r.failed {
			r.status(dsp.TrainingFailed, r.n)
		}
	}
	r.status(dsp.CarrierDown, r.n)
	r.stage = rxIdle
}

// search (re)starts looking for segment 2.
func (r *Receiver) search() {
	r.stage, r.count = rxSearch, 0
	r.gardner.Reset()
	r.eq.SetCentre(qam.C(1, 0))
	r.tgain, r.tacc, r.retime = timingFast, 0, 0
	r.last = [4]qam.Complex{}
	r.r2, r.r4, r.pw = qam.Complex{}, qam.Complex{}, 0
}

// fail reports a failed training (once per carrier) and goes back to
// searching: what failed may have been noise before the real training.
func (r *Receiver) fail() {
	if !r.failed {
		r.failed = true
		r.status(dsp.TrainingFailed, r.n)
	}
	r.search()
}

// halfSymbol handles one T/2 sample from the demodulator.
func (r *Receiver) halfSymbol(y qam.Complex) {
	r.demod.AdjustTiming(r.retime)
	r.retime = 0
	if r.stage == rxSearch {
		// Until we measure the level, keep the samples near unit power:
		// the passband mean square P becomes a baseband power near P/2.
		r.agc.SetPower(r.cd.Power()/2 + 1e-9)
	}
	y = r.agc.Scale(y)
	r.eq.Push(y)
	if r.stage == rxSearch || r.stage == rxMeasure {
		r.alternations(y)
	}
	e, sym := r.gardner.Push(y)
	if !sym {
		return
	}
	// A proportional loop while acquiring; once segment 3 starts, also
	// an integral term that learns a clock offset. (Integrating during
	// the pull-in would wind up and then walk the timing off.)
	if r.stage >= rxSeg3 {
		r.tacc += e * timingInt
	}
	r.retime = e*r.tgain + r.tacc
	r.symbol()
}

// alternations updates the ABAB statistics: segment 2 repeats every two
// symbols (four T/2 samples) and, unlike an unmodulated carrier, changes
// from one symbol to the next.
func (r *Receiver) alternations(u qam.Complex) {
	const k = 1.0 / absWin
	u2 := r.last[(r.li+2)&3] // two samples (one symbol) ago
	u4 := r.last[r.li]       // four samples ago
	r.r2 = r.r2.Add(u.MulConj(u2).Sub(r.r2).Scale(k))
	r.r4 = r.r4.Add(u.MulConj(u4).Sub(r.r4).Scale(k))
	r.pw += (u.Abs2() - r.pw) * k
	r.last[r.li] = u
	r.li = (r.li + 1) & 3
}

// symbol handles one symbol instant.
func (r *Receiver) symbol() {
	r.count++
	if r.stage == rxSearch {
		if r.pw > 0 && r.r4.Abs() > 0.8*r.pw && r.r2.Re < 0.6*r.pw {
			if r.count >= absGood {
				r.stage, r.count = rxMeasure, 0
				r.sums = [2]qam.Complex{}
			}
		} else {
			r.count = 0
		}
		return
	}
	out := r.eq.Output()
	if qam.Diverged(out) {
		if r.stage != rxData {
			r.fail()
			return
		}
		r.search()
		return
	}
	switch r.stage {
	case rxMeasure:
		// The equalizer is still a unit impulse: its output is the
		// symbol-instant sample.
		r.sums[r.count&1] = r.sums[r.count&1].Add(out)
		if r.count == absMeas {
			r.lockAlternations()
		}
	case rxABAB:
		r.followAlternations(r.pll.Derotate(out))
	case rxSeg3:
		r.trainSeg3(r.pll.Derotate(out))
	case rxSeg4:
		r.checkSeg4(r.pll.Derotate(out))
	case rxData:
		r.data(r.pll.Derotate(out))
	}
}

// lockAlternations estimates the channel's gain, phase and frequency offset
// from the averaged alternations and primes the equalizer and PLL.
func (r *Receiver) lockAlternations() {
	// sums[0] holds the even symbols (the last one measured), sums[1] the
	// odd ones. Which of them is A? The right guess maps both to points
	// with nearly one complex gain (exactly one on a flat channel).
	s0, s1 := r.sums[0], r.sums[1]
	a, b := r.tp.a, r.tp.b
	// Least-squares gain for each guess, and what it leaves unexplained.
	fit := func(x, y qam.Complex) (g qam.Complex, resid float64) {
		g = s0.MulConj(x).Add(s1.MulConj(y)).Scale(1 / (x.Abs2() + y.Abs2()))
		return g, s0.Sub(g.Mul(x)).Abs2() + s1.Sub(g.Mul(y)).Abs2()
	}
	gA, errA := fit(a, b) // guess: even symbols are A
	gB, errB := fit(b, a) // guess: even symbols are B
	g, resid := gA, errA
	recvA, recvB := s0, s1
	if errB < errA {
		g, resid = gB, errB
		recvA, recvB = s1, s0
	}
	// A channel that is not flat gives A and B different gains, so allow
	// some misfit; a wrong signal (a tone, another modem) fits far worse.
	if resid > 0.3*(s0.Abs2()+s1.Abs2()) {
		r.fail()
		return
	}
	// The sums hold absMeas/2 symbols each, so g is that many times the
	// channel gain. The received A and B, in the equalizer's output units
	// once its centre tap is the inverse gain: segment 2 through this
	// channel.
	inv := g.Inv()
	r.recvA, r.recvB = recvA.Mul(inv), recvB.Mul(inv)
	// Rotation per symbol from the two-symbol correlation; the mean
	// sits half-way through the window, so advance the phase to now.
	w := r.r4.Arg() / 2
	r.eq.SetCentre(inv.Scale(absMeas / 2))
	r.pll = qam.PLL{Alpha: 0.1, Beta: 0.005}
	r.pll.Reset(w*absMeas/2, w)
	r.stage, r.count, r.misses = rxABAB, 0, 0
	// The last measured symbol was even: A under guess A, so the next one
	// is B; B under guess B, so the next is A.
	r.aFirst = errB < errA
}

// followAlternations tracks ABAB with the PLL until segment 3 starts.
// Segment 2 has an even length and starts with A, so segment 3's first
// symbol, C, takes an A slot; and C is -A at every rate. So at A slots a
// symbol nearer -A than A ends segment 2. Comparing with the received A
// (not the ideal one) keeps this right through a channel with echoes.
func (r *Receiver) followAlternations(z qam.Complex) {
	aSlot := r.aFirst
	r.aFirst = !r.aFirst
	want := r.recvB
	if aSlot {
		want = r.recvA
		if z.Sub(want).Abs2() > z.Add(want).Abs2() {
			// Segment 3 has begun with this symbol, C (the generator's
			// first bit is 0).
			r.train = trainingSeed
			r.train.next()
			r.stage, r.count, r.mse, r.sigPower = rxSeg3, 1, 0, 0
			r.tgain, r.tacc = timingMid, 0
			r.adaptTo(z, r.tp.c, muTrain)
			return
		}
	}
	if z.Sub(want).Abs2() < 0.25*want.Abs2()+0.1*r.recvA.Abs2() {
		r.misses = 0
		r.pll.Update(qam.PhaseError(z, want))
		if r.count > absMax {
			r.fail()
		}
		return
	}
	r.misses++
	if r.misses > 2 {
		r.fail()
	}
}

// adaptTo updates the PLL and the equalizer for derotated output z whose
// right value is want; it returns the squared error.
func (r *Receiver) adaptTo(z, want qam.Complex, mu float64) float64 {
	return qam.Track(r.eq, &r.pll, z, want, mu).Abs2()
}

// trainSeg3 trains the equalizer on the known pattern of segment 3.
func (r *Receiver) trainSeg3(z qam.Complex) {
	want := r.tp.c
	if r.train.next() == 1 {
		want = r.tp.d
	}
	e := r.adaptTo(z, want, muTrain)
	if r.count > seg3Len-128 {
		r.mse += e
		r.sigPower += r.cd.Power()
	}
	if r.count < seg3Len {
		return
	}
	if r.mse/128 > trainMSE*minDistance2(r.rate) {
		r.fail()
		return
	}
	r.pll.Alpha, r.pll.Beta = 0.03, 0.0005
	r.tgain = timingSlow
	r.stage, r.count = rxSeg4, 0
	r.prevPhase = 0 // the transmitter starts segment 4 from phase 0
	r.scr = scrambler.V29{}
	r.onesMissing = 0
	r.errPower = r.mse / 128
}

// SNR returns the receiver's running estimate, in dB, of the signal to
// noise ratio at its decisions: mean symbol energy over mean squared
// decision error (about 100 ms time constant). It is meaningful once
// Trained has been reported.
func (r *Receiver) SNR() float64 {
	return 10 * math.Log10(r.energy/max(r.errPower, 1e-12))
}

// FrequencyOffset returns the carrier frequency offset the receiver is
// tracking, in Hz (positive: the signal arrives above 1700 Hz). It is
// meaningful once Trained has been reported.
func (r *Receiver) FrequencyOffset() float64 {
	return r.pll.Freq() * Baud / (2 * math.Pi)
}

// checkSeg4 decodes segment 4 and checks it descrambles to ones.
func (r *Receiver) checkSeg4(z qam.Complex) {
	bits, n := r.decide(z)
	if r.count > onesFrom {
		for i := n - 1; i >= 0; i-- {
			if bits>>i&1 == 0 {
				r.onesMissing++
			}
		}
	}
	if r.count < seg4Len {
		return
	}
	if r.onesMissing > onesErrors {
		r.fail()
		return
	}
	r.stage, r.count = rxData, 0
	// From now on the carrier ends when the power falls well below the
	// trained signal's, even if line noise stays above the off level.
	r.cd.RaiseOff(r.sigPower / 128 * dropBelowTrained)
	r.status(dsp.Trained, r.n)
}

// data decodes one data symbol to the sink.
func (r *Receiver) data(z qam.Complex) {
	bits, n := r.decide(z)
	for i := n - 1; i >= 0; i-- {
		r.sink(int(bits >> i & 1))
	}
}

// decide takes the equalized symbol to the nearest point, adapts to it,
// and returns the descrambled bits (first bit most significant) and their
// number.
func (r *Receiver) decide(z qam.Complex) (bits uint, n int) {
	best := r.slicer.nearest(z)
	want := constellation[best]
	var e float64
	if r.count&1 == 0 {
		// The equalizer adapts on every other decision, with twice the
		// step: the same tracking for half the work. The PLL updates on
		// every symbol.
		e = r.adaptTo(z, want, 2*muTrack)
	} else {
		r.pll.Update(qam.PhaseError(z, want))
		e = want.Sub(z).Abs2()
	}
	r.errPower += (e - r.errPower) * (1.0 / 256)
	p := best & 7
	step := (p - r.prevPhase) & 7
	r.prevPhase = p
	var raw uint
	switch r.rate {
	case 9600:
		raw, n = uint(best>>3)<<3|uint(phaseBits[step]), 4
	case 7200:
		raw, n = uint(phaseBits[step]), 3
	default:
		raw, n = uint(phaseBits4800[step/2]), 2
	}
	return uint(r.scr.DescrambleWord(uint32(raw), uint(n))), n
}

// phaseBits inverts phaseStep: Q2Q3Q4 for a phase change in 45° steps.
var phaseBits = func() (t [8]uint8) {
	for b, s := range phaseStep {
		t[s] = uint8(b)
	}
	return t
}()

// phaseBits4800 inverts phaseStep4800: Q2Q3 for a change in 90° steps.
var phaseBits4800 = func() (t [4]uint8) {
	for b, s := range phaseStep4800 {
		t[s/2] = uint8(b)
	}
	return t
}()
