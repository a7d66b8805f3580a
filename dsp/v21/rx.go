package v21

import (
	"math"

	"github.com/softfax/softfax/dsp"
)

// Carrier detection thresholds (V.21 §6: "on" above -43 dBm0, "off" below
// -48 dBm0; the detector must switch somewhere in between).
const (
	carrierOnDBm0  = -44.5
	carrierOffDBm0 = -48
	// carrierOnSamples is how long, in filter outputs, the power must stay
	// above the on threshold with an in-channel frequency before the
	// carrier is declared up: 4 ms, a whole discriminator window. Clicks
	// are not carriers.
	carrierOnSamples = avgLen + 1
)

// Channel filter: the FSK signal occupies about ±400 Hz around 1750 Hz
// (deviation 100 Hz plus the 300 bit/s keying). The filter is a
// Hamming-windowed sinc low-pass, cut off at 450 Hz, shifted up to 1750 Hz
// as complex taps g[k] = h[k]·e^{jωk}: applied to the real input it gives
// the complex baseband signal (up to a rotation by ω per sample) without a
// separate mixer. Its output is needed only every decim-th sample: at
// 2000 Hz the ±400 Hz channel is still well sampled, and the filter's
// stopband (beyond ±700 Hz) keeps aliases out.
const (
	lpTaps   = 33
	lpCutoff = 450.0
	decim    = 4
)

var tapsI, tapsQ = func() (ti, tq [lpTaps]float32) {
	h := make([]float64, lpTaps)
	sum := 0.0
	for i := range h {
		n := float64(i) - (lpTaps-1)/2.0
		x := 2 * lpCutoff / dsp.SampleRate
		v := x
		if n != 0 {
			v = math.Sin(math.Pi*x*n) / (math.Pi * n)
		}
		h[i] = v * (0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/(lpTaps-1)))
		sum += h[i]
	}
	// Taps are applied oldest first: tap i weighs x[n-(lpTaps-1-i)].
	for i := range h {
		k := float64(lpTaps - 1 - i)
		w := 2 * math.Pi * CentreHz / dsp.SampleRate * k
		ti[i] = float32(h[i] / sum * math.Cos(w))
		tq[i] = float32(h[i] / sum * math.Sin(w))
	}
	return
}()

// The filter output is y[n] = e^{jωn}·z[n], z the baseband signal; rotI
// and rotQ (e^{jω·decim}) undo that rotation between two outputs in the
// discriminator.
var rotI, rotQ = float32(math.Cos(2 * math.Pi * CentreHz / dsp.SampleRate * decim)),
	float32(math.Sin(2 * math.Pi * CentreHz / dsp.SampleRate * decim))

// avgLen is the discriminator averaging window in decimated samples: one
// bit is 6.7 of them.
const avgLen = 7

// maxDiscSum bounds the one-bit discriminator sum of an in-channel signal:
// a mean frequency within 200 Hz of the centre (the tones are at ±100 Hz).
var maxDiscSum = float32(avgLen * math.Sin(2*math.Pi*200*decim/dsp.SampleRate))

// toneDisc is the discriminator output of either tone, 100 Hz off the
// centre: sin of its phase step per decimated sample.
var toneDisc = float32(math.Sin(2 * math.Pi * 100 * decim / dsp.SampleRate))

// FSK structure detection: fskErr, the mean squared distance of the
// discriminator from ±toneDisc averaged over fskAvg outputs (4 ms), is
// below 0.02 for V.21 even in -35 dBm0 noise and near 0.09 for noise or a
// V.17/V.29 signal in the band. The carrier comes up only below fskOnErr
// and drops once fskErr has been above fskOffErr for fskOffRun more
// outputs than below it (8 ms: a phase hit in a frame is not the end).
const (
	fskClip   = 0.2
	fskOffRun = 16
	fskAvg    = 8
	fskOnErr  = 0.016
	fskOffErr = 0.03
)

// bitStep is the fraction of a bit per decimated sample.
const bitStep = float32(BitRate*decim) / dsp.SampleRate

// Receiver demodulates V.21 channel 2. It does not allocate.
type Receiver struct {
	sink   dsp.BitSink
	status dsp.StatusFunc

	n     int64 // samples received since start
	buf   [2 * lpTaps]float32
	pos   int
	phase int // input samples since the last filter output
	prevI float32
	prevQ float32

	disc    [avgLen]float32 // last avgLen discriminator outputs
	discPos int
	discSum float32
	prevSum float32

	fskErr    float32 // mean squared distance of the discriminator from a tone
	offRun    int     // outputs with fskErr above fskOffErr, less those below
	power     float32 // in-band mean square, fast average (carrier off)
	slowPower float32 // in-band mean square, slow average (carrier on)
	onCount   int
	up        bool
	onLevel   float32
	offLevel  float32
	bitPhase  float32 // fraction of a bit since the last decision
	locked    bool    // the PLL has seen a transition since carrier up
}

// NewReceiver returns a receiver passing bits to sink and status changes
// to status (which may be nil). cfg is the transmitter's; the receiver
// needs nothing from it.
func NewReceiver(cfg Config, sink dsp.BitSink, status dsp.StatusFunc) *Receiver {
	r := &Receiver{sink: sink, status: status}
	r.Reset()
	return r
}

// meanSquare returns the in-band complex baseband power |z|² of a sine at
// dBm0 (the mixer halves the amplitude).
func meanSquare(dBm0 float64) float32 {
	a := dsp.SineAmplitude(dBm0) / 2
	return float32(a * a)
}

