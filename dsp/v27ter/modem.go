package v27ter

import (
	"fmt"
	"math"

	"github.com/softfax/softfax/dsp/internal/qam"
)

// CarrierHz is the V.27 ter carrier frequency, 1800 ± 1 Hz.
const CarrierHz = 1800

// Rates: 4800 bit/s at 1600 baud (tribits), 2400 bit/s at 1200 baud (dibits).
const (
	Rate4800 = 4800
	Rate2400 = 2400
)

// DefaultLevel is a usual fax transmit level in dBm0.
const DefaultLevel = -10.0

// rolloff is the excess bandwidth of the root-raised-cosine shaping shared
// between transmitter and receiver (V.27 ter: 50% raised-cosine energy spectrum).
const rolloff = 0.5

// Synchronizing sequence segment lengths, in symbol intervals
// (Table 3/V.27 ter).
const (
	seg3Long  = 50   // continuous 180° phase reversals
	seg3Short = 14   //
	seg4Long  = 1074 // equalizer conditioning pattern
	seg4Short = 58   //
	seg5Len   = 8    // continuous scrambled binary ones
	// trailerSymbols of scrambled ones follow the data, so the far end's
	// equalizer and decision delay flush the last data bits before the
	// carrier drops (V.27 ter defines no turn-off sequence; spandsp sends
	// the same 32).
	trailerSymbols = 32
)

// Talker-echo protection (segments 1 and 2 of Table 3): unmodulated carrier
// for 185-200 ms, then 20 ms of silence. Fax does not use it by default.
const (
	echoToneSeconds    = 0.190
	echoSilenceSeconds = 0.020
)

// params are the per-rate constants.
type params struct {
	baud       int
	bitsPerSym int
	// samples per symbol as the fraction symNum/symDen
	symNum, symDen int
}

func paramsFor(rate int) (params, error) {
	switch rate {
	case Rate4800:
		return params{baud: 1600, bitsPerSym: 3, symNum: 5, symDen: 1}, nil
	case Rate2400:
		return params{baud: 1200, bitsPerSym: 2, symNum: 20, symDen: 3}, nil
	}
	return params{}, fmt.Errorf("v27ter: unsupported rate %d bit/s (want 2400 or 4800)", rate)
}

func (p params) samplesPerSymbol() float64 { return float64(p.symNum) / float64(p.symDen) }

// Phase changes are in units of 45°. Table 1/V.27 ter (4800 bit/s,
// tribit as sent, first bit most significant) and Table 2 (2400 bit/s).
var (
	tribitStep = [8]uint8{1, 0, 2, 3, 6, 7, 5, 4}
	dibitStep  = [4]uint8{0, 2, 6, 4}
	// and their inverses, indexed by the phase change
	stepTribit = [8]uint8{1, 0, 2, 3, 7, 6, 4, 5}
	stepDibit  = [8]uint8{0, 0, 1, 0, 3, 0, 2, 0}
)

// unit8PSK[k] is exp(j·k·45°), the constellation at unit radius.
var unit8PSK = func() (c [8]qam.Complex) {
	for k := range c {
		c[k] = qam.Expj(float64(k) * math.Pi / 4)
	}
	return c
}()
