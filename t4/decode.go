package t4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// Decode decodes a whole page. Damaged rows are counted and repaired, not
// fatal; an error is returned only when nothing sensible can be produced
// (invalid options, not one good row), wrapping ErrOptions, ErrDimension,
// ErrBadCode or ErrTruncated. The page's Res is left zero for the caller.
func Decode(data []byte, opt DecodeOptions) (*Page, DecodeStats, error) {
	d, err := NewDecoder(opt)
	if err != nil {
		return nil, DecodeStats{}, err
	}
	if opt.LSBFirst {
		d.buf = append(d.buf, data...)
		reverseBits(d.buf)
	} else {
		d.buf = data // read only: Decode never compacts its buffer
	}
	return d.Finish()
}

// Decoder is the streaming form of [Decode], for T.30: bytes arrive from the
// modem in chunks, rows are decoded as soon as they are complete.
//
// MH and MR streams resynchronise on the next EOL after a damaged row (and
// an MR stream also waits for the next 1-D row, since 2-D rows refer to the
// damaged one); each skipped row becomes a copy of the last good row and is
// counted bad. A row that ends where an EOL one bit error away follows
// stands for two rows, both counted, so that a lost EOL does not silently
// make two rows one. MMR has no EOLs to resynchronise on: after damage the
// rest of the page is lost.
type Decoder struct {
	opt      DecodeOptions
	stride   int
	rowLimit int

	buf     []byte // input not yet consumed, MSB first
	pos     int    // bit position in buf of the next unread bit
	retryAt int    // bit length of buf at which to try again after running dry
	scanAt  int    // where to look for an EOL in new data (see wait)

	pix      []byte
	stats    DecodeStats
	cur, ref []int32 // changing elements of the row being decoded and of the one above
	lastGood int     // index of the last good row, -1 before the first
	consec   int     // current run of bad rows
	firstErr error
	rowErr   error // why the current row failed

	eolSeen  bool // the stream has EOLs: every row must end at one
	tag      int  // MR: 1 if the row after the last EOL is 1-D, 0 if 2-D
	eolRun   int  // consecutive EOLs with no row between them
	skipping bool // discarding bits up to the next EOL
	leading  bool // LeadingEOL: discarding bits up to the first EOL
	leadBad  bool // what leading skipped was not training tail and fill
	leadBits int  // how many bits leading skipped
	goodBits int  // the bits of the good rows, their EOLs not included
	topBad   int  // bad rows before the first good row
	need1D   bool // MR: 2-D rows are skipped until the next 1-D row
	done     bool // RTC/EOFB, the row limit, or MMR damage: ignore further data
	finished bool
}

// NewDecoder returns a decoder for one page.
func NewDecoder(opt DecodeOptions) (*Decoder, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	stride := (opt.Width + 7) / 8
	limit := opt.Height
	if limit == 0 {
		limit = min(MaxDimension, maxPageBytes/stride)
	}
	d := &Decoder{
		opt:      opt,
		stride:   stride,
		rowLimit: limit,
		cur:      make([]int32, 0, opt.Width+4),
		ref:      make([]int32, 0, opt.Width+4),
		lastGood: -1,
		tag:      1,
		leading:  opt.LeadingEOL,
	}
	d.ref = appendSentinels(d.ref, opt.Width) // an imaginary white row above the first (T.6 §2.2)
	if opt.Height > 0 {
		d.pix = make([]byte, 0, opt.Height*stride)
	}
	return d, nil
}

// errFinished reports a Write after Finish.
var errFinished = errors.New("t4: write after Finish")

// Write adds coded bytes. It never fails on bad data: damaged rows are
// counted and skipped. Data after the end of the page is ignored.
func (d *Decoder) Write(p []byte) (int, error) {
	if d.finished {
		return 0, errFinished
	}
	if d.done {
		return len(p), nil
	}
	n := len(d.buf)
	d.buf = append(d.buf, p...)
	if d.opt.LSBFirst {
		reverseBits(d.buf[n:])
	}
	if len(d.buf)*8 >= d.retryAt || d.newEOL() {
		d.decode(false)
	}
	// Drop consumed bytes; what remains is at most a partial row.
	if drop := d.pos >> 3; drop > 0 {
		d.buf = d.buf[:copy(d.buf, d.buf[drop:])]
		d.pos -= drop * 8
		d.retryAt -= drop * 8
		d.scanAt = max(d.scanAt-drop*8, 0)
	}
	return len(p), nil
}

