package t4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// WriteTIFF writes pages as one multi-page TIFF Class F file: little
// endian, one IFD and one strip per page, each page coded as opt says.
// The zero TIFFOptions write MH, MSB first, as "softfax".
func WriteTIFF(w io.Writer, pages []*Page, opt TIFFOptions) error {
	tp := make([]TIFFPage, len(pages))
	for i, p := range pages {
		tp[i].Page = p
	}
	return WriteTIFFPages(w, tp, opt)
}

// WriteTIFFPages is WriteTIFF for pages that carry Class F quality
// information: each page's BadFaxLines and CleanFaxData are written to its
// tags (ConsecutiveBadFaxLines from Stats.MaxConsecutiveBad), as a
// receiver archives what it got. Stats.Rows and Compression are ignored.
func WriteTIFFPages(w io.Writer, pages []TIFFPage, opt TIFFOptions) error {
	if len(pages) == 0 {
		return errors.New("t4: WriteTIFF: no pages")
	}
	if len(pages) > math.MaxUint16 {
		return fmt.Errorf("t4: WriteTIFF: %d pages, at most %d", len(pages), math.MaxUint16)
	}
	comp := opt.Compression
	if comp == 0 {
		comp = MH
	}
	if comp != MH && comp != MR && comp != MMR {
		return fmt.Errorf("t4: WriteTIFF: compression %d", comp)
	}
	fill := opt.FillOrder
	if fill == 0 {
		fill = 1
	}
	if fill != 1 && fill != 2 {
		return fmt.Errorf("t4: WriteTIFF: fill order %d", opt.FillOrder)
	}
	software := opt.Software
	if software == "" {
		software = "softfax"
	}
	var dateTime string
	if !opt.Time.IsZero() {
		dateTime = opt.Time.Format("2006:01:02 15:04:05") // TIFF 6.0 DateTime, 19 characters
	}

	var buf []byte
	off := int64(0)
	buf = append(buf, 'I', 'I', 42, 0, 8, 0, 0, 0)
	off = 8
	for i, tp := range pages {
		p := tp.Page
		if err := checkWritable(p); err != nil {
			return fmt.Errorf("t4: WriteTIFF: page %d: %w", i+1, err)
		}
		k := opt.K
		if k <= 0 {
			k = 4
			if p.Res.Y < 150 {
				k = 2 // T.4 §4.2.1: K=2 at standard vertical resolution
			}
		}
		enc := EncodeOptions{Compression: comp, K: k, AlignEOL: opt.AlignEOL && comp != MMR, LSBFirst: fill == 2, RTC: comp == MMR || opt.RTC}
		var t4opt uint32
		if comp == MR {
			t4opt |= tiffT4Opt2D
		}
		if enc.AlignEOL {
			t4opt |= tiffT4OptFillBits
		}

		var d tiffDirWriter
		d.long(tiffTagNewSubfileType, 2) // a page of a multi-page document
		d.long(tiffTagImageWidth, uint32(p.Width))
		d.long(tiffTagImageLength, uint32(p.Height))
		d.short(tiffTagBitsPerSample, 1)
		if comp == MMR {
			d.short(tiffTagCompression, tiffCompressionG4)
		} else {
			d.short(tiffTagCompression, tiffCompressionG3)
		}
		d.short(tiffTagPhotometric, tiffPhotometricWhiteIsZero)
		d.short(tiffTagFillOrder, uint16(fill))
		d.long(tiffTagStripOffsets, 0) // set below, once the layout is known
		d.short(tiffTagSamplesPerPixel, 1)
		d.long(tiffTagRowsPerStrip, uint32(p.Height))
		d.long(tiffTagStripByteCounts, 0)
		d.rational(tiffTagXResolution, p.Res.X)
		d.rational(tiffTagYResolution, p.Res.Y)
		if comp == MMR {
			d.long(tiffTagT6Options, 0)
		} else {
			d.long(tiffTagT4Options, t4opt)
		}
		d.short(tiffTagResolutionUnit, tiffResUnitInch)
		d.shorts(tiffTagPageNumber, uint16(i), uint16(len(pages))) // numbered from 0 (TIFF 6.0)
		d.ascii(tiffTagSoftware, software)
		if dateTime != "" {
			d.ascii(tiffTagDateTime, dateTime)
		}
		d.long(tiffTagBadFaxLines, uint32(max(tp.BadFaxLines, 0)))
		d.short(tiffTagCleanFaxData, uint16(min(max(tp.CleanFaxData, 0), math.MaxUint16)))
		if tp.BadFaxLines > 0 {
			d.long(tiffTagConsecutiveBadFaxLines, uint32(max(tp.Stats.MaxConsecutiveBad, 0)))
		}

		// Layout: directory, its out-of-line values, then the strip.
		start := len(buf)
		buf = padEven(d.append(buf, uint32(off)))
		dataOff := off + int64(len(buf)-start)
		dataStart := len(buf)
		var err error
		buf, err = AppendEncode(buf, p, enc)
		if err != nil {
			return fmt.Errorf("t4: WriteTIFF: page %d: %w", i+1, err)
		}
		n := len(buf) - dataStart
		buf = padEven(buf)
		next := off + int64(len(buf)-start)
		if next > math.MaxUint32 {
			return fmt.Errorf("t4: WriteTIFF: file exceeds 4 GiB")
		}
		if i == len(pages)-1 {
			next = 0
		}
		d.patch(buf[start:], tiffTagStripOffsets, uint32(dataOff))
		d.patch(buf[start:], tiffTagStripByteCounts, uint32(n))
		d.patchNext(buf[start:], uint32(next))
		off += int64(len(buf) - start)
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("t4: WriteTIFF: %w", err)
		}
		buf = buf[:0]
	}
	return nil
}

