package v29

import (
	"math"
	"sync"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
	"github.com/softfax/softfax/dsp/internal/scrambler"
)

// DefaultLevel is the transmit level used when Config.Level is zero, in
// dBm0.
const DefaultLevel = -13.0

// txSpan is the length of the transmit pulse in symbols.
const txSpan = 8

// Config selects a V.29 mode.
type Config struct {
	Rate  int     // 9600, 7200 or 4800 bit/s
	Level float64 // transmit level in dBm0 (mean data power); 0 means DefaultLevel
	// TEP sends 200 ms of unmodulated carrier before segment 1, the
	// optional talker echo protection tone of V.29's synchronizing signals.
	TEP bool

	// Receiver only: carrier detect thresholds in dBm0; zero means
	// DefaultCarrierOn and DefaultCarrierOff.
	CarrierOn, CarrierOff float64
}

// Transmitter is a V.29 modulator. It is not safe for concurrent use.
type Transmitter struct {
	rate   int
	bits   int       // bits per symbol
	coding [16]uint8 // symbolCoding(rate)
	src    dsp.BitSource
	mod    *qam.Modulator
	gain   float64
	next   func([]int) int // t.symbols

	stage qam.TxStage
	count int // symbols sent in the current stage
	train trainingGen
	scr   scrambler.V29
	phase int // absolute phase state, 45° steps
}

// NewTransmitter returns a transmitter that sends the training, then the
// bits from src until it reports ok=false, then its trailer. A nil src
// sends no data.
func NewTransmitter(cfg Config, src dsp.BitSource) (*Transmitter, error) {
	if err := checkRate(cfg.Rate); err != nil {
		return nil, err
	}
	if src == nil { // nothing to send: training, then the trailer
		src = func() (int, bool) { return 0, false }
	}
	level := cfg.Level
	if level == 0 {
		level = DefaultLevel
	}
	t := &Transmitter{
		rate:   cfg.Rate,
		bits:   bitsPerSymbol(cfg.Rate),
		coding: symbolCoding(cfg.Rate),
		src:    src,
		mod:    qam.NewModulator(txWaveforms[cfg.Rate]()),
		// The modulator turns a mean symbol energy Es into a passband
		// mean square Es/2, the mean square of a sine of peak sqrt(Es).
		gain:  dsp.SineAmplitude(level) / math.Sqrt(meanEnergy(cfg.Rate)),
		stage: qam.TxSeg1,
		train: trainingSeed,
	}
	if cfg.TEP {
		t.stage = qam.TxTEP
	}
	t.next = t.symbols
	return t, nil
}

// Transmit fills out with samples and returns how many it wrote; fewer
// than len(out) means the transmission is complete.
func (t *Transmitter) Transmit(out []int16) int {
	return t.mod.Fill(out, t.gain, t.next)
}

// symbols feeds the modulator the next len(syms) symbols, fewer at the
// end; as the method value t.next, made once, it lets Transmit run without
// allocating.
func (t *Transmitter) symbols(syms []int) int {
	i := 0
	for i < len(syms) && t.stage != qam.TxDone {
		if t.stage == qam.TxData { // the common case, in a loop of its own
			i += t.dataSymbols(syms[i:])
		} else {
			syms[i] = t.nextSymbol()
			i++
		}
	}
	return i
}

// Indices of the transmitter's points beyond the 16 of the constellation
// (see txPoints).
const (
	txSilence = 16 + iota
	txA
	txB
	txC
	txD
)

// txWaveforms holds the modulator tables per rate, made on first use and
// read-only after.
var txWaveforms = map[int]func() *qam.Waveforms{
	4800: sync.OnceValue(func() *qam.Waveforms { return qam.NewWaveforms(CarrierHz, Baud, rollOff, txSpan, txPoints(4800)) }),
	7200: sync.OnceValue(func() *qam.Waveforms { return qam.NewWaveforms(CarrierHz, Baud, rollOff, txSpan, txPoints(7200)) }),
	9600: sync.OnceValue(func() *qam.Waveforms { return qam.NewWaveforms(CarrierHz, Baud, rollOff, txSpan, txPoints(9600)) }),
}