// Stats returns the statistics so far.
func (d *Decoder) Stats() DecodeStats { return d.stats }

// Done reports whether the page is complete: RTC or EOFB seen, the
// expected height reached, or an MMR stream damaged beyond repair.
func (d *Decoder) Done() bool { return d.done }

// Finish decodes what is left and returns the page so far (Res left zero
// for the caller to set). If DecodeOptions.Height was set, rows that never
// arrived are white and counted bad. It fails only if no row decoded.
func (d *Decoder) Finish() (*Page, DecodeStats, error) {
	if !d.finished {
		d.finished = true
		d.decode(true)
		d.estimateLead()
		for d.stats.Rows < d.opt.Height {
			d.noteBad(fmt.Errorf("%w: %d of %d rows", ErrTruncated, d.stats.Rows, d.opt.Height))
			d.newRow()
		}
	}
	if d.stats.Rows == d.stats.BadRows {
		cause := d.firstErr
		if cause == nil {
			cause = ErrTruncated
		}
		return nil, d.stats, fmt.Errorf("t4: %v: no row decoded: %w", d.opt.Compression, cause)
	}
	return &Page{Width: d.opt.Width, Height: d.stats.Rows, Stride: d.stride, Pix: d.pix}, d.stats, nil
}

// estimateLead makes the rows lost before a line page's first EOL as many
// as the bits skipped there would hold at the page's mean row length (with
// its EOL): a page that lost its first hundred rows is not judged as one
// that lost one. The rows are white, at the top, counted bad.
func (d *Decoder) estimateLead() {
	good := d.stats.Rows - d.stats.BadRows
	if !d.leadBad || good == 0 {
		return
	}
	eol := eolBits
	if d.opt.Compression == MR {
		eol++
	}
	mean := max(d.goodBits/good+eol, 1)
	extra := min((d.leadBits+mean/2)/mean-1, d.rowLimit-d.stats.Rows)
	if extra <= 0 {
		return
	}
	n, gap := len(d.pix), extra*d.stride
	d.pix = append(d.pix, make([]byte, gap)...)
	copy(d.pix[gap:], d.pix[:n])
	clear(d.pix[:gap])
	d.stats.Rows += extra
	d.stats.BadRows += extra
	d.stats.MaxConsecutiveBad = max(d.stats.MaxConsecutiveBad, d.topBad+extra)
}

// rowStatus is how decoding one row ended.
type rowStatus uint8

const (
	rowOK   rowStatus = iota
	rowMore           // the data ended inside the row
	rowBad            // invalid data; rowErr says why
)

