package v27ter

import (
	"fmt"
	"math"
	"sync"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
	"github.com/softfax/softfax/dsp/internal/scrambler"
)

// Config selects a modem: what a Transmitter sends, what a Receiver
// listens for.
type Config struct {
	Rate  int     // Rate4800 or Rate2400
	Level float64 // transmit level in dBm0; 0 means DefaultLevel
	// ShortTrain sends the short synchronizing sequence (14 reversals, 58
	// conditioning symbols) instead of the long one; V.27 ter allows it only
	// after a long sequence at the same rate, when the far receiver keeps
	// its equalizer. (A Receiver needs no setting: it tells them apart.)
	ShortTrain bool
	// TEP prefixes the talker echo protection of Table 3 (segments 1 and
	// 2): 185-200 ms of unmodulated carrier, then 20 ms of silence. Fax
	// equipment normally leaves it off (spandsp's fax engine makes it an
	// option, off by default).
	TEP bool

	// Receiver only: the carrier detector's thresholds in dBm0; zero
	// means DefaultCarrierOn and DefaultCarrierOff.
	CarrierOn, CarrierOff float64
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

// txSpan is the pulse-shaping filter span in symbols.
const txSpan = 8

// Transmitter is a V.27 ter modulator. It sends the synchronizing sequence,
// then data from its BitSource, then a short trailer of scrambled ones.
type Transmitter struct {
	p   params
	src dsp.BitSource

	stage      txStage
	left       int   // symbols left in the stage
	phase      uint8 // absolute carrier phase, units of 45°
	scr        scrambler.V27ter
	shortTrain bool // send the short synchronizing sequence

	mod  *qam.Modulator  // pulse shaping and carrier, tabulated per point
	amp  float64         // peak amplitude of a sine at the set level
	next func([]int) int // t.symbols, made once so Transmit allocates nothing
}

// txPoints are the transmitter's symbols: silence, then the eight phases.
var txPoints = func() (p [9]qam.Complex) {
	copy(p[1:], unit8PSK[:])
	return p
}()

// txWaveforms holds the modulator tables per baud rate, made on first use
// and read-only after. 1800 Hz and both symbol clocks repeat every 40
// samples.
var txWaveforms = map[int]func() *qam.Waveforms{
	1200: sync.OnceValue(func() *qam.Waveforms { return qam.NewWaveforms(CarrierHz, 1200, rolloff, txSpan, txPoints[:]) }),
	1600: sync.OnceValue(func() *qam.Waveforms { return qam.NewWaveforms(CarrierHz, 1600, rolloff, txSpan, txPoints[:]) }),
}

// NewTransmitter returns a transmitter that takes data bits from src.
func NewTransmitter(cfg Config, src dsp.BitSource) (*Transmitter, error) {
	p, err := paramsFor(cfg.Rate)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, fmt.Errorf("v27ter: nil bit source")
	}
	level := cfg.Level
	if level == 0 {
		level = DefaultLevel
	}
	if level > 0 || level < -60 || math.IsNaN(level) {
		return nil, fmt.Errorf("v27ter: transmit level %v dBm0 outside -60..0", level)
	}
	t := &Transmitter{
		p:   p,
		src: src,
		// 1800 Hz and both symbol clocks repeat every 40 samples.
		mod: qam.NewModulator(txWaveforms[p.baud]()),
		amp: dsp.SineAmplitude(level),
	}
	switch {
	case cfg.TEP:
		t.stage, t.left = txEchoTone, int(math.Round(echoToneSeconds*float64(p.baud)))
	case cfg.ShortTrain:
		t.stage, t.left = txReversals, seg3Short
	default:
		t.stage, t.left = txReversals, seg3Long
	}
	t.shortTrain = cfg.ShortTrain
	t.next = t.symbols
	return t, nil
}

// Transmit fills out with samples. It returns len(out) until the trailer
// has been sent and the pulse-shaping filter has rung out, then fewer.
func (t *Transmitter) Transmit(out []int16) int {
	return t.mod.Fill(out, t.amp, t.next)
}

// symbols feeds the modulator the next len(syms) symbols, fewer at the end.
func (t *Transmitter) symbols(syms []int) int {
	for i := 0; i < len(syms); {
		if t.stage == txData && t.left > 0 { // the common case, in a loop of its own
			i += t.dataSymbols(syms[i:])
			continue
		}
		s, ok := t.nextSymbol()
		if !ok {
			return i
		}
		syms[i] = s
		i++
	}
	return len(syms)
}

// dataSymbols encodes symbols of source bits into syms and returns how
// many it made: all of them, or fewer when the source is exhausted. The
// symbol in which it is gets padded with ones and counted; the trailer
// follows.
func (t *Transmitter) dataSymbols(syms []int) int {
	// First each symbol's bits, first in time most significant...
	made, ended := qam.SymbolBits(t.src, syms, uint(t.p.bitsPerSym))
	if ended {
		t.left = 0 // the trailer starts next
	}
	// ...then the scrambler and the phase changes over them.
	for i, w := range syms[:made] {
		t.phase = (t.phase + t.step(uint32(w))) & 7
		syms[i] = 1 + int(t.phase)
	}
	return made
}

// step scrambles a symbol's bits w, first in time most significant, and
// returns the phase change that carries them.
func (t *Transmitter) step(w uint32) uint8 {
	v := t.scr.ScrambleWord(w, uint(t.p.bitsPerSym))
	if t.p.bitsPerSym == 3 {
		return tribitStep[v&7]
	}
	return dibitStep[v&3]
}

// nextSymbol runs the sequence of Table 3/V.27 ter, then data.
//
// Symbols are indices into txPoints: silence, or 1 + the phase.
func (t *Transmitter) nextSymbol() (sym int, ok bool) {
	for t.left == 0 {
		t.advance()
	}
	t.left--
	switch t.stage {
	case txEchoTone:
		t.phase = 0
	case txEchoSilence:
		return 0, true
	case txReversals:
		t.phase = (t.phase + 4) & 7
	case txConditioning:
		// One scrambler.V27ter bit in three picks a 0° or 180° change.
		b := t.scr.Scramble(1)
		t.scr.Scramble(1)
		t.scr.Scramble(1)
		t.phase = (t.phase + uint8(4*b)) & 7
	case txOnes, txTrailer:
		t.phase = (t.phase + t.step(1<<t.p.bitsPerSym-1)) & 7
	case txData:
		var sym [1]int
		t.dataSymbols(sym[:])
		return sym[0], true
	case txTail:
		return 0, true
	case txDone:
		return 0, false
	}
	return 1 + int(t.phase), true
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
		t.scr = scrambler.V27ter{Reg: trainingSeed}
	case txConditioning:
		t.stage, t.left = txOnes, seg5Len
	case txOnes:
		t.stage, t.left = txData, math.MaxInt
	case txData:
		t.stage, t.left = txTrailer, trailerSymbols
	case txTrailer:
		t.stage, t.left = txTail, txSpan/2+1
	default:
		t.stage, t.left = txDone, 1
	}
}
