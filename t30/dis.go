package t30

import (
	"fmt"

	"github.com/softfax/softfax/modem"
)

// The bits of DIS, DTC and DCS that softfax uses, numbered as in T.30
// Table 2 (bit 1 is the first bit of the FIF on the line, the least
// significant bit of its first octet).
const (
	bitT38         = 3  // T.38 capability (DIS only, informative)
	bitV8          = 6  // V.8 capabilities
	bitFrame64     = 7  // DIS: 64-octet ECM frames preferred
	bitReadyTx     = 9  // DIS/DTC: ready to transmit a facsimile document (polling)
	bitReceiverFax = 10 // DIS/DTC: can receive; DCS: receiver fax operation (must be 1)
	bitRate        = 11 // bits 11-14: data signalling rate
	bitFine        = 15 // R8 x 7.7 lines/mm
	bitMR          = 16 // two-dimensional coding
	bitWidth       = 17 // bits 17-18: recording width
	bitLength      = 19 // bits 19-20: recording length
	bitScanTime    = 21 // bits 21-23: minimum scan line time
	bitExtend24    = 24
	bitUncomp      = 26 // uncompressed mode
	bitECM         = 27 // error correction mode
	bitFrameSize   = 28 // DCS: 0 = 256-octet, 1 = 64-octet ECM frames
	bitMMR         = 31 // T.6 coding
	bitExtend32    = 32
	bitExtend40    = 40
	bitSuperfine   = 41 // R8 x 15.4 lines/mm
	bit300x300     = 42 // 300 x 300 pels/25.4 mm
	bitR16         = 43 // R16 x 15.4 lines/mm
	bitInch        = 44 // inch-based resolution preferred
	bitMetric      = 45 // metric-based resolution preferred
	bitScanHalf    = 46 // DIS: min scan time at higher resolutions is half that at 7.7
	bitExtend48    = 48
	bitSubaddress  = 49 // DIS: subaddressing capability; DCS: SUB transmitted
	bitPassword    = 50 // DIS: password capability; DCS: SID transmitted
)

// Width is a recording width, T.30 Table 2 bits 17-18.
type Width int

// The scan line lengths of T.4 §2.2 at 8 pels/mm.
const (
	WidthA4 Width = iota // 215 mm, 1728 pels
	WidthB4              // 255 mm, 2048 pels
	WidthA3              // 303 mm, 2432 pels
)

// Pixels returns the row length of w at R8 (T.4 Table 1).
func (w Width) Pixels() int {
	switch w {
	case WidthB4:
		return 2048
	case WidthA3:
		return 2432
	}
	return 1728
}

func (w Width) String() string {
	switch w {
	case WidthB4:
		return "B4"
	case WidthA3:
		return "A3"
	}
	return "A4"
}

// WidthOf returns the recording width whose row length is px.
func WidthOf(px int) (Width, bool) {
	for _, w := range []Width{WidthA4, WidthB4, WidthA3} {
		if w.Pixels() == px {
			return w, true
		}
	}
	return 0, false
}

// Length is a recording length, T.30 Table 2 bits 19-20.
type Length int

// Recording lengths.
const (
	LengthA4        Length = iota // 297 mm
	LengthB4                      // A4 and B4 (364 mm)
	LengthUnlimited               // no limit
)

// ScanTime is a minimum scan line time in milliseconds (T.30 Table 2 bits
// 21-23; T.4 §3.2): a sender pads every coded row so that it lasts at least
// this long at the negotiated rate.
type ScanTime int

// ModemSet is what a DIS or DTC offers in bits 11-14: the modem families the
// station can receive with (T.30 Table 2, note 4 and the rate codes).
type ModemSet int

// The modem sets a DIS may offer.
const (
	ModemsV27terFallback ModemSet = iota // V.27 ter 2400 only
	ModemsV27ter                         // V.27 ter 4800, 2400
	ModemsV29                            // V.29 only
	ModemsV27terV29                      // V.27 ter and V.29
	ModemsV27terV29V17                   // V.27 ter, V.29 and V.17
)

// DIS rate codes, bits 11,12,13,14 read as a number with bit 11 as its most
// significant bit, as Table 2 prints them.
var disRateCodes = map[ModemSet]uint8{
	ModemsV27terFallback: 0b0000,
	ModemsV27ter:         0b0100,
	ModemsV29:            0b1000,
	ModemsV27terV29:      0b1100,
	ModemsV27terV29V17:   0b1101,
}

