package t4

import (
	"errors"
	"fmt"
)

// Compression names the coding of a page's rows.
type Compression int

const (
	MH  Compression = iota + 1 // T.4 one-dimensional (Modified Huffman), T.4 §4.1
	MR                         // T.4 two-dimensional (Modified READ), T.4 §4.2
	MMR                        // T.6 (Modified Modified READ), T.6 §2
)

// String returns the name fax software uses for c.
func (c Compression) String() string {
	switch c {
	case MH:
		return "MH"
	case MR:
		return "MR"
	case MMR:
		return "MMR"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

func (c Compression) valid() bool { return c >= MH && c <= MMR }

// Errors returned by the codecs, always wrapped with details.
var (
	// ErrOptions reports options that cannot be honoured.
	ErrOptions = errors.New("t4: invalid codec options")
	// ErrBadCode reports bits that are not a valid code where one must be:
	// an unknown code, a run past the end of the row, a row cut short by an
	// EOL, or T.4 uncompressed mode, which no fax machine uses.
	ErrBadCode = errors.New("t4: invalid code")
	// ErrTruncated reports data that ended inside a row, or no rows at all.
	ErrTruncated = errors.New("t4: data truncated")
)

// EncodeOptions control the bit stream; the zero value (with Compression
// set) is a plain T.4 stream as TIFF stores it: EOL before each row,
// MSB-first bytes, no RTC.
type EncodeOptions struct {
	Compression Compression
	// K is for MR: at most K-1 2-D rows follow each 1-D row (T.4 §4.2).
	// 0 means 2. T.4 asks for 2 at standard and 4 at fine resolution; the
	// caller decides.
	K int
	// MinRowBits pads each coded row (its EOL included) with fill bits to
	// at least this length, to honour the minimum scan line time T.30
	// negotiated (T.4 §4.1.3): the time in ms times the bit rate over 1000,
	// e.g. 96 bits for 10 ms at 9600 bit/s. MH/MR only; ignored for MMR.
	MinRowBits int
	// AlignEOL adds fill bits so that every EOL ends on a byte boundary
	// (TIFF T4Options bit 2). MH/MR only.
	AlignEOL bool
	// NoEOL omits EOLs (a rare TIFF G3 variant). MH only: an MR row's 1-D/2-D
	// tag bit rides on its EOL, so MR with NoEOL is an error.
	NoEOL bool
	// AlignRows starts every row on a byte boundary. With NoEOL this is
	// TIFF Compression 2 ("CCITT RLE"); MH with NoEOL only.
	AlignRows bool
	// RTC ends the page with RTC, six EOLs (T.4 §4.1.4), for MH/MR and with
	// EOFB, two EOLs (T.6 §2.4), for MMR.
	RTC bool
	// LSBFirst packs codes least significant bit first: the order bits go
	// on the line, TIFF FillOrder 2.
	LSBFirst bool
}

// DecodeOptions describe the stream to decode.
//
// MH and MR data may come with or without EOLs, and fill bits before an EOL
// are always allowed. Once an EOL has been seen, every row must end at an
// EOL (or at the end of the data), so that damage is detected and the
// decoder can resynchronise on the next EOL.
type DecodeOptions struct {
	Compression Compression
	Width       int // pixels per row (required, 1..MaxDimension)
	// Height is the number of rows expected; the page has exactly this many
	// (missing rows are white and counted bad). 0 decodes until RTC/EOFB or
	// the end of the data.
	Height   int
	LSBFirst bool
	// AlignRows: every row starts on a byte boundary, as in TIFF
	// Compression 2 ("CCITT RLE", MH without EOLs). MH only.
	AlignRows bool
	// LeadingEOL: the data is a page as a fax line carries it, which
	// begins with an EOL (T.4 §4.1.2). What precedes the first EOL is not
	// decoded: a run of 1s (the tail of a modem's training) and fill are
	// ignored, anything else is what is left of rows whose EOLs were lost,
	// counted bad (at least one). MH and MR only.
	LeadingEOL bool
}

// DecodeStats say how clean the data was; T.30 decides MCF or RTN from them.
type DecodeStats struct {
	Rows              int  // rows produced
	BadRows           int  // rows that failed to decode (replaced by the previous good row, as fax machines do)
	MaxConsecutiveBad int  // longest run of bad rows
	RTC               bool // RTC (MH/MR) or EOFB (MMR) seen
}

// maxPageBytes bounds the raster a decoder builds, whatever the data
// claims: 64 MiB is over four times an A3 page at 400 dpi.
const maxPageBytes = 64 << 20

func (o EncodeOptions) check() (k int, err error) {
	if !o.Compression.valid() {
		return 0, fmt.Errorf("%w: compression %v", ErrOptions, o.Compression)
	}
	if o.K < 0 || o.MinRowBits < 0 {
		return 0, fmt.Errorf("%w: K %d, MinRowBits %d", ErrOptions, o.K, o.MinRowBits)
	}
	if o.NoEOL && o.Compression == MR {
		return 0, fmt.Errorf("%w: MR needs EOLs to carry its tag bits", ErrOptions)
	}
	if o.NoEOL && o.MinRowBits > 0 && o.Compression == MH {
		return 0, fmt.Errorf("%w: fill bits need EOLs", ErrOptions)
	}
	if o.AlignRows && (o.Compression != MH || !o.NoEOL) {
		return 0, fmt.Errorf("%w: AlignRows needs MH without EOLs", ErrOptions)
	}
	k = o.K
	if k == 0 {
		k = 2
	}
	return k, nil
}

func (o DecodeOptions) check() error {
	if !o.Compression.valid() {
		return fmt.Errorf("%w: compression %v", ErrOptions, o.Compression)
	}
	if o.Width <= 0 || o.Width > MaxDimension || o.Height < 0 || o.Height > MaxDimension {
		return fmt.Errorf("%w: %dx%d", ErrDimension, o.Width, o.Height)
	}
	if o.AlignRows && o.Compression != MH {
		return fmt.Errorf("%w: AlignRows with %v", ErrOptions, o.Compression)
	}
	if o.LeadingEOL && (o.Compression == MMR || o.AlignRows) {
		return fmt.Errorf("%w: LeadingEOL with %v without EOLs", ErrOptions, o.Compression)
	}
	if stride := (o.Width + 7) / 8; o.Height*stride > maxPageBytes {
		return fmt.Errorf("%w: %dx%d is over %d bytes", ErrDimension, o.Width, o.Height, maxPageBytes)
	}
	return nil
}
