package t4

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// tiffTestPage draws a deterministic page that exercises the codecs: text-
// like blocks of short runs, long horizontal and vertical lines, diagonal
// edges (the 2-D vertical modes), solid areas and isolated dots, with a
// margin of white so that rows differ in every way a fax page does.
func tiffTestPage(tb testing.TB, width, height int, res Resolution, seed uint64) *Page {
	tb.Helper()
	p, err := NewPage(width, height, res)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x7f4a))
	// "Text": rows of glyph-sized blobs.
	for line := 0; line < height/24; line++ {
		y0 := 8 + line*24
		for x0 := 16; x0+10 < width-16; x0 += 12 {
			if rng.IntN(6) == 0 {
				continue // a space
			}
			g := rng.Uint64()
			for dy := range 12 {
				for dx := range 8 {
					if g>>(uint(dy*8+dx)%64)&1 != 0 && y0+dy < height {
						p.Set(x0+dx, y0+dy, true)
					}
				}
			}
		}
	}
	// A frame, a diagonal, a solid block and some dots.
	for x := range width {
		p.Set(x, 0, true)
		p.Set(x, height-1, true)
	}
	for y := range height {
		p.Set(0, y, true)
		p.Set(width-1, y, true)
		if x := y * width / height; x < width {
			p.Set(x, y, true)
			p.Set(width-1-x, y, !p.Black(width-1-x, y))
		}
	}
	for y := height / 3; y < height/3+min(40, height/4); y++ {
		for x := width / 2; x < width/2+width/5; x++ {
			p.Set(x, y, true)
		}
	}
	for range width * height / 500 {
		p.Set(rng.IntN(width), rng.IntN(height), true)
	}
	return p
}

// tiffSamePage reports how got differs from want, or "" when the rasters
// are equal.
func tiffSamePage(got, want *Page) string {
	if got == nil {
		return "no page"
	}
	if got.Width != want.Width || got.Height != want.Height {
		return fmt.Sprintf("size %dx%d, want %dx%d", got.Width, got.Height, want.Width, want.Height)
	}
	for y := range want.Height {
		if !bytes.Equal(got.Row(y), want.Row(y)) {
			for x := range want.Width {
				if got.Black(x, y) != want.Black(x, y) {
					return fmt.Sprintf("first difference at (%d,%d)", x, y)
				}
			}
			return fmt.Sprintf("row %d differs in its padding bits", y)
		}
	}
	return ""
}

// tiffRawOptions describe a plain bilevel TIFF for tiffRawFile: the
// container variants the reader must accept, built independently of the
// package's writer.
type tiffRawOptions struct {
	bigEndian    bool
	photometric  uint16 // 0 WhiteIsZero, 1 BlackIsZero
	fillOrder    uint16 // 0 omits the tag
	rowsPerStrip int    // 0: one strip
	packBits     bool
	resUnit      uint16 // 0 omits the tag
	xres, yres   [2]uint32
	subfile      []uint32 // NewSubfileType per page; nil omits the tag
}

