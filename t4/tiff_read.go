package t4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Decoding budget. A fax code can describe a row in one bit (an MMR row
// equal to the row above), so a tiny hostile file could ask for a raster
// of gigabytes. We allow each page a floor big enough for any real fax
// page (a blank A3 page at 400 dpi is 3.9 MB) plus an expansion factor on
// the page's own coded bytes, and the whole file the same on its size.
// Legitimate files stay far below: an MH row of 1728 pixels takes at least
// 3.5 bytes against its 216 raster bytes.
const (
	tiffPageFloor   = 4 << 20
	tiffFileFloor   = 16 << 20
	tiffExpansion   = 4096
	tiffMaxIFDChain = 1 << 16
)

// ReadTIFF decodes every page of a TIFF file, following the IFD chain in
// file order. It reads TIFF Class F (MH, MR and MMR coding, either fill
// order, EOL-aligned or not) and plain bilevel TIFF (uncompressed or
// PackBits), in either byte order, with any number of strips, WhiteIsZero
// or BlackIsZero. Reduced-resolution images (thumbnails) are skipped.
// Resolutions close to a fax resolution (however expressed, inch or cm)
// are mapped to [Standard], [Fine] or [Superfine]; others are kept.
//
// Errors wrap [ErrNotTIFF], [ErrUnsupported] or [ErrCorrupt]. On error the
// pages decoded before the failing one are returned with it, so that a
// damaged file still yields what it can. Memory use is bounded by size:
// ReadTIFF never reads past size and never allocates more than a fixed
// multiple of it.
func ReadTIFF(r io.ReaderAt, size int64) ([]TIFFPage, error) {
	f := &tiffFile{r: r, size: size}
	if err := f.readHeader(); err != nil {
		return nil, err
	}
	f.budget = tiffFileFloor + tiffExpansion*min(size, math.MaxInt64/(2*tiffExpansion))
	var pages []TIFFPage
	visited := make(map[int64]bool)
	for off, n := f.firstIFD, 0; off != 0; n++ {
		if visited[off] {
			return pages, fmt.Errorf("%w: IFD loop at offset %d", ErrCorrupt, off)
		}
		if n >= tiffMaxIFDChain {
			return pages, fmt.Errorf("%w: more than %d IFDs", ErrUnsupported, tiffMaxIFDChain)
		}
		visited[off] = true
		d, next, err := f.readIFD(off)
		if err != nil {
			return pages, fmt.Errorf("IFD %d: %w", n, err)
		}
		page, ok, err := f.decodePage(d)
		if err != nil {
			return pages, fmt.Errorf("page %d (IFD %d at %d): %w", len(pages)+1, n, off, err)
		}
		if ok {
			pages = append(pages, page)
		}
		off = next
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("%w: no page in file", ErrCorrupt)
	}
	return pages, nil
}

// tiffFile is one ReadTIFF call's view of the file.
type tiffFile struct {
	r        io.ReaderAt
	size     int64
	bo       binary.ByteOrder
	firstIFD int64
	budget   int64 // raster bytes the rest of the file may still allocate
	// Directories and strips of a well-formed file never overlap, so all
	// of them together fit in the file. Counting what we have read keeps
	// the work linear in size whatever the offsets say.
	dirBytes, stripBytes int64
	buf                  []byte // strip buffer, reused across strips
}

// readHeader checks the 8-byte header (TIFF 6.0 §2: byte order, 42, offset).
func (f *tiffFile) readHeader() error {
	var h [8]byte
	if f.size < 8 {
		return fmt.Errorf("%w: %d bytes", ErrNotTIFF, f.size)
	}
	if _, err := f.r.ReadAt(h[:], 0); err != nil && !(errors.Is(err, io.EOF)) {
		return fmt.Errorf("%w: reading header: %w", ErrNotTIFF, err)
	}
	switch string(h[:2]) {
	case "II":
		f.bo = binary.LittleEndian
	case "MM":
		f.bo = binary.BigEndian
	default:
		return fmt.Errorf("%w: byte order mark %q", ErrNotTIFF, h[:2])
	}
	switch magic := f.bo.Uint16(h[2:]); magic {
	case 42:
	case 43:
		return fmt.Errorf("%w: BigTIFF", ErrUnsupported)
	default:
		return fmt.Errorf("%w: magic %d", ErrNotTIFF, magic)
	}
	f.firstIFD = int64(f.bo.Uint32(h[4:]))
	if f.firstIFD == 0 {
		return fmt.Errorf("%w: no IFD", ErrCorrupt)
	}
	return nil
}

// read returns n bytes at off, which must lie inside the file. The slice
// is valid until the next call of read with reuse set.
func (f *tiffFile) read(off, n int64, reuse bool) ([]byte, error) {
	if off < 0 || n < 0 || off > f.size || n > f.size-off {
		return nil, fmt.Errorf("%w: %d bytes at offset %d beyond end of file (%d bytes)", ErrCorrupt, n, off, f.size)
	}
	var b []byte
	if reuse {
		if int64(cap(f.buf)) < n {
			f.buf = make([]byte, n)
		}
		b = f.buf[:n]
	} else {
		b = make([]byte, n)
	}
	if n == 0 {
		return b, nil
	}
	m, err := f.r.ReadAt(b, off)
	if m < len(b) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%w: reading %d bytes at %d: %w", ErrCorrupt, n, off, err)
	}
	return b, nil
}