// decode decodes rows from d.pos for as long as data lasts. With final
// false, a row cut short by the end of the data is retried when more
// arrives; with final true it is the end of the page.
func (d *Decoder) decode(final bool) {
	mmr := d.opt.Compression == MMR
	for !d.done {
		if d.stats.Rows >= d.rowLimit {
			d.done = true
			return
		}
		end := len(d.buf) * 8
		if d.skipping || d.leading {
			p, ok := d.findEOL(d.pos)
			if d.leading {
				d.leadBad = d.leadBad || d.hasZero(d.pos, p)
				d.leadBits += p - d.pos
			}
			d.pos = p
			if !ok {
				d.wait(p, end)
				return
			}
			if d.leading && d.leadBad {
				// T.4 §4.1.2: the page starts with an EOL; data before
				// the first one is at least one row lost (Finish
				// estimates how many).
				d.lostRows(1, fmt.Errorf("%w: data before the first EOL", ErrBadCode))
			}
			d.skipping, d.leading = false, false
			if d.stats.Rows >= d.rowLimit {
				continue
			}
		}
		if d.opt.AlignRows {
			d.pos = min((d.pos+7)&^7, end)
		}
		z := d.zerosAt(d.pos)
		if d.pos+z >= end {
			// Only fill bits, or nothing, until the end of the data. Keep
			// no more zeros than it takes to recognise an EOL.
			if z > 16 {
				d.pos += z - 16
			}
			if final && d.eolRun >= 2 {
				d.stats.RTC = true // an RTC cut short
			}
			d.wait(d.pos, end)
			return
		}
		if z >= eolBits-1 {
			// EOL, T.4 §4.1.2, perhaps after fill bits (§4.1.3).
			if mmr {
				d.stats.RTC = true // EOFB, T.6 §2.4
				d.done = true
				return
			}
			p := d.pos + z + 1
			if d.opt.Compression == MR {
				if p >= end {
					d.wait(d.pos, end)
					return
				}
				d.tag = int(d.buf[p>>3]>>(7-p&7)) & 1 // T.4 §4.2.2
				p++
			}
			d.pos = p
			d.eolSeen = true
			d.eolRun++
			if d.eolRun >= 6 { // RTC, T.4 §4.1.4
				d.stats.RTC = true
				d.done = true
				return
			}
			continue
		}
		if z >= 8 {
			d.badRow(fmt.Errorf("%w: %d zeros are neither a code nor an EOL", ErrBadCode, z))
			continue
		}
		twoD := mmr || d.opt.Compression == MR && d.tag == 0
		if twoD && d.need1D {
			d.badRow(fmt.Errorf("%w: 2-D row refers to a damaged row", ErrBadCode))
			continue
		}
		var p int
		var st rowStatus
		if twoD {
			p, st = d.decode2D(d.pos)
		} else {
			p, st = d.decode1D(d.pos)
		}
		switch st {
		case rowMore:
			if final {
				d.badRow(fmt.Errorf("%w: inside row %d", ErrTruncated, d.stats.Rows))
				d.done = true
				return
			}
			d.wait(d.pos, end)
			return
		case rowBad:
			d.badRow(d.rowErr)
			continue
		}
		if d.eolSeen && !mmr {
			// In a stream with EOLs the row must end at one: anything else
			// means its codes were damaged into a row of the right width.
			zz := d.zerosAt(p)
			if p+zz >= end && !final {
				d.wait(d.pos, end)
				return
			}
			if p+zz < end && zz < eolBits-1 {
				// A damaged row, or a damaged EOL: zeros, a 1 and zeros,
				// eleven zeros in all with fill before them, followed by
				// a 1 means the EOL took one bit error and the next row
				// is lost with it.
				q := p + zz + 1
				z2 := d.zerosAt(q)
				if q+z2 >= end && !final {
					d.wait(d.pos, end)
					return
				}
				d.badRow(fmt.Errorf("%w: row %d does not end at an EOL", ErrBadCode, d.stats.Rows))
				if z2 < eolBits-1 && zz+z2 >= eolBits-2 && q+z2 < end {
					d.lostRows(1, fmt.Errorf("%w: the EOL after row %d", ErrBadCode, d.stats.Rows-1))
					d.pos = q + z2 + 1 // skip the lost row
				}
				continue
			}
		}
		d.goodBits += p - d.pos
		d.pos = p
		d.goodRow()
		if !twoD {
			d.need1D = false
		}
	}
}

// wait notes that decoding stopped at bit start for want of data. Decoding
// restarts from there when the data pending has grown by half (so that a
// stream written a byte at a time costs linear time, not quadratic) or at
// once when an EOL arrives, since that usually completes a row, an RTC or
// an EOFB.
func (d *Decoder) wait(start, end int) {
	d.retryAt = end + max((end-start)/2, 1)
	d.scanAt = max(start, end-eolBits)
}

// newEOL reports whether an EOL has arrived since the last wait, scanning
// each new bit once.
func (d *Decoder) newEOL() bool {
	p, ok := d.findEOL(d.scanAt)
	d.scanAt = p
	return ok
}

// goodRow renders d.cur as the next row and makes it the reference line.
func (d *Decoder) goodRow() {
	row := d.newRow()
	c := d.cur
	for i := 0; i < len(c) && int(c[i]) < d.opt.Width; i += 2 {
		// Black from c[i] to c[i+1]; the sentinels pair a final black run
		// with the width. Most runs of a page of text fit in one byte.
		a, b := int(c[i]), int(c[i+1])
		if k := a >> 3; k == (b-1)>>3 {
			row[k] |= 0xff >> (a & 7) & (0xff << (7 - (b-1)&7))
		} else {
			setRun(row, a, b)
		}
	}
	if d.lastGood < 0 {
		d.topBad = d.stats.Rows - 1
	}
	d.lastGood = d.stats.Rows - 1
	d.consec = 0
	d.eolRun = 0
	d.cur, d.ref = d.ref, d.cur
}

// badRow counts a damaged row, stands the last good row in for it and
// arranges to resynchronise.
func (d *Decoder) badRow(err error) {
	d.lostRows(1, err)
	d.eolRun = 0
	if d.opt.Compression == MMR {
		d.done = true // T.6 has no EOL to resynchronise on
		return
	}
	d.skipping = true
}

