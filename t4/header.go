package t4

import (
	"errors"
	"fmt"
	"math"
)

// Header band: the line a sending fax machine prints at the top of each
// page (date, time, sender's name and number, page number; in the US
// 47 CFR 68.318(d) requires it). It is set in the text renderer's font,
// 10 pt Go Mono, on a 12 pt band (1/6 inch), with the renderer's 80
// columns centred on the page.
const headerBandPt = textLinePt

// ErrBadPage reports a page whose pixel buffer does not match its size.
var ErrBadPage = errors.New("t4: page buffer does not match its size")

// HeaderRows is how many rows at the top of a page at resolution res a
// header stamped by StampHeader occupies.
func HeaderRows(res Resolution) int {
	return int(math.Ceil(headerBandPt / 72 * res.Y))
}

// StampHeader overlays text as one line on the top HeaderRows rows of p:
// those rows are cleared to white and the text drawn on them, so that the
// header stays legible over a document that reaches the top edge. The rest
// of the page and its size are unchanged. Text longer than the page is
// wide is cut; stamping twice replaces the first header.
func StampHeader(p *Page, text string) error {
	if p == nil || p.Width <= 0 || p.Height < 0 || p.Stride != (p.Width+7)/8 || len(p.Pix) < p.Stride*p.Height {
		return ErrBadPage
	}
	if p.Res.X <= 0 || p.Res.Y <= 0 {
		return fmt.Errorf("%w: resolution %vx%v", ErrBadPage, p.Res.X, p.Res.Y)
	}
	s, err := newTextSetter(p.Res)
	if err != nil {
		return err
	}
	band := min(HeaderRows(p.Res), p.Height)
	// Draw on a view of the band alone, so that the glyphs are clipped to
	// it: a descender must not reach the document below.
	top := &Page{Width: p.Width, Height: band, Res: p.Res, Stride: p.Stride, Pix: p.Pix[:band*p.Stride]}
	clear(top.Pix)

	left := int(math.Round((float64(p.Width) - textColumns*s.advance) / 2))
	left = max(left, 0)
	columns := int(float64(p.Width-left) / s.advance)
	// The 10 pt glyphs sit in the middle of the 12 pt band: 1 pt above the
	// ascent, the descent below the baseline.
	baseline := int(math.Round((1 + 0.75*textFontPt) / 72 * p.Res.Y))
	col := 0
	for _, r := range decodeText([]byte(text)) {
		if col >= columns {
			break
		}
		if r < ' ' || r == 0x7f {
			r = ' ' // one line: controls (CR, LF, tab) are spaces
		}
		s.draw(top, r, left+int(math.Round(float64(col)*s.advance)), baseline)
		col++
	}
	return nil
}
