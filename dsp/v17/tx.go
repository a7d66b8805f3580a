package v17

import (
	"math"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/scrambler"
)

// Lengths of the V.17 synchronizing signals in symbols: the long train
// lasts 1393 ms, the short train 142 ms.
const (
	seg1Len      = 256  // segment 1: ABAB alternations
	seg2LongLen  = 2976 // segment 2: CDBA equalizer conditioning, long train
	seg2ShortLen = 38   // segment 2, short train
	seg3Len      = 64   // segment 3: bridge (long train only)
	seg4Len      = 48   // segment 4: trellis-coded scrambled binary ones
	trailerLen   = 32   // scrambled ones after the data, to flush the far decoder
)

// bridgeWord is the repeating 16-bit input of segment 3 (V.17), taken two
// bits per symbol, least significant first.
const bridgeWord uint16 = 0x8880

// DefaultLevelDBm0 is the transmit level used when Config.LevelDBm0 is 0.
const DefaultLevelDBm0 = -10

// Config selects a V.17 transmission.
type Config struct {
	Rate       int     // 7200, 9600, 12000 or 14400 bit/s
	ShortTrain bool    // send the short train (between pages) instead of the long one
	LevelDBm0  float64 // transmit level; 0 selects DefaultLevelDBm0
	// TEP sends the optional talker echo protection signal first: 200 ms of
	// unmodulated carrier, then 20 ms of silence (V.17).
	TEP bool
}

// Talker echo protection lengths in symbols.
const (
	tepToneLen    = 480
	tepSilenceLen = 48
)

// Pulse shaping: root raised cosine, roll-off txRolloff, evaluated at 24 kHz
// (ten points per symbol, three per 8 kHz sample) and split into ten phases
// of txTapsPerPhase taps.
const (
	txRolloff      = 0.25
	txTapsPerPhase = 10 // Transmit's dot product is written out for ten
	txPhases       = 10
)

// txPulse[p][k] weighs the k-th most recent symbol for an output sample at
// 24 kHz phase p after that symbol's start.
var txPulse = func() (h [txPhases][txTapsPerPhase]float64) {
	centre := float64(txTapsPerPhase*txPhases) / 2
	for p := 0; p < txPhases; p++ {
		for k := 0; k < txTapsPerPhase; k++ {
			t := (float64(k*txPhases+p) - centre) / txPhases // in symbols
			h[p][k] = rrc(t, txRolloff)
		}
	}
	return h
}()

// rrc is the root-raised-cosine impulse response at t symbol periods, with
// unit energy per symbol period.
func rrc(t, beta float64) float64 {
	switch {
	case math.Abs(t) < 1e-9:
		return 1 - beta + 4*beta/math.Pi
	case math.Abs(math.Abs(t)-1/(4*beta)) < 1e-9:
		return beta / math.Sqrt2 * ((1+2/math.Pi)*math.Sin(math.Pi/(4*beta)) + (1-2/math.Pi)*math.Cos(math.Pi/(4*beta)))
	}
	return (math.Sin(math.Pi*t*(1-beta)) + 4*beta*t*math.Cos(math.Pi*t*(1+beta))) /
		(math.Pi * t * (1 - 16*beta*beta*t*t))
}

// carrierPeriod is the number of samples after which the 1800 Hz carrier
// repeats exactly at 8 kHz (nine cycles).
const carrierPeriod = 40

var carrierCos, carrierSin = func() (c, s [carrierPeriod]float64) {
	for n := range c {
		w := 2 * math.Pi * CarrierHz * float64(n) / dsp.SampleRate
		c[n], s[n] = math.Cos(w), math.Sin(w)
	}
	return c, s
}()

// Transmitter stages, in the order they are sent.
type txStage int

const (
	txTEP txStage = iota
	txSeg1
	txSeg2
	txSeg3
	txSeg4
	txData
	txTrailer
	txFlush
	txDone
)

// Transmitter is a V.17 modulator. It sends the synchronizing signals, then
// the bits of its source, then a short trailer.
type Transmitter struct {
	p     *rateParams
	src   dsp.BitSource
	cfg   Config
	gain  float64
	stage txStage
	count int // symbols sent in the current stage

	scr     scrambler.V29
	enc     trellisEncoder
	trainPt int // current training point (segments 2 and 3)

	// Symbol history for the pulse shaper, stored twice so that the taps
	// read one contiguous slice.
	histRe, histIm [2 * txTapsPerPhase]float64
	hpos           int
	n              int // output sample index modulo carrierPeriod

	// coefRe[n][k] and coefIm[n][k] fold the pulse shape, the carrier and
	// the gain together: sample n (mod 40, where both the 24 kHz phase and
	// the carrier repeat) is Σ coefRe·Re(symbol k) + coefIm·Im(symbol k).
	coefRe, coefIm [carrierPeriod][txTapsPerPhase]float64
}

