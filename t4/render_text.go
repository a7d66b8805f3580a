package t4

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Text layout: 10 pt Go Mono on 12 pt lines (6 lines an inch), 80
// columns (8 in of a 8.47 in fax line at 6 pt a character, centred), and
// half-inch top and bottom margins: 64 lines on A4, 60 on Letter.
const (
	textFontPt    = 10.0
	textLinePt    = 12.0
	textColumns   = 80
	textTabStop   = 8
	textMarginIn  = 0.5
	textThreshold = 0x66 // coverage (40%) at or above which a pixel is black: a little bolder than 50%, for the fax line
)

// goMono parses the embedded Go Mono font once; a parsed sfnt.Font is
// read-only and safe for concurrent use with separate Buffers.
var goMono = sync.OnceValues(func() (*sfnt.Font, error) { return sfnt.Parse(gomono.TTF) })

// glyphMask is one glyph rasterised at the page's resolution: black
// pixels relative to the pen position on the baseline.
type glyphMask struct {
	dx, dy int // top-left of the mask relative to the pen
	w, h   int
	bits   []bool
}

// textSetter draws characters onto pages. Non-square pixels (standard
// resolution is 204 x 98 dpi) are handled by scaling the outlines, not the
// bitmaps: glyphs are loaded at the horizontal pixel size and their y
// coordinates scaled by Res.Y/Res.X before rasterising.
type textSetter struct {
	font    *sfnt.Font
	buf     sfnt.Buffer
	ppem    fixed.Int26_6
	yScale  float32
	advance float64 // pixels per column
	cache   map[rune]*glyphMask
	rast    vector.Rasterizer
}

func newTextSetter(res Resolution) (*textSetter, error) {
	f, err := goMono()
	if err != nil {
		return nil, fmt.Errorf("parsing Go Mono: %w", err)
	}
	s := &textSetter{
		font:   f,
		ppem:   fixed.Int26_6(math.Round(textFontPt / 72 * res.X * 64)),
		yScale: float32(res.Y / res.X),
		cache:  make(map[rune]*glyphMask),
	}
	gi, err := f.GlyphIndex(&s.buf, 'M')
	if err != nil {
		return nil, err
	}
	adv, err := f.GlyphAdvance(&s.buf, gi, s.ppem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	s.advance = float64(adv) / 64
	return s, nil
}

// glyph returns r's mask, rasterising it on first use. A rune the font
// lacks is drawn as the font's .notdef box.
func (s *textSetter) glyph(r rune) *glyphMask {
	if g, ok := s.cache[r]; ok {
		return g
	}
	g := &glyphMask{}
	s.cache[r] = g
	gi, err := s.font.GlyphIndex(&s.buf, r)
	if err != nil {
		return g
	}
	segs, err := s.font.LoadGlyph(&s.buf, gi, s.ppem, nil)
	if err != nil || len(segs) == 0 {
		return g // a space, or a glyph we cannot load: draw nothing
	}
	// sfnt's segments have y growing downwards, like the page.
	minX, minY := float32(math.MaxFloat32), float32(math.MaxFloat32)
	maxX, maxY := -minX, -minY
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X) / 64, float32(p.Y) / 64 * s.yScale
	}
	for _, seg := range segs {
		n := 1
		switch seg.Op {
		case sfnt.SegmentOpQuadTo:
			n = 2
		case sfnt.SegmentOpCubeTo:
			n = 3
		}
		for _, a := range seg.Args[:n] {
			x, y := pt(a)
			minX, maxX = min(minX, x), max(maxX, x)
			minY, maxY = min(minY, y), max(maxY, y)
		}
	}
	x0, y0 := int(math.Floor(float64(minX))), int(math.Floor(float64(minY)))
	w, h := int(math.Ceil(float64(maxX)))-x0, int(math.Ceil(float64(maxY)))-y0
	if w <= 0 || h <= 0 || w > 1000 || h > 1000 {
		return g
	}
	s.rast.Reset(w, h)
	ox, oy := float32(x0), float32(y0)
	for _, seg := range segs {
		ax, ay := pt(seg.Args[0])
		switch seg.Op {
		case sfnt.SegmentOpMoveTo:
			s.rast.MoveTo(ax-ox, ay-oy)
		case sfnt.SegmentOpLineTo:
			s.rast.LineTo(ax-ox, ay-oy)
		case sfnt.SegmentOpQuadTo:
			bx, by := pt(seg.Args[1])
			s.rast.QuadTo(ax-ox, ay-oy, bx-ox, by-oy)
		case sfnt.SegmentOpCubeTo:
			bx, by := pt(seg.Args[1])
			cx, cy := pt(seg.Args[2])
			s.rast.CubeTo(ax-ox, ay-oy, bx-ox, by-oy, cx-ox, cy-oy)
		}
	}
	s.rast.ClosePath()
	// A fresh mask per glyph: the rasteriser's fast path for *image.Alpha
	// assumes the stride equals the width. Glyphs are cached, so this
	// happens once per character and page size.
	dst := image.NewAlpha(image.Rect(0, 0, w, h))
	s.rast.Draw(dst, dst.Bounds(), image.Opaque, image.Point{})
	g.dx, g.dy, g.w, g.h = x0, y0, w, h
	g.bits = make([]bool, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.bits[y*w+x] = dst.Pix[y*dst.Stride+x] >= textThreshold
		}
	}
	return g
}