// tiffEntry is one 12-byte directory entry; value holds the value itself
// when it fits in four bytes and its offset otherwise.
type tiffEntry struct {
	typ   uint16
	count uint32
	value [4]byte
}

type tiffIFD map[uint16]tiffEntry

// readIFD reads the directory at off and returns it with the next
// directory's offset (0 at the end of the chain).
func (f *tiffFile) readIFD(off int64) (tiffIFD, int64, error) {
	b, err := f.read(off, 2, false)
	if err != nil {
		return nil, 0, err
	}
	n := int64(f.bo.Uint16(b))
	if f.dirBytes += 12*n + 6; f.dirBytes > f.size {
		return nil, 0, fmt.Errorf("%w: directories overlap", ErrCorrupt)
	}
	b, err = f.read(off+2, 12*n+4, false)
	if err != nil {
		return nil, 0, err
	}
	d := make(tiffIFD, n)
	for i := range n {
		e := b[12*i : 12*i+12]
		tag := f.bo.Uint16(e)
		ent := tiffEntry{typ: f.bo.Uint16(e[2:]), count: f.bo.Uint32(e[4:])}
		copy(ent.value[:], e[8:12])
		if _, dup := d[tag]; !dup { // the first of duplicated tags wins, as in libtiff
			d[tag] = ent
		}
	}
	return d, int64(f.bo.Uint32(b[12*n:])), nil
}

// data returns the bytes of an entry's values.
func (f *tiffFile) data(e tiffEntry) ([]byte, error) {
	sz := int64(tiffTypeSize(e.typ))
	if sz == 0 {
		return nil, fmt.Errorf("%w: field type %d", ErrCorrupt, e.typ)
	}
	n := sz * int64(e.count)
	if n <= 4 {
		return e.value[:n], nil
	}
	return f.read(int64(f.bo.Uint32(e.value[:])), n, false)
}