// NewTransmitter returns a transmitter for cfg that takes its data from src.
func NewTransmitter(cfg Config, src dsp.BitSource) (*Transmitter, error) {
	p, err := lookupRate(cfg.Rate)
	if err != nil {
		return nil, err
	}
	if cfg.LevelDBm0 == 0 {
		cfg.LevelDBm0 = DefaultLevelDBm0
	}
	t := &Transmitter{p: p, src: src, cfg: cfg}
	t.reset()
	return t, nil
}

func (t *Transmitter) reset() {
	// The passband signal's mean square is half the baseband one, which is
	// the mean symbol energy times the pulse energy per output sample.
	var e float64
	for _, ph := range txPulse {
		for _, h := range ph {
			e += h * h
		}
	}
	e /= txPhases
	const meanSymbolEnergy = 40 // of every constellation, in figure units
	rms := dsp.SineAmplitude(t.cfg.LevelDBm0) / math.Sqrt2
	t.gain = rms / math.Sqrt(meanSymbolEnergy*e/2)
	for n := range t.coefRe {
		ph := 3 * n % txPhases
		for k := range t.coefRe[n] {
			t.coefRe[n][k] = t.gain * txPulse[ph][k] * carrierCos[n]
			t.coefIm[n][k] = -t.gain * txPulse[ph][k] * carrierSin[n]
		}
	}
	t.stage = txSeg1
	if t.cfg.TEP {
		t.stage = txTEP
	}
	t.count = 0
	t.scr = scrambler.V29{Reg: scramblerSeed}
	// The differential encoder starts from Y2Y1 = 01 for a long train and
	// 00 for a short one, as spandsp and the fax machines it meets do.
	t.enc = trellisEncoder{}
	if !t.cfg.ShortTrain {
		t.enc.diff = 1
	}
	t.trainPt = pointA
	t.histRe, t.histIm = [2 * txTapsPerPhase]float64{}, [2 * txTapsPerPhase]float64{}
	t.hpos = 0
	t.n = 0
}

// Restart prepares the transmitter for a new transmission with cfg, taking
// bits from src; no allocation.
func (t *Transmitter) Restart(cfg Config, src dsp.BitSource) error {
	p, err := lookupRate(cfg.Rate)
	if err != nil {
		return err
	}
	if cfg.LevelDBm0 == 0 {
		cfg.LevelDBm0 = DefaultLevelDBm0
	}
	t.p, t.src, t.cfg = p, src, cfg
	t.reset()
	return nil
}

// trainingDibit scrambles two input bits and returns the two line bits as a
// number, the first in time as the more significant bit.
func (t *Transmitter) trainingDibit(b1, b2 uint8) int {
	d := t.scr.Scramble(int(b1))
	return d<<1 | t.scr.Scramble(int(b2))
}

// cdbaPoint maps a segment 2 dibit to its training point: 00 → C, 01 → D,
// 10 → B, 11 → A.
var cdbaPoint = [4]int{pointC, pointD, pointB, pointA}

// bridgeTurn maps a segment 3 dibit to the quarter turns from the previous
// training point: 00 → +90°, 01 → 0°, 10 → 180°, 11 → 270°.
var bridgeTurn = [4]int{1, 0, 2, 3}

