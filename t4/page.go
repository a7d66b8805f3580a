package t4

import (
	"errors"
	"fmt"
)

// Fax page widths in pixels at 8 dots/mm (T.4 §2.2): A4, B4 and A3.
const (
	WidthA4 = 1728
	WidthB4 = 2048
	WidthA3 = 2432
)

// Resolution is a page's sampling density in dots per inch, as TIFF Class F
// records it. Fax resolutions are nominally metric (8 dots/mm by 3.85, 7.7
// or 15.4 lines/mm); the inch values below are the ones fax software writes.
type Resolution struct {
	X, Y float64
}

// The resolutions T.30 negotiates.
var (
	Standard  = Resolution{204, 98}  // 8 x 3.85 lines/mm
	Fine      = Resolution{204, 196} // 8 x 7.7 lines/mm
	Superfine = Resolution{204, 391} // 8 x 15.4 lines/mm
	R300      = Resolution{300, 300}
	R400      = Resolution{400, 400}
)

// Page is a bilevel raster. Rows are packed eight pixels a byte, most
// significant bit first, and a set bit is black (TIFF's WhiteIsZero, the
// convention of every fax codec).
type Page struct {
	Width, Height int // pixels
	Res           Resolution
	Stride        int    // bytes per row: (Width+7)/8
	Pix           []byte // Height*Stride bytes
}

// MaxDimension bounds both sides of a page so that hostile input cannot make
// us allocate without limit. A3 at 400 dpi is under 7000 pixels wide and a
// very long fax is a few metres; 65535 leaves room for both.
const MaxDimension = 65535

// ErrDimension reports a page size outside 1..MaxDimension.
var ErrDimension = errors.New("t4: page dimension out of range")

// NewPage returns an all-white page.
func NewPage(width, height int, res Resolution) (*Page, error) {
	if width <= 0 || height < 0 || width > MaxDimension || height > MaxDimension {
		return nil, fmt.Errorf("%w: %dx%d", ErrDimension, width, height)
	}
	stride := (width + 7) / 8
	return &Page{Width: width, Height: height, Res: res, Stride: stride, Pix: make([]byte, stride*height)}, nil
}

// Row returns row y's packed pixels; the slice aliases the page.
func (p *Page) Row(y int) []byte {
	return p.Pix[y*p.Stride : (y+1)*p.Stride]
}

// Black reports whether the pixel at (x, y) is black.
func (p *Page) Black(x, y int) bool {
	return p.Pix[y*p.Stride+x>>3]&(0x80>>(x&7)) != 0
}

// Set makes the pixel at (x, y) black or white.
func (p *Page) Set(x, y int, black bool) {
	i, m := y*p.Stride+x>>3, byte(0x80>>(x&7))
	if black {
		p.Pix[i] |= m
	} else {
		p.Pix[i] &^= m
	}
}

// PhysicalSize returns the page's size in inches.
func (p *Page) PhysicalSize() (w, h float64) {
	return float64(p.Width) / p.Res.X, float64(p.Height) / p.Res.Y
}