// uints returns the values of an integer field (BYTE, SHORT or LONG).
func (f *tiffFile) uints(d tiffIFD, tag uint16) ([]uint32, bool, error) {
	e, ok := d[tag]
	if !ok {
		return nil, false, nil
	}
	switch e.typ {
	case tiffTypeByte, tiffTypeShort, tiffTypeLong, tiffTypeIFD:
	default:
		return nil, true, fmt.Errorf("%w: tag %d has type %d, want an unsigned integer", ErrCorrupt, tag, e.typ)
	}
	b, err := f.data(e)
	if err != nil {
		return nil, true, fmt.Errorf("tag %d: %w", tag, err)
	}
	v := make([]uint32, e.count)
	for i := range v {
		switch e.typ {
		case tiffTypeByte:
			v[i] = uint32(b[i])
		case tiffTypeShort:
			v[i] = uint32(f.bo.Uint16(b[2*i:]))
		default:
			v[i] = f.bo.Uint32(b[4*i:])
		}
	}
	return v, true, nil
}

// uint returns the first value of an integer field, or def when absent.
func (f *tiffFile) uint(d tiffIFD, tag uint16, def uint32) (uint32, error) {
	v, ok, err := f.uints(d, tag)
	if err != nil {
		return 0, err
	}
	if !ok {
		return def, nil
	}
	if len(v) == 0 {
		return 0, fmt.Errorf("%w: tag %d has no value", ErrCorrupt, tag)
	}
	return v[0], nil
}

// rational returns the first value of a RATIONAL field (integers are also
// accepted), or ok false when absent or meaningless.
func (f *tiffFile) rational(d tiffIFD, tag uint16) (float64, bool, error) {
	e, present := d[tag]
	if !present || e.count == 0 {
		return 0, false, nil
	}
	if e.typ != tiffTypeRational {
		v, err := f.uint(d, tag, 0)
		return float64(v), err == nil && v > 0, err
	}
	e.count = 1
	b, err := f.data(e)
	if err != nil {
		return 0, false, fmt.Errorf("tag %d: %w", tag, err)
	}
	num, den := f.bo.Uint32(b), f.bo.Uint32(b[4:])
	if num == 0 || den == 0 {
		return 0, false, nil
	}
	return float64(num) / float64(den), true, nil
}