// Has reports whether the set includes modulation m.
func (s ModemSet) Has(m modem.Modulation) bool {
	switch m {
	case modem.V27ter2400:
		return s != ModemsV29
	case modem.V27ter4800:
		return s == ModemsV27ter || s == ModemsV27terV29 || s == ModemsV27terV29V17
	case modem.V29_9600, modem.V29_7200:
		return s == ModemsV29 || s == ModemsV27terV29 || s == ModemsV27terV29V17
	case modem.V17_14400, modem.V17_12000, modem.V17_9600, modem.V17_7200:
		return s == ModemsV27terV29V17
	}
	return false
}

// DCS rate codes (bits 11-14, bit 11 most significant as printed in
// Table 2), keyed by the long-train modulation.
var dcsRateCodes = map[modem.Modulation]uint8{
	modem.V27ter2400: 0b0000,
	modem.V27ter4800: 0b0100,
	modem.V29_9600:   0b1000,
	modem.V29_7200:   0b1100,
	modem.V17_14400:  0b0001,
	modem.V17_12000:  0b0101,
	modem.V17_9600:   0b1001,
	modem.V17_7200:   0b1101,
}

// Fallback is the order in which a sender tries the modems, fastest first
// (T.30 §5.3.2.1 leaves the order to the sender; this is the usual one).
var Fallback = []modem.Modulation{
	modem.V17_14400, modem.V17_12000, modem.V17_9600, modem.V17_7200,
	modem.V29_9600, modem.V29_7200,
	modem.V27ter4800, modem.V27ter2400,
}

// shortTrain returns the short-train form of a V.17 modulation, m otherwise.
func shortTrain(m modem.Modulation) modem.Modulation {
	switch m {
	case modem.V17_14400:
		return modem.V17_14400Short
	case modem.V17_12000:
		return modem.V17_12000Short
	case modem.V17_9600:
		return modem.V17_9600Short
	case modem.V17_7200:
		return modem.V17_7200Short
	}
	return m
}

// DIS is a digital identification signal, or a digital transmit command
// (the same field, T.30 §5.3.6.2.1): what a station can do.
type DIS struct {
	T38             bool     // bit 3
	V8              bool     // bit 6
	Frame64         bool     // bit 7: 64-octet ECM frames preferred
	ReadyToTransmit bool     // bit 9: a document is ready to be polled
	CanReceive      bool     // bit 10
	Modems          ModemSet // bits 11-14
	Fine            bool     // bit 15: R8 x 7.7
	MR              bool     // bit 16: two-dimensional coding
	Width           Width    // bits 17-18: widest width accepted
	Length          Length   // bits 19-20
	ScanTime        ScanTime // bits 21-23, at 3.85 lines/mm
	// ScanTimeHalfFine: bits 21-23 say the time at 7.7 lines/mm is half
	// the time at 3.85 (codes 011, 110, 101).
	ScanTimeHalfFine bool
	Uncompressed     bool // bit 26
	ECM              bool // bit 27
	MMR              bool // bit 31: T.6 coding
	Superfine        bool // bit 41: R8 x 15.4
	Res300           bool // bit 42: 300 x 300
	R16              bool // bit 43: R16 x 15.4
	InchPreferred    bool // bit 44
	MetricPreferred  bool // bit 45
	ScanTimeHalfHigh bool // bit 46
	Subaddressing    bool // bit 49
	Password         bool // bit 50
}

// DCS is a digital command signal (T.30 §5.3.6.2.3): what the sender has
// chosen among what the receiver offered.
type DCS struct {
	Modulation modem.Modulation // bits 11-14, the long-train code
	Fine       bool             // bit 15
	MR         bool             // bit 16
	Width      Width            // bits 17-18
	Length     Length           // bits 19-20
	ScanTime   ScanTime         // bits 21-23
	ECM        bool             // bit 27
	Frame64    bool             // bit 28: 64-octet frames (256 otherwise)
	MMR        bool             // bit 31
	Superfine  bool             // bit 41
	Res300     bool             // bit 42
	R16        bool             // bit 43
	Inch       bool             // bit 44
	Metric     bool             // bit 45
	SubAddress bool             // bit 49: SUB follows (subaddress transmission)
	SenderID   bool             // bit 50: SID follows (sender identification transmission)
	// The other DCS bits softfax never sets; Unmarshal ignores them.
}

// fif is a facsimile information field being assembled or read, addressed
// by Table 2 bit numbers.
type fif []byte

func (f fif) bit(n int) bool {
	i := (n - 1) / 8
	return i < len(f) && f[i]&(1<<((n-1)%8)) != 0
}

func (f fif) set(n int, v bool) {
	if v {
		f[(n-1)/8] |= 1 << ((n - 1) % 8)
	}
}

// field reads bits n..n+w-1 as a number with bit n most significant, the way
// Table 2 prints multi-bit codes.
func (f fif) field(n, w int) uint8 {
	var v uint8
	for i := 0; i < w; i++ {
		v <<= 1
		if f.bit(n + i) {
			v |= 1
		}
	}
	return v
}

