package t30

import (
	"errors"
	"fmt"
	"strings"
)

// FCF is a facsimile control field (T.30 §5.3.6.1), as the octet arrives
// from HDLC: the first bit on the line is the least significant bit, so the
// X bit (T.30 §5.3.6.1, "set to 1 by the station that received a valid DIS")
// is bit 0 of the octet.
type FCF byte

// Facsimile control fields with X = 0 (T.30 §5.3.6.1, Table 1 in the order of
// the standard). The initial identification group (DIS, CSI, NSF) and the
// commands to send (DTC, CIG, NSC, PWD) differ in their first bit, which is
// part of the code, not an X bit.
const (
	// Initial identification, called to calling terminal.
	FCFDIS FCF = 0x80 // digital identification signal
	FCFCSI FCF = 0x40 // called subscriber identification
	FCFNSF FCF = 0x20 // non-standard facilities

	// Commands to send (a calling receiver to a called transmitter).
	FCFDTC FCF = 0x81 // digital transmit command
	FCFCIG FCF = 0x41 // calling subscriber identification
	FCFNSC FCF = 0x21 // non-standard facilities command
	FCFPWD FCF = 0xC1 // password (polling)
	FCFSEP FCF = 0xA1 // selective polling

	// Commands to receive.
	FCFDCS FCF = 0x82 // digital command signal
	FCFTSI FCF = 0x42 // transmitting subscriber identification
	FCFNSS FCF = 0x22 // non-standard facilities set-up
	FCFSUB FCF = 0xC2 // subaddress
	FCFSID FCF = 0xA2 // sender identification (password for transmission)
	FCFCTC FCF = 0x12 // continue to correct (ECM)

	// Pre-message responses.
	FCFCFR FCF = 0x84 // confirmation to receive
	FCFFTT FCF = 0x44 // failure to train
	FCFCTR FCF = 0xC4 // response to CTC

	// Post-message commands.
	FCFEOM    FCF = 0x8E // end of message: back to phase B
	FCFMPS    FCF = 0x4E // multipage signal: another page follows
	FCFEOP    FCF = 0x2E // end of procedure
	FCFPRIEOM FCF = 0x9E // procedure interrupt EOM (answered as EOM)
	FCFPRIMPS FCF = 0x5E // procedure interrupt MPS
	FCFPRIEOP FCF = 0x3E // procedure interrupt EOP
	FCFPPS    FCF = 0xBE // partial page signal (ECM)
	FCFEOR    FCF = 0xCE // end of retransmission (ECM)
	FCFRR     FCF = 0x6E // receive ready (ECM)

	// Post-message responses.
	FCFMCF FCF = 0x8C // message confirmation
	FCFRTP FCF = 0xCC // retrain positive
	FCFRTN FCF = 0x4C // retrain negative
	FCFPIP FCF = 0xAC // procedure interrupt positive (taken as MCF)
	FCFPIN FCF = 0x2C // procedure interrupt negative (taken as RTN)
	FCFPPR FCF = 0xBC // partial page request (ECM)
	FCFRNR FCF = 0xEC // receive not ready (ECM)
	FCFERR FCF = 0x1C // response to EOR (ECM)

	// Other line control signals.
	FCFDCN FCF = 0xFA // disconnect
	FCFCRP FCF = 0x1A // command repeat

	// T.4 Annex A information frames, sent at the high-speed rate in ECM.
	FCFFCD FCF = 0x06 // facsimile coded data
	FCFRCP FCF = 0x86 // return to control for partial page

	// FCFNull is the FCF2 of a PPS that ends a block within a page.
	FCFNull FCF = 0x00
)

// fcfNames names every FCF this package knows, X bit clear.
var fcfNames = map[FCF]string{
	FCFDIS: "DIS", FCFCSI: "CSI", FCFNSF: "NSF",
	FCFDTC: "DTC", FCFCIG: "CIG", FCFNSC: "NSC", FCFPWD: "PWD", FCFSEP: "SEP",
	FCFDCS: "DCS", FCFTSI: "TSI", FCFNSS: "NSS", FCFSUB: "SUB", FCFSID: "SID", FCFCTC: "CTC",
	FCFCFR: "CFR", FCFFTT: "FTT", FCFCTR: "CTR",
	FCFEOM: "EOM", FCFMPS: "MPS", FCFEOP: "EOP", FCFPRIEOM: "PRI-EOM", FCFPRIMPS: "PRI-MPS", FCFPRIEOP: "PRI-EOP", FCFPPS: "PPS", FCFEOR: "EOR", FCFRR: "RR",
	FCFMCF: "MCF", FCFPIP: "PIP", FCFPIN: "PIN", FCFRTP: "RTP", FCFRTN: "RTN", FCFPPR: "PPR", FCFRNR: "RNR", FCFERR: "ERR",
	FCFDCN: "DCN", FCFCRP: "CRP", FCFFCD: "FCD", FCFRCP: "RCP", FCFNull: "NULL",
}