// decodePage turns one IFD into a page; ok is false for an image that is
// not a page (a reduced-resolution version of another).
func (f *tiffFile) decodePage(d tiffIFD) (TIFFPage, bool, error) {
	var tp TIFFPage
	subfile, err := f.uint(d, tiffTagNewSubfileType, 0)
	if err != nil {
		return tp, false, err
	}
	if subfile&1 != 0 {
		return tp, false, nil
	}
	width, err := f.uint(d, tiffTagImageWidth, 0)
	if err != nil {
		return tp, false, err
	}
	height, err := f.uint(d, tiffTagImageLength, 0)
	if err != nil {
		return tp, false, err
	}
	if width == 0 || height == 0 {
		return tp, false, fmt.Errorf("%w: image size %dx%d", ErrCorrupt, width, height)
	}
	if width > MaxDimension || height > MaxDimension {
		return tp, false, fmt.Errorf("%w: %w: %dx%d", ErrUnsupported, ErrDimension, width, height)
	}
	if err := f.checkBilevel(d); err != nil {
		return tp, false, err
	}
	comp, err := f.uint(d, tiffTagCompression, tiffCompressionNone)
	if err != nil {
		return tp, false, err
	}
	switch comp {
	case tiffCompressionNone, tiffCompressionPackBits:
	case tiffCompressionG3:
		opts, err := f.uint(d, tiffTagT4Options, 0)
		if err != nil {
			return tp, false, err
		}
		if opts&tiffT4OptUncompressed != 0 {
			return tp, false, fmt.Errorf("%w: T.4 uncompressed mode (T4Options %#x)", ErrUnsupported, opts)
		}
		tp.Compression = MH
		if opts&tiffT4Opt2D != 0 {
			tp.Compression = MR
		}
	case tiffCompressionG4:
		opts, err := f.uint(d, tiffTagT6Options, 0)
		if err != nil {
			return tp, false, err
		}
		if opts&tiffT6OptUncompressed != 0 {
			return tp, false, fmt.Errorf("%w: T.6 uncompressed mode (T6Options %#x)", ErrUnsupported, opts)
		}
		tp.Compression = MMR
	default:
		return tp, false, fmt.Errorf("%w: compression %d", ErrUnsupported, comp)
	}
	photometric, err := f.uint(d, tiffTagPhotometric, tiffPhotometricWhiteIsZero)
	if err != nil {
		return tp, false, err
	}
	if photometric != tiffPhotometricWhiteIsZero && photometric != tiffPhotometricBlackIsZero {
		return tp, false, fmt.Errorf("%w: photometric interpretation %d", ErrUnsupported, photometric)
	}
	fillOrder, err := f.uint(d, tiffTagFillOrder, 1)
	if err != nil {
		return tp, false, err
	}
	strips, err := f.strips(d, int(height))
	if err != nil {
		return tp, false, err
	}
	res, err := f.resolution(d)
	if err != nil {
		return tp, false, err
	}
	bad, err := f.uint(d, tiffTagBadFaxLines, 0)
	if err != nil {
		return tp, false, err
	}
	clean, err := f.uint(d, tiffTagCleanFaxData, 0)
	if err != nil {
		return tp, false, err
	}
	tp.BadFaxLines, tp.CleanFaxData = int(bad), int(clean)

	// Spend the budgets before allocating the raster.
	raster := int64((width+7)/8) * int64(height)
	var coded int64
	for _, s := range strips {
		coded += s.count
	}
	if f.stripBytes += coded; f.stripBytes > f.size {
		return tp, false, fmt.Errorf("%w: strips overlap", ErrCorrupt)
	}
	if limit := tiffPageFloor + tiffExpansion*coded; raster > limit || raster > f.budget {
		return tp, false, fmt.Errorf("%w: %dx%d page from %d coded bytes exceeds the decoding budget", ErrUnsupported, width, height, coded)
	}
	f.budget -= raster
	lsb := fillOrder == 2
	if tp.Compression != 0 && len(strips) == 1 {
		// The usual Class F page, one strip: the decoder's page is ours.
		b, err := f.read(strips[0].offset, strips[0].count, true)
		if err != nil {
			return tp, false, fmt.Errorf("strip 0: %w", err)
		}
		p, st, err := Decode(b, DecodeOptions{Compression: tp.Compression, Width: int(width), Height: int(height), LSBFirst: lsb})
		if err != nil {
			return tp, false, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if p == nil || p.Width != int(width) || p.Height != int(height) || len(p.Pix) != p.Stride*p.Height {
			return tp, false, fmt.Errorf("%w: decoder returned a page of the wrong size", ErrCorrupt)
		}
		p.Res = res
		tp.Page, tp.Stats = p, st
		tiffNormalize(p, false, photometric == tiffPhotometricBlackIsZero)
		return tp, true, nil
	}
	p, err := NewPage(int(width), int(height), res)
	if err != nil {
		return tp, false, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	tp.Page = p
	for i, s := range strips {
		b, err := f.read(s.offset, s.count, true)
		if err != nil {
			return tp, false, fmt.Errorf("strip %d: %w", i, err)
		}
		dst := p.Pix[s.row*p.Stride : (s.row+s.rows)*p.Stride]
		switch comp {
		case tiffCompressionNone:
			if len(b) < len(dst) {
				return tp, false, fmt.Errorf("%w: strip %d has %d bytes, want %d", ErrCorrupt, i, len(b), len(dst))
			}
			copy(dst, b)
		case tiffCompressionPackBits:
			if err := tiffUnpackBits(dst, b); err != nil {
				return tp, false, fmt.Errorf("strip %d: %w", i, err)
			}
		default:
			st, err := tiffDecodeStrip(dst, b, tp.Compression, p.Width, s.rows, lsb)
			if err != nil {
				return tp, false, fmt.Errorf("%w: strip %d: %w", ErrCorrupt, i, err)
			}
			tp.Stats.Rows += st.Rows
			tp.Stats.BadRows += st.BadRows
			tp.Stats.MaxConsecutiveBad = max(tp.Stats.MaxConsecutiveBad, st.MaxConsecutiveBad)
			tp.Stats.RTC = tp.Stats.RTC || st.RTC
		}
	}
	if tp.Compression == 0 {
		tp.Stats.Rows = p.Height
	}
	// The codec reads fax data in either bit order itself; raw samples
	// still need their bits mirrored.
	tiffNormalize(p, lsb && tp.Compression == 0, photometric == tiffPhotometricBlackIsZero)
	return tp, true, nil
}

// tiffDecodeStrip decodes one strip of fax-coded rows into dst (rows packed
// rows). Each strip is coded on its own: a G4 strip starts from an
// imaginary white reference row and a G3 strip at a row boundary.
func tiffDecodeStrip(dst, data []byte, c Compression, width, rows int, lsb bool) (DecodeStats, error) {
	p, st, err := Decode(data, DecodeOptions{Compression: c, Width: width, Height: rows, LSBFirst: lsb})
	if err != nil {
		return st, err
	}
	if p == nil || p.Width != width {
		return st, fmt.Errorf("decoder returned a page of the wrong width")
	}
	n := min(len(dst), len(p.Pix))
	copy(dst, p.Pix[:n])
	if got := n / p.Stride; got < rows {
		// Rows the strip did not code stay white and count as damaged.
		st.BadRows += rows - got
		st.MaxConsecutiveBad = max(st.MaxConsecutiveBad, rows-got)
	}
	return st, nil
}

// checkBilevel rejects images that are not one bit per pixel.
func (f *tiffFile) checkBilevel(d tiffIFD) error {
	spp, err := f.uint(d, tiffTagSamplesPerPixel, 1)
	if err != nil {
		return err
	}
	if spp != 1 {
		return fmt.Errorf("%w: %d samples per pixel", ErrUnsupported, spp)
	}
	bps, err := f.uint(d, tiffTagBitsPerSample, 1)
	if err != nil {
		return err
	}
	if bps != 1 {
		return fmt.Errorf("%w: %d bits per sample", ErrUnsupported, bps)
	}
	return nil
}

// tiffStrip locates one strip and the rows it holds.
type tiffStrip struct {
	offset, count int64
	row, rows     int
}

// strips reads the strip layout (TIFF 6.0 §3, "Data Organization").
func (f *tiffFile) strips(d tiffIFD, height int) ([]tiffStrip, error) {
	rps, err := f.uint(d, tiffTagRowsPerStrip, math.MaxUint32)
	if err != nil {
		return nil, err
	}
	if rps == 0 || int64(rps) > int64(height) {
		rps = uint32(height) // libtiff reads 0 as "one strip" too
	}
	n := (height + int(rps) - 1) / int(rps)
	offsets, ok, err := f.uints(d, tiffTagStripOffsets)
	if err != nil {
		return nil, err
	}
	if !ok || len(offsets) < n {
		return nil, fmt.Errorf("%w: %d strip offsets for %d strips", ErrCorrupt, len(offsets), n)
	}
	counts, ok, err := f.uints(d, tiffTagStripByteCounts)
	if err != nil {
		return nil, err
	}
	if !ok && n == 1 && int64(offsets[0]) <= f.size {
		counts, ok = []uint32{uint32(f.size - int64(offsets[0]))}, true // the rest of the file
	}
	if !ok || len(counts) < n {
		return nil, fmt.Errorf("%w: %d strip byte counts for %d strips", ErrCorrupt, len(counts), n)
	}
	s := make([]tiffStrip, n)
	for i := range s {
		s[i] = tiffStrip{offset: int64(offsets[i]), count: int64(counts[i]), row: i * int(rps), rows: min(int(rps), height-i*int(rps))}
		if s[i].offset > f.size || s[i].count > f.size-s[i].offset {
			return nil, fmt.Errorf("%w: strip %d (%d bytes at %d) beyond end of file (%d bytes)", ErrCorrupt, i, s[i].count, s[i].offset, f.size)
		}
	}
	return s, nil
}

// resolution reads XResolution, YResolution and ResolutionUnit and snaps
// fax resolutions to the values T.30 negotiates.
func (f *tiffFile) resolution(d tiffIFD) (Resolution, error) {
	x, okx, err := f.rational(d, tiffTagXResolution)
	if err != nil {
		return Resolution{}, err
	}
	y, oky, err := f.rational(d, tiffTagYResolution)
	if err != nil {
		return Resolution{}, err
	}
	unit, err := f.uint(d, tiffTagResolutionUnit, tiffResUnitInch)
	if err != nil {
		return Resolution{}, err
	}
	if unit == tiffResUnitCm {
		x, y = x*2.54, y*2.54
	}
	if !okx {
		x = Standard.X
	}
	if !oky {
		y = Standard.Y // T.4's normal resolution
	}
	return tiffSnapResolution(Resolution{x, y}), nil
}

// tiffSnapResolution maps a resolution near a fax one to that fax resolution.
// Files record the nominal metric values (8 x 3.85 lines/mm is 203.2 x
// 97.8 dpi), rounded inch values (204 x 98, 200 x 100) or, from inch-based
// T.30 terminals, 200 x 200 and 200 x 400; all mean the same rows.
func tiffSnapResolution(r Resolution) Resolution {
	near := func(v, want, tol float64) bool { return math.Abs(v-want) <= tol*want }
	if near(r.X, 204, 0.05) {
		for _, f := range []Resolution{Standard, Fine, Superfine} {
			if near(r.Y, f.Y, 0.1) {
				return f
			}
		}
	}
	for _, f := range []Resolution{R300, R400} {
		if near(r.X, f.X, 0.02) && near(r.Y, f.Y, 0.02) {
			return f
		}
	}
	return r
}

// tiffUnpackBits decodes PackBits (TIFF 6.0 §9) into dst, which it must fill.
func tiffUnpackBits(dst, src []byte) error {
	for len(dst) > 0 {
		if len(src) == 0 {
			return fmt.Errorf("%w: PackBits data ends %d bytes short", ErrCorrupt, len(dst))
		}
		n := int(int8(src[0]))
		src = src[1:]
		switch {
		case n >= 0: // n+1 literal bytes
			n++
			if n > len(src) {
				return fmt.Errorf("%w: PackBits literal run past end of data", ErrCorrupt)
			}
			n = min(n, len(dst))
			copy(dst, src[:n])
			dst, src = dst[n:], src[n:]
		case n != -128: // 1-n copies of the next byte
			if len(src) == 0 {
				return fmt.Errorf("%w: PackBits repeat run past end of data", ErrCorrupt)
			}
			n = min(1-n, len(dst))
			for i := range n {
				dst[i] = src[0]
			}
			dst, src = dst[n:], src[1:]
		}
	}
	return nil
}

// tiffNormalize puts raw samples into Page form: most significant bit first,
// 1 is black, and the bits past the row's width clear.
func tiffNormalize(p *Page, reverse, invert bool) {
	if reverse {
		for i, b := range p.Pix {
			p.Pix[i] = tiffReverseBits[b]
		}
	}
	if invert {
		for i := range p.Pix {
			p.Pix[i] = ^p.Pix[i]
		}
	}
	if p.Width%8 != 0 {
		mask := byte(0xff) << (8 - p.Width%8)
		for y := range p.Height {
			p.Pix[y*p.Stride+p.Stride-1] &= mask
		}
	}
}

// tiffReverseBits maps a byte to its bit mirror image (FillOrder 2).
var tiffReverseBits = func() (t [256]byte) {
	for i := range t {
		for b := range 8 {
			if i&(1<<b) != 0 {
				t[i] |= 0x80 >> b
			}
		}
	}
	return t
}()