// Reset returns the receiver to its initial state, carrier down.
func (r *Receiver) Reset() {
	*r = Receiver{sink: r.sink, status: r.status,
		onLevel: meanSquare(carrierOnDBm0), offLevel: meanSquare(carrierOffDBm0)}
}

// CarrierUp reports whether the receiver currently hears a carrier.
func (r *Receiver) CarrierUp() bool { return r.up }

// SignalPower returns the in-band signal level in dBm0.
func (r *Receiver) SignalPower() float64 {
	if r.power <= 0 {
		return math.Inf(-1)
	}
	return dsp.PowerDBm0(2 * float64(r.power))
}

// Receive demodulates a block of samples.
func (r *Receiver) Receive(in []int16) {
	for _, s := range in {
		r.sample(float32(s))
		r.n++
	}
}

func (r *Receiver) sample(x float32) {
	// The buffer is doubled so that the taps read one contiguous slice.
	r.buf[r.pos] = x
	r.buf[r.pos+lpTaps] = x
	if r.pos++; r.pos == lpTaps {
		r.pos = 0
	}
	if r.phase++; r.phase < decim {
		return
	}
	r.phase = 0
	b := r.buf[r.pos : r.pos+lpTaps]
	var zi, zq float32
	for k, v := range b {
		zi += tapsI[k] * v
		zq += tapsQ[k] * v
	}

	// Carrier detect on the in-band power, with hysteresis. Rising, the
	// power is averaged over 8 ms so that line noise near -40 dBm0 (about
	// -47 dBm0 in this band) does not flicker above the on threshold;
	// falling, over 2 ms, so that the end of a frame is seen promptly.
	p := zi*zi + zq*zq
	r.power += (p - r.power) * (1.0 / 4)
	r.slowPower += (p - r.slowPower) * (1.0 / 16)

	// Discriminator: the phase step between outputs, positive above the
	// centre (space) and negative below it (mark), normalised so that the
	// average does not favour loud samples.
	wi := zi*r.prevI + zq*r.prevQ // z·conj(prev)
	wq := zq*r.prevI - zi*r.prevQ
	d := wq*rotI - wi*rotQ // Im(w·e^{-jω·decim})
	if norm := p + r.prevI*r.prevI + r.prevQ*r.prevQ; norm > 0 {
		d *= 2 / (norm + 1e-3)
	}
	r.prevI, r.prevQ = zi, zq
	// FSK structure: between transitions the discriminator sits on one of
	// the two tones (±100 Hz, V.21 §4); noise, or a high-speed signal
	// sharing the band, scatters it. Energy alone does not make a carrier.
	dev := d - toneDisc
	if d < 0 {
		dev = d + toneDisc
	}
	// Clipped, so that one phase hit (a click, a slip) weighs no more
	// than a few outputs of noise.
	r.fskErr += (min(dev*dev, fskClip) - r.fskErr) * (1.0 / fskAvg)
	if !r.up && r.slowPower < r.onLevel {
		// Too quiet to judge: start each signal's measure afresh, halfway to the
		// on threshold, so that a carrier is not delayed by the silence
		// before it and a steady tone between the two (V.17's segment 1
		// has one at 1800 Hz) does not pass while the average settles.
		r.fskErr = fskOnErr / 2
	}
	r.discSum += d - r.disc[r.discPos]
	r.disc[r.discPos] = d
	if r.discPos++; r.discPos == avgLen {
		r.discPos = 0
	}

	if !r.up {
		// Energy alone is not a carrier: the mean frequency over the last
		// bit must also lie within the channel (CED at 2100 Hz or CNG at
		// 1100 Hz are 350 and 650 Hz off the centre).
		if r.slowPower > r.onLevel && r.discSum < maxDiscSum && r.discSum > -maxDiscSum && r.fskErr < fskOnErr {
			r.onCount++
			if r.onCount >= carrierOnSamples {
				r.carrierUp()
			}
		} else {
			r.onCount = 0
		}
		r.prevSum = r.discSum
		return
	}
	switch {
	case r.fskErr > fskOffErr:
		r.offRun++
	case r.offRun > 0:
		r.offRun--
	}
	if r.power < r.offLevel || r.offRun >= fskOffRun {
		r.slowPower = r.power
		r.up = false
		r.onCount, r.offRun = 0, 0
		if r.status != nil {
			r.status(dsp.CarrierDown, r.n)
		}
		return
	}

	// Bit timing: the one-bit average crosses zero half a bit after a
	// transition and is best sampled a whole bit after it, i.e. half a bit
	// after the crossing.
	sum := r.discSum
	r.bitPhase += bitStep
	if (sum < 0) != (r.prevSum < 0) && sum != r.prevSum {
		frac := r.prevSum / (r.prevSum - sum) // where between the two outputs
		at := r.bitPhase - (1-frac)*bitStep
		err := 0.5 - at
		switch {
		case !r.locked:
			r.bitPhase += err
			r.locked = true
		case err > -0.3 && err < 0.3:
			// Once locked, a crossing far from where a transition belongs
			// is noise (the average wandering near zero mid-bit): ignore it
			// rather than let it slip the clock.
			r.bitPhase += err * 0.125
		}
	}
	r.prevSum = sum
	if r.bitPhase >= 1 {
		r.bitPhase -= 1
		if r.sink != nil {
			if sum < 0 {
				r.sink(1)
			} else {
				r.sink(0)
			}
		}
	}
}

func (r *Receiver) carrierUp() {
	r.up = true
	r.locked = false
	r.bitPhase = 0
	if r.status != nil {
		r.status(dsp.CarrierUp, r.n)
	}
}
