package iax

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// IEType identifies an information element (RFC 5456 section 8.6).
type IEType uint8

// Information elements.
const (
	IECalledNumber  IEType = 1
	IECallingNumber IEType = 2
	IECallingANI    IEType = 3
	IECallingName   IEType = 4
	IECalledContext IEType = 5
	IEUsername      IEType = 6
	IEPassword      IEType = 7
	IECapability    IEType = 8
	IEFormat        IEType = 9
	IELanguage      IEType = 10
	IEVersion       IEType = 11
	IEADSICPE       IEType = 12
	IEDNID          IEType = 13
	IEAuthMethods   IEType = 14
	IEChallenge     IEType = 15
	IEMD5Result     IEType = 16
	IERSAResult     IEType = 17
	IEApparentAddr  IEType = 18
	IERefresh       IEType = 19
	IEDPStatus      IEType = 20
	IECallNo        IEType = 21
	IECause         IEType = 22
	IEIAXUnknown    IEType = 23
	IEMsgCount      IEType = 24
	IEAutoAnswer    IEType = 25
	IEMusicOnHold   IEType = 26
	IETransferID    IEType = 27
	IERDNIS         IEType = 28
	IEDateTime      IEType = 31
	IECallingPres   IEType = 38
	IECallingTON    IEType = 39
	IECallingTNS    IEType = 40
	IESamplingRate  IEType = 41
	IECauseCode     IEType = 42
	IEEncryption    IEType = 43
	IEEncKey        IEType = 44
	IECodecPrefs    IEType = 45
	IERRJitter      IEType = 46
	IERRLoss        IEType = 47
	IERRPkts        IEType = 48
	IERRDelay       IEType = 49
	IERRDropped     IEType = 50
	IERROOO         IEType = 51
	IEVariable      IEType = 52
	IEOSPToken      IEType = 53
	IECallToken     IEType = 54
	IECapability2   IEType = 55
	IEFormat2       IEType = 56
	IECallingANI2   IEType = 57
)

// IE is one information element. Data is at most 255 bytes.
type IE struct {
	Type IEType
	Data []byte
}

// IEs is the ordered list of information elements of an IAX frame. Order is
// kept so that frames re-marshal byte for byte.
type IEs []IE

// errShortIE reports an IE whose length runs past the end of the frame.
var errShortIE = errors.New("iax: information element truncated")

// UnmarshalIEs decodes the IE list that is the payload of an IAX frame.
// The IEs' Data alias b.
func UnmarshalIEs(b []byte) (IEs, error) {
	var ies IEs
	for len(b) > 0 {
		if len(b) < 2 {
			return ies, errShortIE
		}
		n := int(b[1])
		if len(b) < 2+n {
			return ies, fmt.Errorf("%w: IE %d wants %d bytes, %d left", errShortIE, b[0], n, len(b)-2)
		}
		ies = append(ies, IE{Type: IEType(b[0]), Data: b[2 : 2+n : 2+n]})
		b = b[2+n:]
	}
	return ies, nil
}

// AppendMarshal appends the encoded IEs to b. Data longer than 255 bytes is
// an error.
func (ies IEs) AppendMarshal(b []byte) ([]byte, error) {
	for _, ie := range ies {
		if len(ie.Data) > 255 {
			return b, fmt.Errorf("iax: IE %d too long (%d bytes)", ie.Type, len(ie.Data))
		}
		b = append(b, byte(ie.Type), byte(len(ie.Data)))
		b = append(b, ie.Data...)
	}
	return b, nil
}

// Len is the encoded length of ies.
func (ies IEs) Len() int {
	n := 0
	for _, ie := range ies {
		n += 2 + len(ie.Data)
	}
	return n
}

// Get returns the data of the first IE of type t.
func (ies IEs) Get(t IEType) ([]byte, bool) {
	for _, ie := range ies {
		if ie.Type == t {
			return ie.Data, true
		}
	}
	return nil, false
}

// Has reports whether an IE of type t is present (possibly empty).
func (ies IEs) Has(t IEType) bool { _, ok := ies.Get(t); return ok }

// String returns the text of IE t ("" if absent).
func (ies IEs) String(t IEType) string {
	d, _ := ies.Get(t)
	return string(d)
}

// Uint returns IE t as a big-endian unsigned integer of 1, 2, 4 or 8 bytes.
func (ies IEs) Uint(t IEType) (uint64, bool) {
	d, ok := ies.Get(t)
	if !ok {
		return 0, false
	}
	switch len(d) {
	case 1:
		return uint64(d[0]), true
	case 2:
		return uint64(binary.BigEndian.Uint16(d)), true
	case 4:
		return uint64(binary.BigEndian.Uint32(d)), true
	case 8:
		return binary.BigEndian.Uint64(d), true
	}
	return 0, false
}