// nextSymbol returns the next symbol to send, in figure units.
func (t *Transmitter) nextSymbol() point {
	for {
		switch t.stage {
		case txTEP:
			if t.count < tepToneLen+tepSilenceLen {
				t.count++
				if t.count <= tepToneLen {
					return trainingPoints[pointA]
				}
				return point{}
			}
			t.stage, t.count = txSeg1, 0
		case txSeg1:
			if t.count < seg1Len {
				pt := trainingPoints[pointA+t.count&1]
				t.count++
				return pt
			}
			t.stage, t.count = txSeg2, 0
		case txSeg2:
			n := seg2LongLen
			if t.cfg.ShortTrain {
				n = seg2ShortLen
			}
			if t.count < n {
				t.count++
				t.trainPt = cdbaPoint[t.trainingDibit(1, 1)]
				return trainingPoints[t.trainPt]
			}
			if t.cfg.ShortTrain {
				t.stage, t.count = txSeg4, 0
			} else {
				t.stage, t.count = txSeg3, 0
			}
		case txSeg3:
			if t.count < seg3Len {
				shift := uint(t.count&7) * 2
				d := t.trainingDibit(uint8(bridgeWord>>shift&1), uint8(bridgeWord>>(shift+1)&1))
				t.trainPt = (t.trainPt + bridgeTurn[d]) & 3
				t.count++
				return trainingPoints[t.trainPt]
			}
			t.stage, t.count = txSeg4, 0
		case txSeg4:
			if t.count < seg4Len {
				t.count++
				return t.dataSymbol(false)
			}
			t.stage, t.count = txData, 0
		case txData:
			return t.dataSymbol(true)
		case txTrailer:
			if t.count < trailerLen {
				t.count++
				return t.dataSymbol(false)
			}
			t.stage, t.count = txFlush, 0
		case txFlush:
			// Zero symbols let the pulse shaper's tail out.
			if t.count < txTapsPerPhase {
				t.count++
				return point{}
			}
			t.stage = txDone
		default:
			return point{}
		}
	}
}

// dataSymbol codes one symbol of source bits (or of ones, when fromSource
// is false or the source has ended).
func (t *Transmitter) dataSymbol(fromSource bool) point {
	n := uint(t.p.bitsPerSymbol)
	var w uint32 // first bit in time most significant
	for i := uint(0); i < n; i++ {
		b := uint32(1)
		if fromSource {
			v, ok := t.src()
			if ok {
				b = uint32(v & 1)
			} else {
				fromSource = false
				t.stage, t.count = txTrailer, 0
			}
		}
		w = w<<1 | b
	}
	// Q1, the first bit, goes to bit 0 of the symbol's data.
	q := bitReverse6[t.scr.ScrambleWord(w, n)<<(6-n)&63]
	return t.p.points[t.enc.encode(q)]
}

// bitReverse6 reverses the order of six bits.
var bitReverse6 = func() (r [64]uint8) {
	for i := range r {
		for b := 0; b < 6; b++ {
			r[i] |= uint8(i>>b&1) << (5 - b)
		}
	}
	return r
}()

// Transmit fills out with modem audio and returns the number of samples
// written; fewer than len(out) means the transmission has ended.
func (t *Transmitter) Transmit(out []int16) int {
	for i := range out {
		if t.stage == txDone {
			return i
		}
		// A new symbol starts every ten 24 kHz ticks and a sample is three
		// ticks, so a symbol starts at or just before this sample exactly
		// when the sample's phase, 3n mod 10, is below three.
		if 3*t.n%txPhases < 3 {
			s := t.nextSymbol()
			if t.stage == txDone {
				return i
			}
			t.push(s)
		}
		cr, ci := &t.coefRe[t.n], &t.coefIm[t.n]
		re := (*[txTapsPerPhase]float64)(t.histRe[t.hpos : t.hpos+txTapsPerPhase])
		im := (*[txTapsPerPhase]float64)(t.histIm[t.hpos : t.hpos+txTapsPerPhase])
		// Written out: the compiler does not unroll loops, and two
		// accumulators halve the dependency chain.
		v0 := cr[0]*re[0] + ci[0]*im[0] + cr[2]*re[2] + ci[2]*im[2] + cr[4]*re[4] + ci[4]*im[4] +
			cr[6]*re[6] + ci[6]*im[6] + cr[8]*re[8] + ci[8]*im[8]
		v1 := cr[1]*re[1] + ci[1]*im[1] + cr[3]*re[3] + ci[3]*im[3] + cr[5]*re[5] + ci[5]*im[5] +
			cr[7]*re[7] + ci[7]*im[7] + cr[9]*re[9] + ci[9]*im[9]
		v := v0 + v1
		out[i] = clip16(v)
		if t.n++; t.n == carrierPeriod {
			t.n = 0
		}
	}
	return len(out)
}

// push adds a symbol to the pulse shaper's history. hist[hpos] is the
// newest symbol, hist[hpos+k] the k-th before it.
func (t *Transmitter) push(s point) {
	t.hpos--
	if t.hpos < 0 {
		t.hpos = txTapsPerPhase - 1
	}
	t.histRe[t.hpos], t.histRe[t.hpos+txTapsPerPhase] = s.re, s.re
	t.histIm[t.hpos], t.histIm[t.hpos+txTapsPerPhase] = s.im, s.im
}

// clip16 rounds v to the nearest sample value, saturating.
func clip16(v float64) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	}
	// Shifted positive, truncation is floor: round half up, branch-free.
	return int16(int32(v+32768.5) - 32768)
}