// lostRows counts n damaged or lost rows, as many as the page has room
// for, and stands the last good row in for each. An MR stream waits for
// its next 1-D row, since the 2-D rows before it may refer to a lost one.
func (d *Decoder) lostRows(n int, err error) {
	for range min(n, d.rowLimit-d.stats.Rows) {
		d.noteBad(err)
		row := d.newRow()
		if d.lastGood >= 0 {
			copy(row, d.pix[d.lastGood*d.stride:])
		}
	}
	if d.opt.Compression == MR {
		d.need1D = true
	}
}

// hasZero reports whether bits [from, to) hold a 0.
func (d *Decoder) hasZero(from, to int) bool {
	for pos := from; pos < to; pos += 32 {
		if ^d.peek(pos)>>(32-min(32, to-pos)) != 0 {
			return true
		}
	}
	return false
}

func (d *Decoder) noteBad(err error) {
	d.stats.BadRows++
	d.consec++
	d.stats.MaxConsecutiveBad = max(d.stats.MaxConsecutiveBad, d.consec)
	if d.firstErr == nil {
		d.firstErr = err
	}
}

// decodeChunkRows is how many rows a decoder of unknown height reserves
// first: A4 (1143 rows) and Letter (1078) at standard resolution. It then
// doubles, so a fine page (2200-2300 rows) takes two allocations and a
// superfine page three, instead of append's many 1.25x steps whose garbage
// a receiving line carries until the next collection.
const decodeChunkRows = 1152

// newRow appends a white row and returns it.
func (d *Decoder) newRow() []byte {
	n := len(d.pix)
	if n+d.stride > cap(d.pix) {
		rows := max(2*cap(d.pix)/d.stride, decodeChunkRows)
		rows = max(min(rows, d.rowLimit), n/d.stride+1)
		pix := make([]byte, n, rows*d.stride)
		copy(pix, d.pix)
		d.pix = pix
	}
	d.pix = d.pix[:n+d.stride]
	row := d.pix[n:]
	clear(row)
	d.stats.Rows++
	return row
}

// setRun makes pixels [a, b) of a packed row black.
func setRun(row []byte, a, b int) {
	if a >= b {
		return
	}
	i, j := a>>3, (b-1)>>3
	first, last := byte(0xff>>(a&7)), byte(0xff<<(7-(b-1)&7))
	if i == j {
		row[i] |= first & last
		return
	}
	row[i] |= first
	for k := i + 1; k < j; k++ {
		row[k] = 0xff
	}
	row[j] |= last
}

// peek returns the 32 bits from bit pos, zeros past the end of the data.
func (d *Decoder) peek(pos int) uint32 {
	i := pos >> 3
	if i+8 <= len(d.buf) {
		return uint32(binary.BigEndian.Uint64(d.buf[i:]) << (pos & 7) >> 32)
	}
	var tmp [8]byte
	if i < len(d.buf) {
		copy(tmp[:], d.buf[i:])
	}
	return uint32(binary.BigEndian.Uint64(tmp[:]) << (pos & 7) >> 32)
}

// zerosAt counts the 0 bits from pos, up to the end of the data.
func (d *Decoder) zerosAt(pos int) int {
	end := len(d.buf) * 8
	n := 0
	for pos+n < end {
		if v := d.peek(pos + n); v != 0 {
			n += bits.LeadingZeros32(v)
			break
		}
		n += 32
	}
	return min(n, max(end-pos, 0))
}

// findEOL looks for the next EOL from pos: eleven or more 0s and a 1. It
// returns where its zeros start, or, if there is none, where the trailing
// zeros of the data start (an EOL may be arriving).
func (d *Decoder) findEOL(pos int) (int, bool) {
	end := len(d.buf) * 8
	for {
		z := d.zerosAt(pos)
		if pos+z >= end {
			return pos, false
		}
		if z >= eolBits-1 {
			return pos, true
		}
		pos += z + 1
	}
}

// readRun decodes one run of colour (0 white, 1 black): make-up codes and
// a terminating code (T.4 §4.1.1), at most room pixels long.
func (d *Decoder) readRun(r *bitReader, color, room int) (int, rowStatus) {
	table := &runTables[color]
	run := 0
	for {
		if r.n < 32 {
			r.refill()
		}
		e := table[r.w>>(64-runLookBits)]
		nb := uint(e & bitsMask)
		n := int(e&runMask) >> runShift
		switch {
		case e == entryBad:
			if r.n < runLookBits {
				return 0, rowMore
			}
			d.rowErr = fmt.Errorf("%w: no %s run code at bit %d", ErrBadCode, colorName[color], r.pos())
			return 0, rowBad
		case n == entryEOL:
			if r.n < eolBits {
				return 0, rowMore
			}
			d.rowErr = fmt.Errorf("%w: EOL inside row %d", ErrBadCode, d.stats.Rows)
			return 0, rowBad
		case nb > r.n:
			return 0, rowMore
		}
		r.skip(nb)
		run += n
		if run > room {
			d.rowErr = fmt.Errorf("%w: %s run past the end of row %d", ErrBadCode, colorName[color], d.stats.Rows)
			return 0, rowBad
		}
		if e&makeupFlag == 0 {
			return run, rowOK
		}
	}
}

