package iax

import (
	"fmt"
	"math/bits"
	"strings"
)

// FrameType is the frame type octet of a full frame (RFC 5456 section 8.2).
type FrameType uint8

// Frame types.
const (
	TypeDTMFEnd   FrameType = 0x01
	TypeVoice     FrameType = 0x02
	TypeVideo     FrameType = 0x03
	TypeControl   FrameType = 0x04
	TypeNull      FrameType = 0x05
	TypeIAX       FrameType = 0x06
	TypeText      FrameType = 0x07
	TypeImage     FrameType = 0x08
	TypeHTML      FrameType = 0x09
	TypeComfort   FrameType = 0x0a
	TypeModem     FrameType = 0x0b
	TypeDTMFBegin FrameType = 0x0c
)

var frameTypeNames = map[FrameType]string{
	TypeDTMFEnd: "DTMF", TypeVoice: "VOICE", TypeVideo: "VIDEO", TypeControl: "CONTROL",
	TypeNull: "NULL", TypeIAX: "IAX", TypeText: "TEXT", TypeImage: "IMAGE", TypeHTML: "HTML",
	TypeComfort: "CNG", TypeModem: "MODEM", TypeDTMFBegin: "DTMF_BEGIN",
}

func (t FrameType) String() string {
	if s, ok := frameTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE(%d)", uint8(t))
}

// IAX subclasses of TypeIAX frames (RFC 5456 section 8.4; CALLTOKEN from
// Asterisk 1.6.2, assigned 40 there).
const (
	CmdNew       = 1
	CmdPing      = 2
	CmdPong      = 3
	CmdAck       = 4
	CmdHangup    = 5
	CmdReject    = 6
	CmdAccept    = 7
	CmdAuthReq   = 8
	CmdAuthRep   = 9
	CmdInval     = 10
	CmdLagRq     = 11
	CmdLagRp     = 12
	CmdRegReq    = 13
	CmdRegAuth   = 14
	CmdRegAck    = 15
	CmdRegRej    = 16
	CmdRegRel    = 17
	CmdVNAK      = 18
	CmdDPReq     = 19
	CmdDPRep     = 20
	CmdDial      = 21
	CmdTxReq     = 22
	CmdTxCnt     = 23
	CmdTxAcc     = 24
	CmdTxReady   = 25
	CmdTxRel     = 26
	CmdTxRej     = 27
	CmdQuelch    = 28
	CmdUnquelch  = 29
	CmdPoke      = 30
	CmdMWI       = 32
	CmdUnsupport = 33
	CmdTransfer  = 34
	CmdCallToken = 40
)

var cmdNames = map[uint32]string{
	CmdNew: "NEW", CmdPing: "PING", CmdPong: "PONG", CmdAck: "ACK", CmdHangup: "HANGUP",
	CmdReject: "REJECT", CmdAccept: "ACCEPT", CmdAuthReq: "AUTHREQ", CmdAuthRep: "AUTHREP",
	CmdInval: "INVAL", CmdLagRq: "LAGRQ", CmdLagRp: "LAGRP", CmdRegReq: "REGREQ",
	CmdRegAuth: "REGAUTH", CmdRegAck: "REGACK", CmdRegRej: "REGREJ", CmdRegRel: "REGREL",
	CmdVNAK: "VNAK", CmdDPReq: "DPREQ", CmdDPRep: "DPREP", CmdDial: "DIAL", CmdTxReq: "TXREQ",
	CmdTxCnt: "TXCNT", CmdTxAcc: "TXACC", CmdTxReady: "TXREADY", CmdTxRel: "TXREL",
	CmdTxRej: "TXREJ", CmdQuelch: "QUELCH", CmdUnquelch: "UNQUELCH", CmdPoke: "POKE",
	CmdMWI: "MWI", CmdUnsupport: "UNSUPPORT", CmdTransfer: "TRANSFER", CmdCallToken: "CALLTOKEN",
}

// Control subclasses of TypeControl frames (RFC 5456 section 8.3).
const (
	CtlHangup     = 1
	CtlRinging    = 3
	CtlAnswer     = 4
	CtlBusy       = 5
	CtlCongestion = 8
	CtlFlash      = 9
	CtlOption     = 11
	CtlKey        = 12
	CtlUnkey      = 13
	CtlProgress   = 14
	CtlProceeding = 15
	CtlHold       = 16
	CtlUnhold     = 17
)

var ctlNames = map[uint32]string{
	CtlHangup: "HANGUP", CtlRinging: "RINGING", CtlAnswer: "ANSWER", CtlBusy: "BUSY",
	CtlCongestion: "CONGESTION", CtlFlash: "FLASH", CtlOption: "OPTION", CtlKey: "KEY",
	CtlUnkey: "UNKEY", CtlProgress: "PROGRESS", CtlProceeding: "PROCEEDING",
	CtlHold: "HOLD", CtlUnhold: "UNHOLD",
}

