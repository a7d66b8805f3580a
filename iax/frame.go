package iax

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// Header sizes (RFC 5456 sections 8.1 and 8.1.2).
const (
	FullHeaderLen = 12
	MiniHeaderLen = 4
)

// ErrMalformed is wrapped by every error about a datagram that cannot be
// an IAX2 frame.
var ErrMalformed = errors.New("iax: malformed datagram")

// FullFrame is an IAX2 full frame (RFC 5456 section 8.1.1): reliable,
// sequenced, with a 32-bit timestamp.
type FullFrame struct {
	SrcCall    uint16 // source call number, 15 bits
	DstCall    uint16 // destination call number, 15 bits; 0 when unknown
	Retransmit bool   // R bit: this is a retransmission
	Timestamp  uint32 // ms since the sender's call start
	OSeq, ISeq uint8
	Type       FrameType
	// Subclass is the decoded subclass: an IAX command, a control code, a
	// DTMF digit or, for media, a Format bit. Values of 0x80 or more are
	// sent as a power of two (the C bit).
	Subclass uint32
	// IEs are the information elements of a TypeIAX frame; Payload is the
	// payload of any other type (audio for voice frames). Unmarshal fills
	// IEs for TypeIAX frames and leaves Payload holding the raw bytes.
	IEs     IEs
	Payload []byte
}

// Unmarshal decodes a full frame. IE data and Payload alias b.
func (f *FullFrame) Unmarshal(b []byte) error {
	if len(b) < FullHeaderLen {
		return fmt.Errorf("%w: full frame of %d bytes", ErrMalformed, len(b))
	}
	s := binary.BigEndian.Uint16(b)
	if s&0x8000 == 0 {
		return fmt.Errorf("%w: F bit clear in full frame", ErrMalformed)
	}
	d := binary.BigEndian.Uint16(b[2:])
	*f = FullFrame{
		SrcCall:    s & 0x7fff,
		DstCall:    d & 0x7fff,
		Retransmit: d&0x8000 != 0,
		Timestamp:  binary.BigEndian.Uint32(b[4:]),
		OSeq:       b[8],
		ISeq:       b[9],
		Type:       FrameType(b[10]),
		Payload:    b[FullHeaderLen:],
	}
	sc := b[11]
	if sc&0x80 != 0 {
		shift := sc & 0x7f
		if shift > 31 {
			return fmt.Errorf("%w: subclass 2^%d", ErrMalformed, shift)
		}
		f.Subclass = 1 << shift
	} else {
		f.Subclass = uint32(sc)
	}
	if f.Type == TypeIAX {
		ies, err := UnmarshalIEs(f.Payload)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		f.IEs = ies
	}
	return nil
}

// encodeSubclass maps a subclass to its octet: values under 0x80 as they
// are, powers of two above with the C bit (RFC 5456 section 8.1.1).
func encodeSubclass(v uint32) (byte, error) {
	if v < 0x80 {
		return byte(v), nil
	}
	if bits.OnesCount32(v) != 1 {
		return 0, fmt.Errorf("iax: subclass %#x is neither < 0x80 nor a power of two", v)
	}
	return 0x80 | byte(bits.TrailingZeros32(v)), nil
}

// AppendMarshal appends the encoded frame to b. For TypeIAX frames the IEs
// are encoded; for other types the Payload.
func (f *FullFrame) AppendMarshal(b []byte) ([]byte, error) {
	sc, err := encodeSubclass(f.Subclass)
	if err != nil {
		return b, err
	}
	d := f.DstCall & 0x7fff
	if f.Retransmit {
		d |= 0x8000
	}
	b = binary.BigEndian.AppendUint16(b, 0x8000|f.SrcCall&0x7fff)
	b = binary.BigEndian.AppendUint16(b, d)
	b = binary.BigEndian.AppendUint32(b, f.Timestamp)
	b = append(b, f.OSeq, f.ISeq, byte(f.Type), sc)
	if f.Type == TypeIAX {
		return f.IEs.AppendMarshal(b)
	}
	return append(b, f.Payload...), nil
}

// Marshal encodes the frame into a new slice.
func (f *FullFrame) Marshal() ([]byte, error) {
	n := len(f.Payload)
	if f.Type == TypeIAX {
		n = f.IEs.Len()
	}
	return f.AppendMarshal(make([]byte, 0, FullHeaderLen+n))
}

// IsCmd reports whether f is the IAX command cmd.
func (f *FullFrame) IsCmd(cmd uint32) bool { return f.Type == TypeIAX && f.Subclass == cmd }