func (f fif) setField(n, w int, v uint8) {
	for i := 0; i < w; i++ {
		f.set(n+i, v&(1<<(w-1-i)) != 0)
	}
}

// trim drops trailing octets that carry nothing and sets the extension bits
// (24, 32, 40, ...) of the octets before the last (T.30 Table 2 note:
// an extend bit of 1 says another octet follows). The minimum FIF is three
// octets.
func (f fif) trim() fif {
	n := len(f)
	for n > 3 && f[n-1] == 0 {
		n--
	}
	f = f[:n]
	for i := 2; i < n-1; i++ {
		f[i] |= 0x80
	}
	return f
}

// scan-time codes of bits 21-23 (bit 21 most significant). DIS codes 011,
// 110 and 101 also say "half at 7.7 lines/mm".
var scanTimeCodes = map[ScanTime]uint8{20: 0b000, 40: 0b001, 10: 0b010, 5: 0b100, 0: 0b111}

func scanTimeOf(code uint8) (t ScanTime, half bool) {
	switch code {
	case 0b000:
		return 20, false
	case 0b001:
		return 40, false
	case 0b010:
		return 10, false
	case 0b100:
		return 5, false
	case 0b011:
		return 10, true
	case 0b110:
		return 20, true
	case 0b101:
		return 40, true
	}
	return 0, false
}

func marshalScan(f fif, t ScanTime, half bool) error {
	code, ok := scanTimeCodes[t]
	if !ok {
		return fmt.Errorf("%w: minimum scan line time %d ms", ErrInfo, t)
	}
	if half {
		switch t {
		case 10:
			code = 0b011
		case 20:
			code = 0b110
		case 40:
			code = 0b101
		default:
			return fmt.Errorf("%w: half scan time at %d ms", ErrInfo, t)
		}
	}
	f.setField(bitScanTime, 3, code)
	return nil
}

// sizeCodes are the codes of the recording width (bits 17-18) and length
// (bits 19-20), the lower bit number most significant, indexed by Width or
// Length: 00 A4 (width 215 mm, length 297 mm); 10 B4 (DIS: A4 and B4);
// 01 A3 width (DIS: all three) or unlimited length. Code 11 is invalid; it
// is read as the widest or longest, as T.30's note allows for an unknown
// code.
var sizeCodes = [3]uint8{0b00, 0b10, 0b01}

// marshalSize sets the 2-bit size field at bit n to the code of size i
// (a Width or Length); an unknown size is sent as A4.
func marshalSize(f fif, n, i int) {
	if i > 0 && i < len(sizeCodes) {
		f.setField(n, 2, sizeCodes[i])
	}
}

// sizeOf returns the Width or Length of the 2-bit size field at bit n.
func sizeOf(f fif, n int) int {
	switch f.field(n, 2) {
	case 0b10:
		return 1
	case 0b01, 0b11:
		return 2
	}
	return 0
}

// bitField ties a one-bit field of DIS or DCS to its T.30 Table 2 bit number,
// so that Marshal and Unmarshal read the same table.
type bitField struct {
	bit int
	v   *bool
}

// flags returns the one-bit fields of d.
func (d *DIS) flags() [18]bitField {
	return [...]bitField{
		{bitT38, &d.T38},
		{bitV8, &d.V8},
		{bitFrame64, &d.Frame64},
		{bitReadyTx, &d.ReadyToTransmit},
		{bitReceiverFax, &d.CanReceive},
		{bitFine, &d.Fine},
		{bitMR, &d.MR},
		{bitUncomp, &d.Uncompressed},
		{bitECM, &d.ECM},
		{bitMMR, &d.MMR},
		{bitSuperfine, &d.Superfine},
		{bit300x300, &d.Res300},
		{bitR16, &d.R16},
		{bitInch, &d.InchPreferred},
		{bitMetric, &d.MetricPreferred},
		{bitScanHalf, &d.ScanTimeHalfHigh},
		{bitSubaddress, &d.Subaddressing},
		{bitPassword, &d.Password},
	}
}

// flags returns the one-bit fields of d that stand alone (Frame64 counts
// only with ECM).
func (d *DCS) flags() [11]bitField {
	return [...]bitField{
		{bitFine, &d.Fine},
		{bitMR, &d.MR},
		{bitECM, &d.ECM},
		{bitMMR, &d.MMR},
		{bitSuperfine, &d.Superfine},
		{bit300x300, &d.Res300},
		{bitR16, &d.R16},
		{bitInch, &d.Inch},
		{bitMetric, &d.Metric},
		{bitSubaddress, &d.SubAddress},
		{bitPassword, &d.SenderID},
	}
}