// draw sets r's black pixels on p with the pen at (penX, baseline),
// clipping at the page's edges.
func (s *textSetter) draw(p *Page, r rune, penX, baseline int) {
	g := s.glyph(r)
	for y := 0; y < g.h; y++ {
		py := baseline + g.dy + y
		if py < 0 || py >= p.Height {
			continue
		}
		for x := 0; x < g.w; x++ {
			px := penX + g.dx + x
			if g.bits[y*g.w+x] && px >= 0 && px < p.Width {
				p.Set(px, py, true)
			}
		}
	}
}

// textLines splits decoded text into lines of at most textColumns
// columns: tabs expanded, controls dropped, long lines wrapped at the last
// space (or cut if a word is longer than a line). A form feed ends the
// page; it comes back as a line holding just '\f'.
func textLines(text []rune) [][]rune {
	var (
		lines [][]rune
		cur   []rune
		col   int
	)
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1] == ' ' {
			cur = cur[:len(cur)-1]
		}
		lines = append(lines, cur)
		cur, col = nil, 0
	}
	for i := 0; i < len(text); i++ {
		r := text[i]
		switch {
		case r == '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				continue // CRLF
			}
			flush() // a lone CR ends a line (classic Mac OS)
		case r == '\n':
			flush()
		case r == '\f':
			if len(cur) > 0 {
				flush()
			}
			lines = append(lines, []rune{'\f'})
		case r == '\t':
			n := textTabStop - col%textTabStop
			for range n {
				if col == textColumns {
					flush()
					break
				}
				cur = append(cur, ' ')
				col++
			}
		case unicode.Is(unicode.Mn, r):
			// A combining mark overprints the previous character; more
			// than a few on one character is abuse ("Zalgo" text), and
			// would cost a glyph drawing each.
			if len(cur) > 0 && marksBefore(cur) < maxMarks {
				cur = append(cur, r)
			}
		case unicode.IsControl(r):
			// Drop other controls (escape sequences' ESC, BEL, C1...).
		default:
			if col == textColumns {
				// Wrap: move the last word to the next line when there is
				// a space in the second half of the line.
				cut := -1
				for j := len(cur) - 1; j > len(cur)/2; j-- {
					if cur[j] == ' ' {
						cut = j
						break
					}
				}
				if cut < 0 {
					flush()
				} else {
					rest := append([]rune(nil), cur[cut+1:]...)
					cur = cur[:cut]
					flush()
					cur = rest
					col = columnsOf(rest)
				}
			}
			cur = append(cur, r)
			col++
		}
	}
	if len(cur) > 0 {
		flush()
	}
	// Trailing blank lines and form feeds would make blank pages.
	for len(lines) > 0 {
		last := lines[len(lines)-1]
		if len(last) == 0 || len(last) == 1 && last[0] == '\f' || isBlank(last) {
			lines = lines[:len(lines)-1]
			continue
		}
		break
	}
	return lines
}