// Format64 reads a FORMAT2/CAPABILITY2 IE: a version byte (0) and a 64-bit
// big-endian format set.
func (ies IEs) Format64(t IEType) (Format, bool) {
	d, ok := ies.Get(t)
	if !ok || len(d) != 9 || d[0] != 0 {
		return 0, false
	}
	return Format(binary.BigEndian.Uint64(d[1:])), true
}

// Formats returns the format and capability a NEW or ACCEPT announces,
// preferring the 64-bit IEs that newer Asterisk sends.
func (ies IEs) Formats() (format, capability Format) {
	if f, ok := ies.Format64(IEFormat2); ok {
		format = f
	} else if f, ok := ies.Uint(IEFormat); ok {
		format = Format(f)
	}
	if c, ok := ies.Format64(IECapability2); ok {
		capability = c
	} else if c, ok := ies.Uint(IECapability); ok {
		capability = Format(c)
	}
	return format, capability
}

// AddString appends a text IE.
func (ies *IEs) AddString(t IEType, s string) { *ies = append(*ies, IE{t, []byte(s)}) }

// AddBytes appends an IE with raw data (nil for an empty IE).
func (ies *IEs) AddBytes(t IEType, d []byte) { *ies = append(*ies, IE{t, d}) }

// AddUint8 appends a one-byte IE.
func (ies *IEs) AddUint8(t IEType, v uint8) { *ies = append(*ies, IE{t, []byte{v}}) }

// AddUint16 appends a two-byte big-endian IE.
func (ies *IEs) AddUint16(t IEType, v uint16) {
	*ies = append(*ies, IE{t, binary.BigEndian.AppendUint16(nil, v)})
}

// AddUint32 appends a four-byte big-endian IE.
func (ies *IEs) AddUint32(t IEType, v uint32) {
	*ies = append(*ies, IE{t, binary.BigEndian.AppendUint32(nil, v)})
}

// AddFormat64 appends a FORMAT2/CAPABILITY2 IE (version 0).
func (ies *IEs) AddFormat64(t IEType, f Format) {
	*ies = append(*ies, IE{t, binary.BigEndian.AppendUint64([]byte{0}, uint64(f))})
}

// DateTime packs t (UTC) in the IAX2 DATETIME format (RFC 5456 section
// 8.6.28): 7 bits year-2000, 4 month, 5 day, 5 hour, 6 minute, 5 second/2.
func DateTime(t time.Time) uint32 {
	t = t.UTC()
	y := max(0, t.Year()-2000) & 0x7f
	return uint32(y)<<25 | uint32(t.Month())<<21 | uint32(t.Day())<<16 |
		uint32(t.Hour())<<11 | uint32(t.Minute())<<5 | uint32(t.Second()/2)
}

// ParseDateTime unpacks a DATETIME value (UTC, 2 s resolution).
func ParseDateTime(v uint32) time.Time {
	return time.Date(2000+int(v>>25), time.Month(v>>21&0xf), int(v>>16&0x1f),
		int(v>>11&0x1f), int(v>>5&0x3f), int(v&0x1f)*2, 0, time.UTC)
}

// ApparentAddr encodes an APPARENT_ADDR IE as Asterisk does: a struct
// sockaddr_in with the family in host (little-endian) order and the port and
// address in network order. IPv6 addresses use sockaddr_in6's 28 bytes.
func ApparentAddr(a netip.AddrPort) []byte {
	ip := a.Addr().Unmap()
	if ip.Is4() {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint16(b, 2)
		binary.BigEndian.PutUint16(b[2:], a.Port())
		ip4 := ip.As4()
		copy(b[4:], ip4[:])
		return b
	}
	b := make([]byte, 28)
	binary.LittleEndian.PutUint16(b, 10)
	binary.BigEndian.PutUint16(b[2:], a.Port())
	ip16 := ip.As16()
	copy(b[8:], ip16[:])
	return b
}

// ParseApparentAddr decodes an APPARENT_ADDR IE. The family is accepted in
// either byte order, since implementations differ.
func ParseApparentAddr(b []byte) (netip.AddrPort, error) {
	if len(b) < 8 {
		return netip.AddrPort{}, fmt.Errorf("iax: apparent address of %d bytes", len(b))
	}
	fam := binary.LittleEndian.Uint16(b)
	port := binary.BigEndian.Uint16(b[2:])
	switch {
	case (fam == 2 || fam == 0x200) && len(b) >= 8:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port), nil
	case (fam == 10 || fam == 0xa00) && len(b) >= 24:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])), port), nil
	}
	return netip.AddrPort{}, fmt.Errorf("iax: apparent address family %#x", fam)
}
