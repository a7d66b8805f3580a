package v27ter

import (
	"fmt"
	"math"

	"github.com/softfax/softfax/dsp"
)

// TxConfig selects what a Transmitter sends.
type TxConfig struct {
	Rate  int     // Rate4800 or Rate2400
	Level float64 // transmit level in dBm0, e.g. DefaultLevel
	// ShortTrain sends the short synchronizing sequence (14 reversals, 58
	// conditioning symbols) instead of the long one; V.27 ter allows it only
	// after a long sequence at the same rate, when the far receiver keeps
	// its equalizer.
	ShortTrain bool
	// EchoProtection prefixes the 185-200 ms unmodulated carrier and 20 ms
	// of silence of Table 3 (segments 1 and 2), for circuits with talker
	// echo. T.30 fax does not use it.
	EchoProtection bool
}

// txStage is the transmitter's place in its sequence.
type txStage int

const (
	txEchoTone txStage = iota
	txEchoSilence
	txReversals
	txConditioning
	txOnes
	txData
	txTrailer
	txTail
	txDone
)

// txTaps is the pulse-shaping filter span in symbols.
const txTaps = 10

// Transmitter is a V.27 ter modulator. It sends the synchronizing sequence,
// then data from its BitSource, then a short trailer of scrambled ones.
type Transmitter struct {
	p   params
	src dsp.BitSource
	amp float32 // peak scale: baseband of unit power becomes the set level

	stage txStage
	left  int   // symbols left in the stage
	phase uint8 // absolute carrier phase, units of 45°
	scr   scrambler
	// shortTrain selects the short synchronizing sequence; sourceEnded is
	// set when the BitSource runs dry.
	shortTrain, sourceEnded bool

	// pulse shaping: symbols are pushed into a doubled ring so the last
	// txTaps of them are always contiguous at symRe[head:head+txTaps].
	symRe, symIm [2 * txTaps]float32
	head         int
	// coef[k][j] weights the j-th newest symbol when the newest is k/symDen
	// samples old.
	coef    [][txTaps]float32
	baudAcc int // age of the newest symbol, units of 1/symDen sample
	carrier int // sample index modulo carrierPeriod
}

// carrierPeriod: 1800 Hz at 8 kHz repeats every 40 samples (9 cycles).
const carrierPeriod = 40

var carrierCos, carrierSin = func() (c, s [carrierPeriod]float32) {
	for n := range c {
		sn, cs := math.Sincos(2 * math.Pi * CarrierHz * float64(n) / dsp.SampleRate)
		c[n], s[n] = float32(cs), float32(sn)
	}
	return c, s
}()

// NewTransmitter returns a transmitter that takes data bits from src.
func NewTransmitter(cfg TxConfig, src dsp.BitSource) (*Transmitter, error) {
	p, err := paramsFor(cfg.Rate)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, fmt.Errorf("v27ter: nil bit source")
	}
	if cfg.Level > 0 || cfg.Level < -60 || math.IsNaN(cfg.Level) {
		return nil, fmt.Errorf("v27ter: transmit level %v dBm0 outside -60..0", cfg.Level)
	}
	t := &Transmitter{
		p:    p,
		src:  src,
		amp:  float32(dsp.SineAmplitude(cfg.Level)),
		coef: txCoefficients(p),
	}
	switch {
	case cfg.EchoProtection:
		t.stage, t.left = txEchoTone, int(math.Round(echoToneSeconds*float64(p.baud)))
	case cfg.ShortTrain:
		t.stage, t.left = txReversals, seg3Short
	default:
		t.stage, t.left = txReversals, seg3Long
	}
	t.shortTrain = cfg.ShortTrain
	// The first output sample is the first symbol's instant.
	t.baudAcc = p.symNum
	return t, nil
}

// txCoefficients tabulates the root-raised-cosine pulse, normalised so that
// a stream of unit-power symbols gives unit-power baseband.
func txCoefficients(p params) [][txTaps]float32 {
	sps := p.samplesPerSymbol()
	delay := float64(txTaps) * sps / 2
	coef := make([][txTaps]float32, p.symNum)
	var energy float64
	for n := -200; n <= 200; n++ {
		g := rrc(float64(n)/sps, rolloff)
		if math.Abs(float64(n)) < delay {
			energy += g * g
		}
	}
	scale := math.Sqrt(sps / energy)
	for k := range coef {
		for j := range txTaps {
			t := float64(k)/float64(p.symDen) + float64(j)*sps - delay
			coef[k][j] = float32(scale * rrc(t/sps, rolloff))
		}
	}
	return coef
}