// maxMarks is the most combining marks kept on one character.
const maxMarks = 4

// marksBefore counts the combining marks at the end of line.
func marksBefore(line []rune) int {
	n := 0
	for i := len(line) - 1; i >= 0 && unicode.Is(unicode.Mn, line[i]); i-- {
		n++
	}
	return n
}

func columnsOf(line []rune) int {
	n := 0
	for _, r := range line {
		if !unicode.Is(unicode.Mn, r) {
			n++
		}
	}
	return n
}

func isBlank(line []rune) bool {
	for _, r := range line {
		if r != ' ' {
			return false
		}
	}
	return true
}

// decodeText returns data's characters: UTF-8 (without a byte-order mark)
// if it is valid UTF-8, otherwise ISO 8859-1, where every byte is a rune.
func decodeText(data []byte) []rune {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return bytes.Runes(data)
	}
	rs := make([]rune, len(data))
	for i, b := range data {
		rs[i] = rune(b)
	}
	return rs
}

// renderText sets plain text on pages of opt's paper and resolution.
func renderText(data []byte, opt RenderOptions) ([]*Page, error) {
	s, err := newTextSetter(opt.Res)
	if err != nil {
		return nil, err
	}
	lines := textLines(decodeText(data))
	if len(lines) == 0 {
		return nil, ErrEmptyDocument
	}
	height := opt.pageHeight()
	lineH := textLinePt / 72 * opt.Res.Y
	top := textMarginIn * opt.Res.Y
	perPage := int((float64(height) - 2*top) / lineH)
	if perPage < 1 {
		return nil, fmt.Errorf("%w: page too short for a line of text", errRenderOversize)
	}
	// Centre the 80 columns; the ascent puts the first baseline so that
	// capitals touch the top margin.
	left := int(math.Round((float64(opt.Width) - textColumns*s.advance) / 2))
	if left < 0 {
		left = 0
	}
	ascent := 0.75 * textFontPt / 72 * opt.Res.Y

	var (
		pages []*Page
		page  *Page
		row   int
	)
	for _, line := range lines {
		if len(line) == 1 && line[0] == '\f' {
			if page == nil {
				// A form feed on an empty page still gives a blank page,
				// as a printer would.
				if len(pages) >= opt.MaxPages {
					return nil, fmt.Errorf("%w: more than %d", ErrTooManyPages, opt.MaxPages)
				}
				if page, err = NewPage(opt.Width, height, opt.Res); err != nil {
					return nil, err
				}
				pages = append(pages, page)
			}
			page = nil
			continue
		}
		if page == nil || row == perPage {
			if len(pages) >= opt.MaxPages {
				return nil, fmt.Errorf("%w: more than %d", ErrTooManyPages, opt.MaxPages)
			}
			if page, err = NewPage(opt.Width, height, opt.Res); err != nil {
				return nil, err
			}
			pages = append(pages, page)
			row = 0
		}
		baseline := int(math.Round(top + ascent + float64(row)*lineH))
		col := 0
		for _, r := range line {
			pen := left + int(math.Round(float64(col)*s.advance))
			if unicode.Is(unicode.Mn, r) {
				// Overprint the previous column: Go Mono's combining
				// marks have zero advance and sit left of the pen.
				s.draw(page, r, pen, baseline)
				continue
			}
			if r != ' ' {
				s.draw(page, r, pen, baseline)
			}
			col++
		}
		row++
	}
	return pages, nil
}
