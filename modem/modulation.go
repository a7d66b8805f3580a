package modem

import (
	"fmt"

	"github.com/softfax/softfax/dsp/v17"
	"github.com/softfax/softfax/dsp/v21"
	"github.com/softfax/softfax/dsp/v27ter"
)

// Modulation is a T.31 modulation code, the <mod> of AT+FTM=<mod>,
// AT+FRM=<mod>, AT+FTH=<mod> and AT+FRH=<mod> (T.31 Table 1). The code is
// the bit rate in hundreds of bit/s, plus one for V.17 and two for V.17
// with the short train.
type Modulation int

// The modulations of T.31 Table 1 that fax uses.
const (
	V21            Modulation = 3   // V.21 channel 2, 300 bit/s (T.30 control)
	V27ter2400     Modulation = 24  // V.27 ter 2400 bit/s
	V27ter4800     Modulation = 48  // V.27 ter 4800 bit/s
	V29_7200       Modulation = 72  // V.29 7200 bit/s
	V17_7200       Modulation = 73  // V.17 7200 bit/s, long train
	V17_7200Short  Modulation = 74  // V.17 7200 bit/s, short train
	V29_9600       Modulation = 96  // V.29 9600 bit/s
	V17_9600       Modulation = 97  // V.17 9600 bit/s, long train
	V17_9600Short  Modulation = 98  // V.17 9600 bit/s, short train
	V17_12000      Modulation = 121 // V.17 12000 bit/s, long train
	V17_12000Short Modulation = 122 // V.17 12000 bit/s, short train
	V17_14400      Modulation = 145 // V.17 14400 bit/s, long train
	V17_14400Short Modulation = 146 // V.17 14400 bit/s, short train
)

// family is the modem a modulation runs on.
type family int

const (
	famNone family = iota
	famV21
	famV27ter
	famV29
	famV17
)

// spec returns the modem, bit rate and training of m; fam is famNone for
// a code the engine does not know.
func (m Modulation) spec() (fam family, rate int, short bool) {
	switch m {
	case V21:
		return famV21, v21.BitRate, false
	case V27ter2400:
		return famV27ter, v27ter.Rate2400, false
	case V27ter4800:
		return famV27ter, v27ter.Rate4800, false
	case V29_7200:
		return famV29, 7200, false
	case V29_9600:
		return famV29, 9600, false
	case V17_7200, V17_7200Short:
		return famV17, v17.Rate7200, m == V17_7200Short
	case V17_9600, V17_9600Short:
		return famV17, v17.Rate9600, m == V17_9600Short
	case V17_12000, V17_12000Short:
		return famV17, v17.Rate12000, m == V17_12000Short
	case V17_14400, V17_14400Short:
		return famV17, v17.Rate14400, m == V17_14400Short
	}
	return famNone, 0, false
}

// Valid reports whether m is a modulation of T.31 Table 1 the engine runs.
func (m Modulation) Valid() bool {
	fam, _, _ := m.spec()
	return fam != famNone
}

// BitRate returns the data rate of m in bit/s, 0 for an unknown code.
func (m Modulation) BitRate() int {
	_, rate, _ := m.spec()
	return rate
}

// ShortTrain reports whether m asks for the V.17 short training sequence,
// which reuses the far receiver's equalizer from the last long train.
func (m Modulation) ShortTrain() bool {
	_, _, short := m.spec()
	return short
}

func (m Modulation) String() string {
	fam, rate, short := m.spec()
	switch fam {
	case famV21:
		return "V.21 300"
	case famV27ter:
		return fmt.Sprintf("V.27ter %d", rate)
	case famV29:
		return fmt.Sprintf("V.29 %d", rate)
	case famV17:
		if short {
			return fmt.Sprintf("V.17 %d short train", rate)
		}
		return fmt.Sprintf("V.17 %d", rate)
	}
	return fmt.Sprintf("modulation(%d)", int(m))
}

// Modulations returns the high-speed modulations, in the order of T.31
// Table 1: the answer to AT+FTM=? and AT+FRM=? (V.21 is reached with
// +FTH/+FRH only).
func Modulations() []Modulation {
	return []Modulation{V27ter2400, V27ter4800, V29_7200, V17_7200, V17_7200Short,
		V29_9600, V17_9600, V17_9600Short, V17_12000, V17_12000Short, V17_14400, V17_14400Short}
}

// HDLCModulations returns the modulations that TransmitHDLC and ReceiveHDLC
// accept: V.21 for T.30 control, and the high-speed ones for ECM frames.
// (iaxmodem's spandsp answers AT+FTH=? with 3 only; a pty driver may
// advertise just V21.)
func HDLCModulations() []Modulation {
	return append([]Modulation{V21}, Modulations()...)
}
