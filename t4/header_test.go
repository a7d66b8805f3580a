package t4

import (
	"bytes"
	"errors"
	"testing"
)

// TestStampHeader: the header rows carry black text, every other row is
// exactly as before, and the page keeps its size.
func TestStampHeader(t *testing.T) {
	for _, res := range []Resolution{Standard, Fine} {
		p, err := NewPage(1728, 1143, res)
		if err != nil {
			t.Fatal(err)
		}
		// A document that fills the page edge to edge with a pattern.
		for i := range p.Pix {
			p.Pix[i] = byte(i*7 + i/p.Stride)
		}
		before := append([]byte(nil), p.Pix...)
		const text = "2026-11-26 08:10  softfax  FROM +1 555 0100  TO 100  P. 1/3"
		if err := StampHeader(p, text); err != nil {
			t.Fatal(err)
		}
		if p.Width != 1728 || p.Height != 1143 || len(p.Pix) != len(before) {
			t.Fatalf("%v: page size changed to %dx%d", res, p.Width, p.Height)
		}
		band := HeaderRows(res)
		if band < 8 || band > p.Height/20 {
			t.Fatalf("%v: header band %d rows", res, band)
		}
		if !bytes.Equal(p.Pix[band*p.Stride:], before[band*p.Stride:]) {
			t.Errorf("%v: rows below the header band changed", res)
		}
		black, inkRows := 0, 0
		for y := range band {
			n := 0
			for x := range p.Width {
				if p.Black(x, y) {
					n++
				}
			}
			black += n
			if n > 0 {
				inkRows++
			}
		}
		// About 50 visible characters of 10 pt: thousands of pixels at
		// fine, on most of the band's rows, but far from a black band.
		if black < 300 || black > band*p.Width/4 {
			t.Errorf("%v: %d black pixels in the %d-row header", res, black, band)
		}
		if inkRows < band/2 {
			t.Errorf("%v: ink on only %d of %d header rows", res, inkRows, band)
		}
		// The first and last rows are margins: white.
		for _, y := range []int{0, band - 1} {
			if !bytes.Equal(p.Row(y), make([]byte, p.Stride)) {
				t.Errorf("%v: header row %d is not white", res, y)
			}
		}
		// Stamping again replaces the header: same pixels for the same text.
		first := append([]byte(nil), p.Pix[:band*p.Stride]...)
		if err := StampHeader(p, "something else entirely, longer than the first one was"); err != nil {
			t.Fatal(err)
		}
		if err := StampHeader(p, text); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.Pix[:band*p.Stride], first) {
			t.Errorf("%v: a second stamp of the same text differs", res)
		}
	}
}

// TestStampHeaderEdges: a page shorter than the band, a narrow page, a
// text far wider than the page, controls, and malformed pages.
func TestStampHeaderEdges(t *testing.T) {
	short, _ := NewPage(1728, 5, Fine)
	narrow, _ := NewPage(40, 200, Fine)
	for _, p := range []*Page{short, narrow} {
		if err := StampHeader(p, "A very long header line\r\nwith a newline and a tab\t"+string(bytes.Repeat([]byte("W"), 500))); err != nil {
			t.Errorf("%dx%d: %v", p.Width, p.Height, err)
		}
	}
	for _, p := range []*Page{nil, {Width: 8, Height: 10, Stride: 1, Res: Fine}, {Width: 8, Height: 1, Stride: 1, Pix: []byte{0}}} {
		if err := StampHeader(p, "x"); !errors.Is(err, ErrBadPage) {
			t.Errorf("%+v: err %v, want ErrBadPage", p, err)
		}
	}
}

// FuzzStampHeader: any text on any small page stamps without panic,
// changes only the header band and keeps the page size.
func FuzzStampHeader(f *testing.F) {
	f.Add("2026-11-26 08:10  softfax  FROM +1 555 0100  TO 100  P. 1/3", 1728, 40, false)
	f.Add("\x00\xff\r\n\t\u0301\u0301\u0301\u0301\u0301 ééé 日本", 16, 3, true)
	f.Fuzz(func(t *testing.T, text string, width, height int, fine bool) {
		if width <= 0 || width > 2048 || height < 0 || height > 64 {
			return
		}
		res := Standard
		if fine {
			res = Fine
		}
		p, err := NewPage(width, height, res)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p.Pix {
			p.Pix[i] = 0xa5
		}
		if err := StampHeader(p, text); err != nil {
			t.Fatal(err)
		}
		band := min(HeaderRows(res), height)
		if p.Width != width || p.Height != height || len(p.Pix) != p.Stride*height {
			t.Fatalf("page became %dx%d", p.Width, p.Height)
		}
		for i := band * p.Stride; i < len(p.Pix); i++ {
			if p.Pix[i] != 0xa5 {
				t.Fatalf("byte %d below the band changed", i)
			}
		}
	})
}