// fail records why a 2-D row failed.
func (d *Decoder) fail(format string, args ...any) rowStatus {
	d.rowErr = fmt.Errorf("%w: row %d: %s", ErrBadCode, d.stats.Rows, fmt.Sprintf(format, args...))
	return rowBad
}

var colorName = [2]string{"white", "black"}

// decode1D decodes a row of alternating runs, white first (T.4 §4.1.1),
// from bit pos into d.cur, and returns where the row ends.
func (d *Decoder) decode1D(pos int) (int, rowStatus) {
	r := newBitReader(d.buf, pos)
	width := d.opt.Width
	cur := d.cur[:0]
	a, color := 0, 0
	for {
		run, st := d.readRun(&r, color, width-a)
		if st != rowOK {
			return pos, st
		}
		if run == 0 && (a > 0 || color == 1) {
			// Only the first (white) run of a row may be empty.
			d.rowErr = fmt.Errorf("%w: empty %s run in row %d", ErrBadCode, colorName[color], d.stats.Rows)
			return pos, rowBad
		}
		a += run
		if a == width {
			break
		}
		cur = append(cur, int32(a))
		color ^= 1
	}
	d.cur = appendSentinels(cur, width)
	return r.pos(), rowOK
}

// decode2D decodes a row coded against d.ref with the modes of T.4
// §4.2.1.3 (T.6 §2.2) from bit pos into d.cur, and returns where the row
// ends.
func (d *Decoder) decode2D(pos int) (int, rowStatus) {
	r := newBitReader(d.buf, pos)
	width := int32(d.opt.Width)
	ref := d.ref
	cur := d.cur[:0]
	a0 := int32(-1) // the imaginary element before the row
	j := 0
	for a0 < width {
		color := len(cur) & 1
		// b1 is the first element of the reference line right of a0 whose
		// index parity is a0's colour; it lies at most one element before
		// the previous b1 (see pageEncoder.row2D).
		if j > 0 {
			j--
		}
		j += (j ^ color) & 1
		for ref[j] <= a0 {
			j += 2
		}
		b1, b2 := ref[j], ref[j+1]
		if r.n < 32 {
			r.refill()
		}
		m := modeTable[r.w>>(64-modeLookBit)]
		if uint(m.bits) > r.n {
			return pos, rowMore
		}
		switch m.mode {
		case modePass:
			if b2 >= width {
				return pos, d.fail("pass mode past the row's end")
			}
			r.skip(uint(m.bits))
			a0 = b2
		case modeV:
			a1 := b1 + int32(m.delta)
			if a1 <= a0 || a1 > width {
				return pos, d.fail("vertical mode to %d from %d", a1, a0)
			}
			r.skip(uint(m.bits))
			if a1 < width {
				cur = append(cur, a1)
			}
			a0 = a1
		case modeHoriz:
			r.skip(uint(m.bits))
			start := int(max(a0, 0))
			r1, st := d.readRun(&r, color, int(width)-start)
			if st != rowOK {
				return pos, st
			}
			r2, st := d.readRun(&r, color^1, int(width)-start-r1)
			if st != rowOK {
				return pos, st
			}
			a1 := int32(start + r1)
			a2 := a1 + int32(r2)
			if a1 <= a0 || a2 == a1 && a1 < width {
				return pos, d.fail("empty run in horizontal mode")
			}
			if a1 < width {
				cur = append(cur, a1)
			}
			if a2 < width {
				cur = append(cur, a2)
			}
			a0 = a2
		case modeExt:
			return pos, d.fail("extension code (uncompressed mode is not supported)")
		default: // seven zeros: an EOL or EOFB inside the row
			if r.n < eolBits {
				return pos, rowMore
			}
			return pos, d.fail("EOL inside the row")
		}
	}
	d.cur = appendSentinels(cur, int(width))
	return r.pos(), rowOK
}