// sequenced reports whether the frame takes a sequence number: ACK, INVAL,
// VNAK, TXCNT and TXACC do not (RFC 5456 section 7; as Asterisk and libiax2
// do it).
func (f *FullFrame) sequenced() bool {
	if f.Type != TypeIAX {
		return true
	}
	switch f.Subclass {
	case CmdAck, CmdInval, CmdVNAK, CmdTxCnt, CmdTxAcc:
		return false
	}
	return true
}

// String renders the frame for logs, in the transcripts' style.
func (f *FullFrame) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "FULL %s scall=%d dcall=%d", f.Name(), f.SrcCall, f.DstCall)
	if f.Retransmit {
		sb.WriteString(" R")
	}
	fmt.Fprintf(&sb, " ts=%d oseq=%d iseq=%d", f.Timestamp, f.OSeq, f.ISeq)
	for _, ie := range f.IEs {
		fmt.Fprintf(&sb, " %d=%q", ie.Type, ie.Data)
	}
	return sb.String()
}

// Name is the frame's type and subclass, such as "IAX/NEW" or "CONTROL/ANSWER".
func (f *FullFrame) Name() string {
	switch f.Type {
	case TypeIAX:
		if n, ok := cmdNames[f.Subclass]; ok {
			return "IAX/" + n
		}
	case TypeControl:
		if n, ok := ctlNames[f.Subclass]; ok {
			return "CONTROL/" + n
		}
	case TypeVoice:
		return "VOICE/" + Format(f.Subclass).String()
	case TypeDTMFEnd, TypeDTMFBegin:
		return fmt.Sprintf("%s/%q", f.Type, rune(f.Subclass))
	}
	return fmt.Sprintf("%s/%d", f.Type, f.Subclass)
}

// MiniFrame is a voice mini frame (RFC 5456 section 8.1.2): the source call
// number and the low 16 bits of the timestamp, then the payload in the
// format last announced by a full voice frame.
type MiniFrame struct {
	SrcCall   uint16
	Timestamp uint16
	Payload   []byte
}

// Unmarshal decodes a mini frame. Payload aliases b.
func (m *MiniFrame) Unmarshal(b []byte) error {
	if len(b) < MiniHeaderLen {
		return fmt.Errorf("%w: mini frame of %d bytes", ErrMalformed, len(b))
	}
	s := binary.BigEndian.Uint16(b)
	if s&0x8000 != 0 || s == 0 {
		return fmt.Errorf("%w: not a mini frame", ErrMalformed)
	}
	*m = MiniFrame{SrcCall: s, Timestamp: binary.BigEndian.Uint16(b[2:]), Payload: b[MiniHeaderLen:]}
	return nil
}

// AppendMarshal appends the encoded mini frame to b.
func (m *MiniFrame) AppendMarshal(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, m.SrcCall&0x7fff)
	b = binary.BigEndian.AppendUint16(b, m.Timestamp)
	return append(b, m.Payload...)
}

// Kind classifies a datagram by its first bits.
type Kind uint8

// Datagram kinds.
const (
	KindFull Kind = iota + 1
	KindMini
	// KindMeta: the first 16 bits are zero: a trunk frame or a video mini
	// frame (RFC 5456 sections 8.1.3, 8.1.4). softfax counts and drops them.
	KindMeta
)

func (k Kind) String() string {
	switch k {
	case KindFull:
		return "full"
	case KindMini:
		return "mini"
	case KindMeta:
		return "meta"
	}
	return "invalid"
}

// Classify returns the kind of datagram b without decoding it.
func Classify(b []byte) (Kind, error) {
	if len(b) < MiniHeaderLen {
		return 0, fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	switch {
	case b[0]&0x80 != 0:
		return KindFull, nil
	case b[0] == 0 && b[1] == 0:
		return KindMeta, nil
	}
	return KindMini, nil
}

// Datagram is one decoded UDP datagram: exactly one of Full and Mini is set
// for KindFull and KindMini; KindMeta carries only Raw.
type Datagram struct {
	Kind Kind
	Full *FullFrame
	Mini *MiniFrame
	Raw  []byte
}

// ParseDatagram decodes one datagram. It never panics; anything that is not
// a well-formed IAX2 frame is an error wrapping [ErrMalformed].
func ParseDatagram(b []byte) (Datagram, error) {
	k, err := Classify(b)
	if err != nil {
		return Datagram{}, err
	}
	d := Datagram{Kind: k, Raw: b}
	switch k {
	case KindFull:
		d.Full = new(FullFrame)
		err = d.Full.Unmarshal(b)
	case KindMini:
		d.Mini = new(MiniFrame)
		err = d.Mini.Unmarshal(b)
	}
	return d, err
}