// txPoints returns the points a transmitter at rate sends, by index: the
// constellation, silence, then the training points A, B, C, D.
func txPoints(rate int) []qam.Complex {
	tp := pointsFor(rate)
	return append(constellation[:len(constellation):len(constellation)], qam.Complex{}, tp.a, tp.b, tp.c, tp.d)
}

// advance counts one symbol of the current stage and moves to next when
// the stage has n symbols.
func (t *Transmitter) advance(n int, next qam.TxStage) {
	t.count++
	if t.count >= n {
		t.stage, t.count = next, 0
	}
}

// nextSymbol returns the next symbol of the sequence of V.29's
// synchronizing signals, as an index into txPoints.
func (t *Transmitter) nextSymbol() int {
	switch t.stage {
	case qam.TxTEP:
		t.advance(tepLen, qam.TxSeg1)
		return 0
	case qam.TxSeg1:
		t.advance(seg1Len, qam.TxSeg2)
		return txSilence
	case qam.TxSeg2:
		s := txA // ABAB..., starting with A
		if t.count&1 == 1 {
			s = txB
		}
		t.advance(seg2Len, qam.TxSeg3)
		return s
	case qam.TxSeg3:
		s := txC
		if t.train.next() == 1 {
			s = txD
		}
		t.advance(seg3Len, qam.TxSeg4)
		return s
	case qam.TxSeg4:
		t.advance(seg4Len, qam.TxData)
		return t.onesSymbol()
	case qam.TxData:
		var sym [1]int
		t.dataSymbols(sym[:])
		return sym[0]
	case qam.TxTrailer:
		t.advance(trailerLen, qam.TxFlush)
		return t.onesSymbol()
	case qam.TxFlush:
		// Zero symbols let the last pulses decay before we stop.
		t.advance(txSpan, qam.TxDone)
	}
	return txSilence
}

// dataSymbols encodes symbols of source bits into syms and returns how
// many it made: all of them, or fewer when the source runs dry. The symbol
// in which it does is padded with ones and counted; the trailer follows.
func (t *Transmitter) dataSymbols(syms []int) int {
	made, ended := qam.SymbolBits(t.src, syms, uint(t.bits))
	if ended {
		t.stage, t.count = qam.TxTrailer, 0
	}
	t.code(syms[:made])
	return made
}

// onesSymbol encodes a symbol of binary ones (segment 4, the trailer).
func (t *Transmitter) onesSymbol() int {
	sym := [1]int{1<<t.bits - 1}
	t.code(sym[:])
	return sym[0]
}

// code turns words of data bits (first in time most significant) into the
// indices of the points that carry them, in place: scrambler, then the
// amplitude and phase change, in a loop without calls that keeps their
// state in locals.
func (t *Transmitter) code(syms []int) {
	n := uint(t.bits)
	scr, phase := t.scr, t.phase
	for i, w := range syms {
		var out uint32
		out, scr = scr.Step(uint32(w), n)
		c := t.coding[out&15]
		phase = (phase + int(c&7)) & 7
		syms[i] = int(c&8) | phase
	}
	t.scr, t.phase = scr, phase
}

// symbolCoding returns, for each group of scrambled bits (first in time
// most significant) at rate, the amplitude bit (8) and the phase change in
// 45° steps (low three bits) of V.29 Table 1.
func symbolCoding(rate int) (c [16]uint8) {
	for q := range c {
		switch rate {
		case 9600:
			c[q] = uint8(q&8) | uint8(phaseStep[q&7])
		case 7200:
			c[q] = uint8(phaseStep[q&7])
		default:
			c[q] = uint8(phaseStep4800[q&3])
		}
	}
	return c
}