// initial reports whether f belongs to the groups whose first bit is part of
// the code (DIS/CSI/NSF and DTC/CIG/NSC/PWD/SEP), so has no X bit.
func (f FCF) initial() bool {
	switch f {
	case FCFDIS, FCFCSI, FCFNSF, FCFDTC, FCFCIG, FCFNSC, FCFPWD, FCFSEP:
		return true
	}
	return false
}

// Code returns f without its X bit, the value to compare with the FCF
// constants. The initial identification and send-command groups keep their
// first bit.
func (f FCF) Code() FCF {
	if f.initial() {
		return f
	}
	return f &^ 1
}

// String returns the T.30 mnemonic, with "X" appended when the X bit is set.
func (f FCF) String() string {
	c := f.Code()
	n, ok := fcfNames[c]
	if !ok {
		return fmt.Sprintf("FCF(0x%02X)", byte(f))
	}
	if c != f {
		n += "+X"
	}
	return n
}

// Frame is one T.30 HDLC frame without its FCS (T.30 §5.3): address 0xFF,
// control 0x03 or 0x13 (the final frame of a transmission), the FCF and the
// facsimile information field.
type Frame struct {
	Final bool
	FCF   FCF
	Info  []byte
}

// Frame errors.
var (
	ErrShortFrame = errors.New("t30: frame shorter than address, control and FCF")
	ErrAddress    = errors.New("t30: frame address is not 0xFF")
	ErrControl    = errors.New("t30: frame control is neither 0x03 nor 0x13")
	ErrInfo       = errors.New("t30: information field not valid for its FCF")
)

// Marshal returns the frame's octets: address, control, FCF, information.
func (f Frame) Marshal() []byte {
	ctl := byte(0x03)
	if f.Final {
		ctl = 0x13
	}
	b := make([]byte, 0, 3+len(f.Info))
	b = append(b, 0xFF, ctl, byte(f.FCF))
	return append(b, f.Info...)
}

// Unmarshal parses a frame received without its FCS. Info aliases data.
func (f *Frame) Unmarshal(data []byte) error {
	if len(data) < 3 {
		return ErrShortFrame
	}
	if data[0] != 0xFF {
		return fmt.Errorf("%w: 0x%02X", ErrAddress, data[0])
	}
	switch data[1] {
	case 0x03:
		f.Final = false
	case 0x13:
		f.Final = true
	default:
		return fmt.Errorf("%w: 0x%02X", ErrControl, data[1])
	}
	f.FCF = FCF(data[2])
	f.Info = data[3:]
	return nil
}

func (f Frame) String() string {
	if len(f.Info) == 0 {
		return f.FCF.String()
	}
	return fmt.Sprintf("%s % X", f.FCF, f.Info)
}

// IDLen is the length of an identification field (TSI, CSI, CIG, SUB, SID,
// PWD): 20 characters (T.30 §5.3.6.2.4).
const IDLen = 20

// MarshalID codes an identity as T.30 §5.3.6.2.4 has it: 20 octets, the last
// character of the string first, padded with spaces. Characters outside the
// printable ASCII range become spaces; a longer string is cut to its first 20
// characters.
func MarshalID(id string) []byte {
	r := []byte(id)
	if len(r) > IDLen {
		r = r[:IDLen]
	}
	b := make([]byte, IDLen)
	for i := range b {
		b[i] = ' '
	}
	for i, c := range r {
		if c < 0x20 || c > 0x7E {
			c = ' '
		}
		b[len(r)-1-i] = c
	}
	return b
}

// UnmarshalID decodes an identification field of any length up to 20
// octets: reversed, trimmed of spaces, non-printable octets dropped.
func UnmarshalID(info []byte) (string, error) {
	if len(info) > IDLen {
		return "", fmt.Errorf("%w: identity of %d octets", ErrInfo, len(info))
	}
	var sb strings.Builder
	for i := len(info) - 1; i >= 0; i-- {
		c := info[i]
		if c >= 0x20 && c <= 0x7E {
			sb.WriteByte(c)
		}
	}
	return strings.TrimSpace(sb.String()), nil
}