// tiffRawFile writes pages as an uncompressed or PackBits TIFF, strips
// first and then each IFD, as many writers do.
func tiffRawFile(pages []*Page, o tiffRawOptions) []byte {
	var bo interface {
		binary.ByteOrder
		binary.AppendByteOrder
	} = binary.LittleEndian
	b := []byte("II*\x00\x00\x00\x00\x00")
	if o.bigEndian {
		bo = binary.BigEndian
		b = []byte("MM\x00*\x00\x00\x00\x00")
	}
	prevNext := 4 // where to store the offset of the next IFD
	for i, p := range pages {
		rps := o.rowsPerStrip
		if rps <= 0 {
			rps = p.Height
		}
		var offsets, counts []uint32
		for y := 0; y < p.Height; y += rps {
			var strip []byte
			for r := y; r < min(y+rps, p.Height); r++ {
				row := slices.Clone(p.Row(r))
				for j := range row {
					if o.photometric == 1 {
						row[j] = ^row[j]
					}
					if o.fillOrder == 2 {
						row[j] = tiffReverseBits[row[j]]
					}
				}
				if o.packBits {
					row = tiffTestPackBits(row)
				}
				strip = append(strip, row...)
			}
			offsets = append(offsets, uint32(len(b)))
			counts = append(counts, uint32(len(strip)))
			b = append(b, strip...)
			if len(b)%2 == 1 {
				b = append(b, 0)
			}
		}
		type entry struct {
			tag, typ uint16
			vals     []uint32
		}
		comp := uint32(1)
		if o.packBits {
			comp = 32773
		}
		es := []entry{
			{256, 4, []uint32{uint32(p.Width)}},
			{257, 4, []uint32{uint32(p.Height)}},
			{258, 3, []uint32{1}},
			{259, 3, []uint32{comp}},
			{262, 3, []uint32{uint32(o.photometric)}},
			{273, 4, offsets},
			{277, 3, []uint32{1}},
			{278, 4, []uint32{uint32(rps)}},
			{279, 4, counts},
		}
		if o.subfile != nil {
			es = append(es, entry{254, 4, []uint32{o.subfile[i]}})
		}
		if o.fillOrder != 0 {
			es = append(es, entry{266, 3, []uint32{uint32(o.fillOrder)}})
		}
		if o.xres != ([2]uint32{}) {
			es = append(es, entry{282, 5, o.xres[:]}, entry{283, 5, o.yres[:]})
		}
		if o.resUnit != 0 {
			es = append(es, entry{296, 3, []uint32{uint32(o.resUnit)}})
		}
		slices.SortFunc(es, func(a, b entry) int { return int(a.tag) - int(b.tag) })
		// Out-of-line values first, then the IFD.
		var ptr []uint32
		for _, e := range es {
			n := len(e.vals)
			if e.typ == 5 {
				n /= 2
			}
			size := map[uint16]int{3: 2, 4: 4, 5: 8}[e.typ] * n
			if size <= 4 {
				ptr = append(ptr, 0)
				continue
			}
			ptr = append(ptr, uint32(len(b)))
			for _, v := range e.vals {
				b = bo.AppendUint32(b, v) // LONG and RATIONAL halves
			}
		}
		bo.PutUint32(b[prevNext:], uint32(len(b)))
		b = bo.AppendUint16(b, uint16(len(es)))
		for j, e := range es {
			n := len(e.vals)
			if e.typ == 5 {
				n /= 2
			}
			b = bo.AppendUint16(b, e.tag)
			b = bo.AppendUint16(b, e.typ)
			b = bo.AppendUint32(b, uint32(n))
			switch {
			case ptr[j] != 0:
				b = bo.AppendUint32(b, ptr[j])
			case e.typ == 3:
				v := make([]byte, 0, 4)
				for _, x := range e.vals {
					v = bo.AppendUint16(v, uint16(x))
				}
				b = append(b, append(v, make([]byte, 4-len(v))...)...)
			default:
				b = bo.AppendUint32(b, e.vals[0])
			}
		}
		prevNext = len(b)
		b = bo.AppendUint32(b, 0)
	}
	return b
}

// tiffTestPackBits is a plain PackBits encoder (TIFF 6.0 §9) for one row.
func tiffTestPackBits(src []byte) []byte {
	var out []byte
	for len(src) > 0 {
		run := 1
		for run < len(src) && run < 128 && src[run] == src[0] {
			run++
		}
		if run >= 3 {
			out = append(out, byte(int8(1-run)), src[0])
			src = src[run:]
			continue
		}
		lit := 1
		for lit < len(src) && lit < 128 && !(lit+2 < len(src) && src[lit] == src[lit+1] && src[lit] == src[lit+2]) {
			lit++
		}
		out = append(out, byte(lit-1))
		out = append(out, src[:lit]...)
		src = src[lit:]
	}
	return out
}
