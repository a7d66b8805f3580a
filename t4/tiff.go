package t4

import (
	"errors"
	"time"
)

// TIFF Class F is how fax software stores pages on disk (TIFF 6.0 §11 and
// the "TIFF Class F" extension by Cygnet/HylaFAX): one bilevel image per
// page, compressed with the fax codecs themselves, with the page's
// resolution and, for received pages, how damaged the line was.

// Errors returned by ReadTIFF, each wrapped with details.
var (
	// ErrNotTIFF means the data does not start with a TIFF header.
	ErrNotTIFF = errors.New("t4: not a TIFF file")
	// ErrUnsupported means a valid TIFF that is not a bilevel image we can
	// decode (colour, BigTIFF, JPEG, T.4 uncompressed mode, ...).
	ErrUnsupported = errors.New("t4: unsupported TIFF")
	// ErrCorrupt means the file contradicts itself: offsets past its end,
	// IFD loops, missing required tags, undecodable image data.
	ErrCorrupt = errors.New("t4: corrupt TIFF")
)

// TIFFOptions choose how pages are stored.
type TIFFOptions struct {
	Compression Compression // MH (Compression=3), MR (3 with T4Options 2-D bit), MMR (4)
	K           int         // MR K (0: 2 at standard, 4 otherwise)
	FillOrder   int         // 1 (MSB first, default) or 2
	AlignEOL    bool        // T4Options bit 2
	// RTC ends each MH/MR page with RTC (six EOLs), as efax writes. libtiff
	// does not, and our strips are then byte for byte libtiff's; but efax's
	// efix, which runs past the strip to find the EOL ending the last row,
	// needs it. MMR pages always end with EOFB, as libtiff writes them.
	RTC      bool
	Software string    // default "softfax"
	Time     time.Time // DateTime tag; zero means omit
}

// TIFFPage is a decoded page with what the file said about it.
type TIFFPage struct {
	*Page
	// BadFaxLines and CleanFaxData are the Class F quality tags (326, 327):
	// the number of rows received damaged, and whether they were
	// regenerated (CleanFaxData 1) or left as received (2); 0 is clean.
	BadFaxLines  int
	CleanFaxData int
	// Stats are the decoder's own counts for this page (all strips); an
	// uncompressed page has only Rows.
	Stats DecodeStats
	// Compression is the page's coding: MH, MR or MMR, or 0 for an
	// uncompressed or PackBits image.
	Compression Compression
}

// Values of the CleanFaxData tag (TIFF Class F).
const (
	CleanFaxDataClean       = 0 // no errors
	CleanFaxDataRegenerated = 1 // damaged rows were replaced
	CleanFaxDataUnclean     = 2 // damaged rows are present as received
)

// TIFF tags used by Class F (TIFF 6.0 appendix A; Class F tags 326-328).
const (
	tiffTagNewSubfileType         = 254
	tiffTagImageWidth             = 256
	tiffTagImageLength            = 257
	tiffTagBitsPerSample          = 258
	tiffTagCompression            = 259
	tiffTagPhotometric            = 262
	tiffTagFillOrder              = 266
	tiffTagStripOffsets           = 273
	tiffTagSamplesPerPixel        = 277
	tiffTagRowsPerStrip           = 278
	tiffTagStripByteCounts        = 279
	tiffTagXResolution            = 282
	tiffTagYResolution            = 283
	tiffTagPlanarConfig           = 284
	tiffTagT4Options              = 292
	tiffTagT6Options              = 293
	tiffTagResolutionUnit         = 296
	tiffTagPageNumber             = 297
	tiffTagSoftware               = 305
	tiffTagDateTime               = 306
	tiffTagBadFaxLines            = 326
	tiffTagCleanFaxData           = 327
	tiffTagConsecutiveBadFaxLines = 328
)

// TIFF field types (TIFF 6.0 §2).
const (
	tiffTypeByte      = 1
	tiffTypeASCII     = 2
	tiffTypeShort     = 3
	tiffTypeLong      = 4
	tiffTypeRational  = 5
	tiffTypeSByte     = 6
	tiffTypeUndefined = 7
	tiffTypeSShort    = 8
	tiffTypeSLong     = 9
	tiffTypeSRational = 10
	tiffTypeFloat     = 11
	tiffTypeDouble    = 12
	tiffTypeIFD       = 13
)

// tiffTypeSize is the size in bytes of one value of each field type; 0 for
// types we do not know (their entries are skipped).
func tiffTypeSize(t uint16) int {
	switch t {
	case tiffTypeByte, tiffTypeASCII, tiffTypeSByte, tiffTypeUndefined:
		return 1
	case tiffTypeShort, tiffTypeSShort:
		return 2
	case tiffTypeLong, tiffTypeSLong, tiffTypeFloat, tiffTypeIFD:
		return 4
	case tiffTypeRational, tiffTypeSRational, tiffTypeDouble:
		return 8
	}
	return 0
}

// TIFF Compression tag values.
const (
	tiffCompressionNone     = 1
	tiffCompressionCCITTRLE = 2 // "Modified Huffman" without EOLs, rows byte aligned
	tiffCompressionG3       = 3
	tiffCompressionG4       = 4
	tiffCompressionPackBits = 32773
)

// Bits of T4Options (TIFF 6.0 §11) and T6Options.
const (
	tiffT4Opt2D           = 1 << 0
	tiffT4OptUncompressed = 1 << 1
	tiffT4OptFillBits     = 1 << 2
	tiffT6OptUncompressed = 1 << 1
)

// Photometric interpretations of bilevel images.
const (
	tiffPhotometricWhiteIsZero = 0
	tiffPhotometricBlackIsZero = 1
)

// Resolution units.
const (
	tiffResUnitNone = 1
	tiffResUnitInch = 2
	tiffResUnitCm   = 3
)
