package t4

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Encode codes the page's rows. It fails only for invalid options or an
// inconsistent page.
func Encode(p *Page, opt EncodeOptions) ([]byte, error) {
	return AppendEncode(nil, p, opt)
}

// AppendEncode is [Encode] appending to dst, so that callers can reuse
// buffers. On error dst is returned unchanged.
func AppendEncode(dst []byte, p *Page, opt EncodeOptions) ([]byte, error) {
	k, err := opt.check()
	if err != nil {
		return dst, err
	}
	if p == nil || p.Width <= 0 || p.Width > MaxDimension || p.Height < 0 ||
		p.Stride < (p.Width+7)/8 || len(p.Pix) < p.Height*p.Stride {
		return dst, fmt.Errorf("%w: inconsistent page", ErrOptions)
	}
	e := pageEncoder{
		w:     bitWriter{buf: dst, base: len(dst)},
		width: p.Width,
		cur:   make([]int32, 0, p.Width+4),
		ref:   make([]int32, 0, p.Width+4),
		opt:   opt,
	}
	e.ref = appendSentinels(e.ref, p.Width) // an imaginary white row above the first (T.6 §2.2)
	for y := 0; y < p.Height; y++ {
		start := e.w.bitLen()
		e.cur = appendChanges(e.cur[:0], p.Pix[y*p.Stride:(y+1)*p.Stride], p.Width)
		e.cur = appendSentinels(e.cur, p.Width)
		switch opt.Compression {
		case MH:
			e.eol(-1)
			if opt.AlignRows {
				e.w.zeros(-e.w.bitLen() & 7)
			}
			e.row1D()
		case MR:
			if y%k == 0 {
				e.eol(1)
				e.row1D()
			} else {
				e.eol(0)
				e.row2D()
			}
		case MMR:
			e.row2D()
		}
		if opt.Compression != MMR {
			if fill := opt.MinRowBits - (e.w.bitLen() - start); fill > 0 {
				e.w.zeros(fill)
			}
		}
		e.cur, e.ref = e.ref, e.cur
	}
	if opt.RTC {
		e.opt.NoEOL = false // RTC is made of EOLs, and was asked for
		switch opt.Compression {
		case MH:
			for range 6 {
				e.eol(-1)
			}
		case MR:
			for range 6 {
				e.eol(1)
			}
		case MMR:
			e.w.write(eolCode<<eolBits|eolCode, 2*eolBits) // EOFB, T.6 §2.4
		}
	}
	out := e.w.flush()
	if opt.LSBFirst {
		reverseBits(out[len(dst):])
	}
	return out, nil
}

// pageEncoder holds one page's coding state: the changing elements of the
// coding line (cur) and of the reference line (ref).
type pageEncoder struct {
	w        bitWriter
	width    int
	cur, ref []int32
	opt      EncodeOptions
}

// eol writes an EOL, T.4 §4.1.2, with fill first if EOLs are aligned; tag
// is the MR 1-D (1) / 2-D (0) bit that follows it (T.4 §4.2.2), or -1.
func (e *pageEncoder) eol(tag int) {
	if e.opt.NoEOL {
		return
	}
	if e.opt.AlignEOL {
		// The EOL's 12 bits must end on a byte boundary: start it at bit 4.
		if fill := (4 - e.w.bitLen()) & 7; fill > 0 {
			e.w.zeros(fill)
		}
	}
	if tag < 0 {
		e.w.write(eolCode, eolBits)
	} else {
		e.w.write(eolCode<<1|uint32(tag), eolBits+1)
	}
}

// run writes a run of colour (0 white, 1 black): 2560 make-up codes while
// 2624 or more pixels remain, then one table entry holding the make-up and
// terminating codes (T.4 §4.1.1).
func (e *pageEncoder) run(color int, n int) {
	for n > maxRun {
		e.w.writeVLC(makeup2560)
		n -= maxMakeup
	}
	e.w.writeVLC(runCodes[color][n])
}

// row1D codes the coding line as alternating white and black runs, white
// first (T.4 §4.1.1).
func (e *pageEncoder) row1D() {
	a0, color := 0, 0
	for _, a1 := range e.cur {
		if int(a1) >= e.width {
			break
		}
		e.run(color, int(a1)-a0)
		a0, color = int(a1), color^1
	}
	e.run(color, e.width-a0)
}

// row2D codes the coding line against the reference line with the pass,
// vertical and horizontal modes of T.4 §4.2.1.3 (T.6 §2.2), choosing each
// mode by its coding procedure: pass if b2 is left of a1,
// else vertical if |a1-b1| <= 3, else horizontal.
func (e *pageEncoder) row2D() {
	cur, ref, width := e.cur, e.ref, int32(e.width)
	a0 := int32(-1) // the imaginary element before the row
	i, j := 0, 0    // cur[i] is a1; ref[j] is b1
	for a0 < width {
		color := i & 1 // colour of a0: the row starts white and each cur element flips it
		a1 := cur[i]
		// b1: the first changing element on the reference line to the right
		// of a0 and of opposite colour to a0's, i.e. an element whose index
		// has a0's colour as parity. It can lie at most one element before
		// the previous b1 (after a vertical mode to the left).
		if j > 0 {
			j--
		}
		j += (j ^ color) & 1 // to the first element of the right parity,
		for ref[j] <= a0 {   // then along the elements of that parity
			j += 2
		}
		b1, b2 := ref[j], ref[j+1]
		switch d := a1 - b1; {
		case b2 < a1:
			e.w.writeVLC(vlcPass)
			a0 = b2
		case d >= -3 && d <= 3:
			e.w.writeVLC(vlcVert[d+3])
			a0 = a1
			i++
		default:
			a2 := cur[i+1]
			e.w.writeVLC(vlcHoriz)
			e.run(color, int(a1-max(a0, 0)))
			e.run(color^1, int(a2-a1))
			a0 = a2
			i += 2
		}
	}
}

// appendSentinels ends a changing-element list with the imaginary elements
// at the end of the row that the mode decisions read (T.4 §4.2.1.3): three
// of them, so that an element of either colour and the one after it exist.
func appendSentinels(c []int32, width int) []int32 {
	w := int32(width)
	return append(c, w, w, w)
}

// appendChanges appends the positions of the changing elements of a packed
// row: every pixel whose colour differs from the pixel before it, the pixel
// before the row counting as white (T.4 §4.2.1.3). It works on 64 pixels
// at a time, so white space costs almost nothing.
func appendChanges(dst []int32, row []byte, width int) []int32 {
	nbytes := (width + 7) / 8
	row = row[:nbytes]
	var prev uint64 // the last pixel of the previous word, at bit 0
	for base := 0; base < nbytes; base += 8 {
		var w uint64
		if base+8 <= nbytes {
			w = binary.BigEndian.Uint64(row[base:])
		} else {
			var tmp [8]byte
			copy(tmp[:], row[base:])
			w = binary.BigEndian.Uint64(tmp[:])
		}
		if rest := width - base*8; rest < 64 {
			w &^= ^uint64(0) >> rest // pixels past the row are white
		}
		d := w ^ (w>>1 | prev<<63)
		prev = w & 1
		for d != 0 {
			z := bits.LeadingZeros64(d)
			dst = append(dst, int32(base*8+z))
			d &^= 1 << (63 - z)
		}
	}
	// A black last pixel makes a change at the width, which is not a pixel.
	if n := len(dst); n > 0 && int(dst[n-1]) >= width {
		dst = dst[:n-1]
	}
	return dst
}