// checkWritable rejects pages a TIFF cannot describe faithfully.
func checkWritable(p *Page) error {
	switch {
	case p == nil:
		return errors.New("nil page")
	case p.Width <= 0 || p.Height <= 0 || p.Width > MaxDimension || p.Height > MaxDimension:
		return fmt.Errorf("%w: %dx%d", ErrDimension, p.Width, p.Height)
	case p.Stride != (p.Width+7)/8 || len(p.Pix) < p.Stride*p.Height:
		return fmt.Errorf("malformed page: stride %d, %d bytes for %dx%d", p.Stride, len(p.Pix), p.Width, p.Height)
	case !(p.Res.X > 0 && p.Res.Y > 0 && p.Res.X < 1e6 && p.Res.Y < 1e6):
		return fmt.Errorf("page has no usable resolution (%gx%g)", p.Res.X, p.Res.Y)
	}
	return nil
}

func padEven(b []byte) []byte {
	if len(b)%2 != 0 {
		b = append(b, 0)
	}
	return b
}

// tiffDirWriter collects the entries of one little-endian IFD.
type tiffDirWriter struct {
	entries []tiffDirEntry
}

type tiffDirEntry struct {
	tag, typ uint16
	count    uint32
	data     []byte // little-endian values
}

func (d *tiffDirWriter) add(tag, typ uint16, count int, data []byte) {
	d.entries = append(d.entries, tiffDirEntry{tag: tag, typ: typ, count: uint32(count), data: data})
}

func (d *tiffDirWriter) long(tag uint16, v uint32) {
	d.add(tag, tiffTypeLong, 1, binary.LittleEndian.AppendUint32(nil, v))
}

func (d *tiffDirWriter) short(tag uint16, v uint16) { d.shorts(tag, v) }

func (d *tiffDirWriter) shorts(tag uint16, v ...uint16) {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	d.add(tag, tiffTypeShort, len(v), b)
}

// rational stores v as a fraction: exact for whole numbers and for the
// usual two-decimal values (203.2, 97.79).
func (d *tiffDirWriter) rational(tag uint16, v float64) {
	num, den := uint32(math.Round(v)), uint32(1)
	if math.Abs(v-math.Round(v)) > 1e-9 {
		num, den = uint32(math.Round(v*100)), 100
	}
	b := binary.LittleEndian.AppendUint32(nil, num)
	d.add(tag, tiffTypeRational, 1, binary.LittleEndian.AppendUint32(b, den))
}

func (d *tiffDirWriter) ascii(tag uint16, s string) {
	b := append([]byte(s), 0) // NUL terminated, count includes the NUL
	d.add(tag, tiffTypeASCII, len(b), b)
}

// append serialises the directory, placed at file offset off, with its
// out-of-line values after it. Entries are sorted by tag (TIFF 6.0 §2).
func (d *tiffDirWriter) append(b []byte, off uint32) []byte {
	slices.SortFunc(d.entries, func(a, b tiffDirEntry) int { return int(a.tag) - int(b.tag) })
	le := binary.LittleEndian
	b = le.AppendUint16(b, uint16(len(d.entries)))
	extra := off + uint32(2+12*len(d.entries)+4)
	var values []byte
	for _, e := range d.entries {
		b = le.AppendUint16(b, e.tag)
		b = le.AppendUint16(b, e.typ)
		b = le.AppendUint32(b, e.count)
		if len(e.data) <= 4 {
			var v [4]byte
			copy(v[:], e.data)
			b = append(b, v[:]...)
			continue
		}
		b = le.AppendUint32(b, extra+uint32(len(values)))
		values = padEven(append(values, e.data...))
	}
	b = le.AppendUint32(b, 0) // next IFD, patched by patchNext
	return append(b, values...)
}

// patch sets the value of a one-LONG entry of the serialised directory b.
func (d *tiffDirWriter) patch(b []byte, tag uint16, v uint32) {
	for i, e := range d.entries {
		if e.tag == tag {
			binary.LittleEndian.PutUint32(b[2+12*i+8:], v)
			return
		}
	}
}

// patchNext sets the serialised directory's next-IFD offset.
func (d *tiffDirWriter) patchNext(b []byte, next uint32) {
	binary.LittleEndian.PutUint32(b[2+12*len(d.entries):], next)
}