// Format is a media format bit (RFC 5456 section 8.7). A set of formats is
// the bitwise OR of its members (CAPABILITY).
type Format uint64

// The formats softfax negotiates; the others are named for logs.
const (
	FormatG723    Format = 1 << 0
	FormatGSM     Format = 1 << 1
	FormatULaw    Format = 1 << 2
	FormatALaw    Format = 1 << 3
	FormatG726    Format = 1 << 4
	FormatADPCM   Format = 1 << 5
	FormatSLinear Format = 1 << 6
	FormatLPC10   Format = 1 << 7
	FormatG729    Format = 1 << 8
	FormatSpeex   Format = 1 << 9
	FormatILBC    Format = 1 << 10
	FormatG722    Format = 1 << 12
)

var formatNames = []struct {
	f Format
	n string
}{
	{FormatG723, "g723"}, {FormatGSM, "gsm"}, {FormatULaw, "ulaw"}, {FormatALaw, "alaw"},
	{FormatG726, "g726"}, {FormatADPCM, "adpcm"}, {FormatSLinear, "slinear"},
	{FormatLPC10, "lpc10"}, {FormatG729, "g729"}, {FormatSpeex, "speex"},
	{FormatILBC, "ilbc"}, {FormatG722, "g722"},
}

func (f Format) String() string {
	if f == 0 {
		return "none"
	}
	var parts []string
	rest := f
	for _, fn := range formatNames {
		if f&fn.f != 0 {
			parts = append(parts, fn.n)
			rest &^= fn.f
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint64(rest)))
	}
	return strings.Join(parts, "|")
}

// ParseFormat parses "ulaw", "alaw" or "slinear" (and the aliases "pcmu",
// "pcma", "slin").
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "ulaw", "pcmu", "mulaw":
		return FormatULaw, nil
	case "alaw", "pcma":
		return FormatALaw, nil
	case "slinear", "slin", "linear":
		return FormatSLinear, nil
	}
	return 0, fmt.Errorf("iax: unknown format %q", s)
}

// BytesPerSample is the payload size of one 8 kHz sample in format f, or 0
// for formats softfax does not carry.
func (f Format) BytesPerSample() int {
	switch f {
	case FormatULaw, FormatALaw:
		return 1
	case FormatSLinear:
		return 2
	}
	return 0
}

// single reports whether f names exactly one format.
func (f Format) single() bool { return f != 0 && bits.OnesCount64(uint64(f)) == 1 }

// AuthMethod is a set of authentication methods (IE AUTHMETHODS).
type AuthMethod uint16

// Authentication methods (RFC 5456 section 8.6.13).
const (
	AuthPlaintext AuthMethod = 1 << 0
	AuthMD5       AuthMethod = 1 << 1
	AuthRSA       AuthMethod = 1 << 2
)

// Cause is a Q.850 cause code (IE CAUSECODE).
type Cause uint8

// Cause codes softfax sends or interprets.
const (
	CauseUnallocated        Cause = 1
	CauseNoRoute            Cause = 3
	CauseNormalClearing     Cause = 16
	CauseUserBusy           Cause = 17
	CauseNoUserResponse     Cause = 18
	CauseNoAnswer           Cause = 19
	CauseCallRejected       Cause = 21
	CauseFacilityRejected   Cause = 29
	CauseNormalUnspecified  Cause = 31
	CauseCongestion         Cause = 34
	CauseTemporaryFailure   Cause = 41
	CauseBearerNotAvailable Cause = 58
	CauseIncompatibleDest   Cause = 88
	CauseRecoveryOnTimer    Cause = 102
)

var causeText = map[Cause]string{
	CauseUnallocated: "Unallocated number", CauseNoRoute: "No route to destination",
	CauseNormalClearing: "Normal Clearing", CauseUserBusy: "Busy",
	CauseNoUserResponse: "No user response", CauseNoAnswer: "No answer",
	CauseCallRejected: "Call rejected", CauseFacilityRejected: "No authority found",
	CauseNormalUnspecified: "Normal, unspecified", CauseCongestion: "Congestion",
	CauseTemporaryFailure: "Temporary failure", CauseBearerNotAvailable: "Unable to negotiate codec",
	CauseIncompatibleDest: "Incompatible destination", CauseRecoveryOnTimer: "Recovery on timer expiry",
}

// Text is the CAUSE string sent with c.
func (c Cause) Text() string {
	if s, ok := causeText[c]; ok {
		return s
	}
	return fmt.Sprintf("Cause %d", uint8(c))
}

func (c Cause) String() string { return fmt.Sprintf("%d (%s)", uint8(c), c.Text()) }
