package v17

import (
	"math"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
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

// Pulse shaping: root raised cosine with roll-off txRolloff, truncated to
// txSpan symbols.
const (
	txRolloff = 0.25
	txSpan    = 8
)

// meanSymbolEnergy is the mean energy of every V.17 constellation, in the
// figures' units.
const meanSymbolEnergy = 40

// Transmitter is a V.17 modulator. It sends the synchronizing signals, then
// the bits of its source, then a short trailer.
type Transmitter struct {
	p     *rateParams
	src   dsp.BitSource
	cfg   Config
	gain  float64
	stage qam.TxStage
	count int // symbols sent in the current stage

	scr     scrambler.V29
	enc     trellisEncoder
	trainPt int // current training point (segments 2 and 3)

	// mod sends symbols by index: the rate's labels, then the training
	// points A to D at train, then silence at train+4.
	mod   *qam.Modulator
	train int
	next  func([]int) int // t.symbols, made once so Transmit allocates nothing
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
	t.next = t.symbols
	t.reset()
	return t, nil
}

func (t *Transmitter) reset() {
	// The modulator turns a mean symbol energy Es into a passband mean
	// square Es/2, the mean square of a sine of peak sqrt(Es).
	t.gain = dsp.SineAmplitude(t.cfg.LevelDBm0) / math.Sqrt(meanSymbolEnergy)
	if w := t.p.txWaveforms(); t.mod == nil {
		t.mod = qam.NewModulator(w)
	} else {
		t.mod.Use(w)
	}
	t.train = len(t.p.points)
	t.stage = qam.TxSeg1
	if t.cfg.TEP {
		t.stage = qam.TxTEP
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
}

// newTxWaveforms returns the modulator tables for the points of a rate:
// its labels, then the training points A to D, then silence.
func newTxWaveforms(points []point) *qam.Waveforms {
	pts := make([]qam.Complex, 0, len(points)+len(trainingPoints)+1)
	for _, p := range points {
		pts = append(pts, qam.C(p.re, p.im))
	}
	for _, p := range trainingPoints {
		pts = append(pts, qam.C(p.re, p.im))
	}
	pts = append(pts, qam.Complex{})
	return qam.NewWaveforms(CarrierHz, BaudRate, txRolloff, txSpan, pts)
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

// nextSymbol returns the index of the next symbol to send.
func (t *Transmitter) nextSymbol() int {
	for {
		switch t.stage {
		case qam.TxTEP:
			if t.count < tepToneLen+tepSilenceLen {
				t.count++
				if t.count <= tepToneLen {
					return t.train + pointA
				}
				return t.train + 4
			}
			t.stage, t.count = qam.TxSeg1, 0
		case qam.TxSeg1:
			if t.count < seg1Len {
				pt := t.train + pointA + t.count&1
				t.count++
				return pt
			}
			t.stage, t.count = qam.TxSeg2, 0
		case qam.TxSeg2:
			n := seg2LongLen
			if t.cfg.ShortTrain {
				n = seg2ShortLen
			}
			if t.count < n {
				t.count++
				t.trainPt = cdbaPoint[t.trainingDibit(1, 1)]
				return t.train + t.trainPt
			}
			if t.cfg.ShortTrain {
				t.stage, t.count = qam.TxSeg4, 0
			} else {
				t.stage, t.count = qam.TxSeg3, 0
			}
		case qam.TxSeg3:
			if t.count < seg3Len {
				shift := uint(t.count&7) * 2
				d := t.trainingDibit(uint8(bridgeWord>>shift&1), uint8(bridgeWord>>(shift+1)&1))
				t.trainPt = (t.trainPt + bridgeTurn[d]) & 3
				t.count++
				return t.train + t.trainPt
			}
			t.stage, t.count = qam.TxSeg4, 0
		case qam.TxSeg4, qam.TxTrailer: // scrambled binary ones
			n, next := seg4Len, qam.TxData
			if t.stage == qam.TxTrailer {
				n, next = trailerLen, qam.TxFlush
			}
			if t.count < n {
				t.count++
				return t.onesSymbol()
			}
			t.stage, t.count = next, 0
		case qam.TxData:
			var sym [1]int
			t.dataSymbols(sym[:])
			return sym[0]
		case qam.TxFlush:
			// Zero symbols let the pulse shaper's tail out.
			if t.count < txSpan+1 {
				t.count++
				return t.train + 4
			}
			t.stage = qam.TxDone
		default:
			return t.train + 4
		}
	}
}

// onesSymbol codes one symbol of binary ones (segment 4, the trailer).
func (t *Transmitter) onesSymbol() int {
	sym := [1]int{1<<t.p.bitsPerSymbol - 1}
	t.code(sym[:])
	return sym[0]
}

// dataSymbols codes symbols of source bits into syms and returns how many
// it made: all of them, or fewer when the source ends. The symbol in which
// it ends is padded with ones and counted; the trailer follows.
func (t *Transmitter) dataSymbols(syms []int) int {
	made, ended := qam.SymbolBits(t.src, syms, uint(t.p.bitsPerSymbol))
	if ended {
		t.stage, t.count = qam.TxTrailer, 0
	}
	t.code(syms[:made])
	return made
}

// code turns words of data bits (first in time most significant) into the
// labels of the symbols that carry them, in place: scrambler, then
// differential and trellis coding, in a loop without calls that keeps
// their state in locals.
func (t *Transmitter) code(syms []int) {
	n := uint(t.p.bitsPerSymbol)
	scr, enc := t.scr, t.enc.state<<2|t.enc.diff
	for i, w := range syms {
		var out uint32
		out, scr = scr.Step(uint32(w), n)
		q := bitReverse6[out<<((6-n)&7)&63] // Q1, the first bit, in bit 0
		e := txTrellis[enc][q&3]
		enc = e & 31
		syms[i] = int((q&^3)<<1 | e>>5)
	}
	t.scr, t.enc.state, t.enc.diff = scr, enc>>2, enc&3
}

// txTrellis[s<<2|d][y] is trellisEncoder.encode as a table, for the data
// loop: from encoder state s after a symbol with Y2Y1 = d, a symbol whose
// Q2Q1 is y leads to the state and Y2Y1 in bits 0 to 4 (as the index) and
// has Y2Y1Y0 in bits 5 to 7.
var txTrellis = func() (t [32][4]uint8) {
	for k := range t {
		for y := range t[k] {
			e := trellisEncoder{state: uint8(k >> 2), diff: uint8(k & 3)}
			label := e.encode(uint8(y))
			t[k][y] = e.state<<2 | e.diff | label&7<<5
		}
	}
	return t
}()

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
	return t.mod.Fill(out, t.gain, t.next)
}

// symbols feeds the modulator the next len(syms) symbols, fewer at the end.
func (t *Transmitter) symbols(syms []int) int {
	for i := 0; i < len(syms); {
		if t.stage == qam.TxData { // the common case, in a loop of its own
			i += t.dataSymbols(syms[i:])
			continue
		}
		if syms[i] = t.nextSymbol(); t.stage == qam.TxDone {
			return i
		}
		i++
	}
	return len(syms)
}