// Marshal returns the DIS (or DTC) information field.
func (d DIS) Marshal() ([]byte, error) {
	f := make(fif, 8)
	for _, fl := range d.flags() {
		f.set(fl.bit, *fl.v)
	}
	code, ok := disRateCodes[d.Modems]
	if !ok {
		return nil, fmt.Errorf("%w: modem set %d", ErrInfo, d.Modems)
	}
	f.setField(bitRate, 4, code)
	marshalSize(f, bitWidth, int(d.Width))
	marshalSize(f, bitLength, int(d.Length))
	if err := marshalScan(f, d.ScanTime, d.ScanTimeHalfFine); err != nil {
		return nil, err
	}
	return f.trim(), nil
}

// Unmarshal reads a DIS or DTC information field. Bits beyond the last
// octet read as 0 (T.30 §5.3.6.2.1: a shorter field means "not capable");
// unknown bits are ignored.
func (d *DIS) Unmarshal(info []byte) error {
	if len(info) < 3 {
		return fmt.Errorf("%w: DIS of %d octets", ErrInfo, len(info))
	}
	f := fif(extent(info))
	*d = DIS{Width: Width(sizeOf(f, bitWidth)), Length: Length(sizeOf(f, bitLength))}
	for _, fl := range d.flags() {
		*fl.v = f.bit(fl.bit)
	}
	d.ScanTime, d.ScanTimeHalfFine = scanTimeOf(f.field(bitScanTime, 3))
	switch f.field(bitRate, 4) {
	case 0b0000:
		d.Modems = ModemsV27terFallback
	case 0b0100:
		d.Modems = ModemsV27ter
	case 0b1000:
		d.Modems = ModemsV29
	case 0b1100:
		d.Modems = ModemsV27terV29
	case 0b1101:
		d.Modems = ModemsV27terV29V17
	default:
		// Reserved codes (some with V.33, V.34 bits): V.27 ter and V.29
		// is what every G3 machine has (T.30 Table 2 note 2).
		d.Modems = ModemsV27terV29
	}
	// MMR needs ECM (T.30 Table 2 note 36 / §5.3.6.2.1): ignore an offer
	// of MMR without ECM rather than fail a call over it.
	if !d.ECM {
		d.MMR = false
	}
	return nil
}

// extent returns the octets of info up to and including the first one
// whose extension bit (its most significant bit, from the third octet on)
// is 0: what follows is not part of the field (T.30 §5.3.6.2.1).
func extent(info []byte) []byte {
	for i := 2; i < len(info); i++ {
		if info[i]&0x80 == 0 {
			return info[:i+1]
		}
	}
	return info
}

// Marshal returns the DCS information field.
func (d DCS) Marshal() ([]byte, error) {
	f := make(fif, 8)
	f.set(bitReceiverFax, true)
	code, ok := dcsRateCodes[d.Modulation]
	if !ok {
		return nil, fmt.Errorf("%w: DCS modulation %v", ErrInfo, d.Modulation)
	}
	f.setField(bitRate, 4, code)
	marshalSize(f, bitWidth, int(d.Width))
	marshalSize(f, bitLength, int(d.Length))
	if err := marshalScan(f, d.ScanTime, false); err != nil {
		return nil, err
	}
	if d.MMR && !d.ECM {
		return nil, fmt.Errorf("%w: MMR without ECM", ErrInfo)
	}
	for _, fl := range d.flags() {
		f.set(fl.bit, *fl.v)
	}
	f.set(bitFrameSize, d.ECM && d.Frame64)
	return f.trim(), nil
}

// Unmarshal reads a DCS information field.
func (d *DCS) Unmarshal(info []byte) error {
	if len(info) < 3 {
		return fmt.Errorf("%w: DCS of %d octets", ErrInfo, len(info))
	}
	f := fif(extent(info))
	code := f.field(bitRate, 4)
	var mod modem.Modulation
	for m, c := range dcsRateCodes {
		if c == code {
			mod = m
		}
	}
	if mod == 0 {
		return fmt.Errorf("%w: DCS rate code %04b", ErrInfo, code)
	}
	*d = DCS{
		Modulation: mod,
		Width:      Width(sizeOf(f, bitWidth)),
		Length:     Length(sizeOf(f, bitLength)),
		Frame64:    f.bit(bitECM) && f.bit(bitFrameSize),
	}
	for _, fl := range d.flags() {
		*fl.v = f.bit(fl.bit)
	}
	d.ScanTime, _ = scanTimeOf(f.field(bitScanTime, 3))
	if d.MMR && !d.ECM {
		return fmt.Errorf("%w: DCS asks for MMR without ECM", ErrInfo)
	}
	return nil
}

// FrameSize returns the ECM frame size the DCS chose: 64 or 256 octets.
func (d DCS) FrameSize() int {
	if d.Frame64 {
		return 64
	}
	return 256
}