// Transmit fills out with samples. It returns len(out) until the trailer
// has been sent and the pulse-shaping filter has rung out, then fewer.
func (t *Transmitter) Transmit(out []int16) int {
	for i := range out {
		if t.baudAcc += t.p.symDen; t.baudAcc >= t.p.symNum {
			t.baudAcc -= t.p.symNum
			if !t.pushSymbol() {
				return i
			}
		}
		c := &t.coef[t.baudAcc]
		re := t.symRe[t.head : t.head+txTaps]
		im := t.symIm[t.head : t.head+txTaps]
		var bre, bim float32
		for j, w := range c {
			bre += re[j] * w
			bim += im[j] * w
		}
		v := t.amp * (bre*carrierCos[t.carrier] - bim*carrierSin[t.carrier])
		if t.carrier++; t.carrier == carrierPeriod {
			t.carrier = 0
		}
		out[i] = saturate(v)
	}
	return len(out)
}

func saturate(v float32) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	}
	return int16(v - 0.5)
}

// pushSymbol makes the next symbol the newest in the shaping filter. It
// returns false when the transmission is over.
func (t *Transmitter) pushSymbol() bool {
	re, im, ok := t.nextSymbol()
	if !ok {
		return false
	}
	if t.head--; t.head < 0 {
		t.head = txTaps - 1
	}
	t.symRe[t.head], t.symIm[t.head] = re, im
	t.symRe[t.head+txTaps], t.symIm[t.head+txTaps] = re, im
	return true
}

// nextSymbol runs the sequence of V.27 ter §2.5 Table 3, then data.
func (t *Transmitter) nextSymbol() (re, im float32, ok bool) {
	for t.left == 0 {
		t.advance()
	}
	t.left--
	switch t.stage {
	case txEchoTone:
		t.phase = 0
	case txEchoSilence:
		return 0, 0, true
	case txReversals:
		t.phase = (t.phase + 4) & 7
	case txConditioning:
		// One scrambler bit in three picks a 0° or 180° change.
		b := t.scr.scramble(1)
		t.scr.scramble(1)
		t.scr.scramble(1)
		t.phase = (t.phase + uint8(4*b)) & 7
	case txOnes, txTrailer:
		t.phase = (t.phase + t.dataStep(false)) & 7
	case txData:
		t.phase = (t.phase + t.dataStep(true)) & 7
	case txTail:
		return 0, 0, true
	case txDone:
		return 0, 0, false
	}
	c := unit8PSK[t.phase]
	return c[0], c[1], true
}

// dataStep scrambles the next symbol's bits, from the source when fromSource
// (ones when it is exhausted), and returns the phase change.
func (t *Transmitter) dataStep(fromSource bool) uint8 {
	var v int
	for range t.p.bitsPerSym {
		b := 1
		if fromSource {
			if bit, ok := t.src(); ok {
				b = bit & 1
			} else {
				// Pad the last symbol with ones; the trailer starts next.
				fromSource = false
				t.left = 0
				t.sourceEnded = true
			}
		}
		v = v<<1 | t.scr.scramble(b)
	}
	if t.p.bitsPerSym == 3 {
		return tribitStep[v]
	}
	return dibitStep[v]
}

// advance moves to the next stage of the sequence.
func (t *Transmitter) advance() {
	switch t.stage {
	case txEchoTone:
		t.stage, t.left = txEchoSilence, int(math.Round(echoSilenceSeconds*float64(t.p.baud)))
	case txEchoSilence:
		t.stage, t.left = txReversals, seg3Long
		if t.shortTrain {
			t.left = seg3Short
		}
	case txReversals:
		t.stage, t.left = txConditioning, seg4Long
		if t.shortTrain {
			t.left = seg4Short
		}
		t.scr = scrambler{reg: trainingSeed}
	case txConditioning:
		t.stage, t.left = txOnes, seg5Len
	case txOnes:
		t.stage, t.left = txData, math.MaxInt
	case txData:
		t.stage, t.left = txTrailer, trailerSymbols
	case txTrailer:
		t.stage, t.left = txTail, txTaps
	default:
		t.stage, t.left = txDone, 1
	}
}
