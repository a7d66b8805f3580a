package t4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/image/ccitt"
)

// codecTestPage is one page of the round-trip codecCorpus.
type codecTestPage struct {
	name string
	page *Page
}

func codecMustPage(tb testing.TB, w, h int) *Page {
	tb.Helper()
	p, err := NewPage(w, h, Fine)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// codecTextPage draws lines of glyph-like marks: strokes 2-3 pixels wide in
// cells about the size of 10-12 pt characters at fine resolution, with
// margins and paragraph breaks, which is what most fax pages hold.
func codecTextPage(tb testing.TB, w, h int, seed uint64) *Page {
	p := codecMustPage(tb, w, h)
	rng := rand.New(rand.NewPCG(seed, 1))
	// A font of 64 random glyphs, 14x22 pixels, made of a few strokes.
	const gw, gh = 14, 22
	var font [64][gh][gw]bool
	for g := range font {
		for range 2 + rng.IntN(3) {
			x0, y0 := rng.IntN(gw-3), rng.IntN(gh-3)
			if rng.IntN(2) == 0 { // vertical stroke
				l := 6 + rng.IntN(gh-y0-2)
				for y := y0; y < min(gh, y0+l); y++ {
					font[g][y][x0], font[g][y][x0+1] = true, true
				}
			} else { // horizontal stroke
				l := 4 + rng.IntN(gw-x0-2)
				for x := x0; x < min(gw, x0+l); x++ {
					font[g][y0][x], font[g][y0+1][x] = true, true
				}
			}
		}
	}
	margin := w / 12
	for top := 80; top+gh < h-80; top += 34 {
		if rng.IntN(8) == 0 {
			continue // paragraph break
		}
		end := w - margin - rng.IntN(w/3)
		for x := margin; x+gw < end; x += gw + 2 {
			if rng.IntN(6) == 0 {
				continue // space between words
			}
			g := &font[rng.IntN(len(font))]
			for y := range gh {
				for gx := range gw {
					if g[y][gx] {
						p.Set(x+gx, top+y, true)
					}
				}
			}
		}
	}
	return p
}

// codecHalftonePage is an ordered-dither gradient: runs of one to a few pixels
// everywhere, the worst case for run-length codes.
func codecHalftonePage(tb testing.TB, w, h int) *Page {
	p := codecMustPage(tb, w, h)
	bayer := [4][4]int{{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}
	for y := range h {
		for x := range w {
			level := (x*16/w + y*16/h) / 2
			if bayer[y&3][x&3] < level {
				p.Set(x, y, true)
			}
		}
	}
	return p
}

func codecFillPage(tb testing.TB, w, h int, black bool) *Page {
	p := codecMustPage(tb, w, h)
	if black {
		for y := range h {
			for x := range w {
				p.Set(x, y, true)
			}
		}
	}
	return p
}

// codecLongRunPage has runs longer than 2560 pixels of both colours (which need
// repeated 2560 make-up codes) and runs of every length around the make-up
// boundaries.
func codecLongRunPage(tb testing.TB, w, h int) *Page {
	p := codecMustPage(tb, w, h)
	for y := range h {
		switch y % 4 {
		case 0: // all white
		case 1: // all black
			for x := range w {
				p.Set(x, y, true)
			}
		case 2: // a black run of y*7 % w from a varying start
			start := (y * 13) % 50
			n := (y * 37) % (w - start)
			for x := start; x < start+n; x++ {
				p.Set(x, y, true)
			}
		case 3: // black from the middle to the end
			for x := w/2 - y%64; x < w; x++ {
				p.Set(x, y, true)
			}
		}
	}
	return p
}

// codecAlternatingPage is a checkerboard of single pixels, with a row of
// alternate columns every third row.
func codecAlternatingPage(tb testing.TB, w, h int) *Page {
	p := codecMustPage(tb, w, h)
	for y := range h {
		for x := range w {
			if (x+y)&1 == 0 || y%3 == 2 && x&1 == 0 {
				p.Set(x, y, true)
			}
		}
	}
	return p
}

func codecNoisePage(tb testing.TB, w, h int, seed uint64) *Page {
	p := codecMustPage(tb, w, h)
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := range p.Pix {
		p.Pix[i] = byte(rng.Uint32())
	}
	codecClearPadding(p)
	return p
}

// codecClearPadding whitens the bits past the width, which the codecs ignore.
func codecClearPadding(p *Page) {
	if p.Width%8 == 0 {
		return
	}
	mask := byte(0xff << (8 - p.Width%8))
	for y := range p.Height {
		p.Pix[y*p.Stride+p.Stride-1] &= mask
	}
}

func codecCorpus(tb testing.TB) []codecTestPage {
	return []codecTestPage{
		{"text", codecTextPage(tb, WidthA4, 400, 1)},
		{"text-odd-width", codecTextPage(tb, 1000, 200, 2)},
		{"halftone", codecHalftonePage(tb, WidthA4, 200)},
		{"white", codecFillPage(tb, WidthA4, 50, false)},
		{"black", codecFillPage(tb, WidthA4, 50, true)},
		{"long-runs-2432", codecLongRunPage(tb, WidthA3, 120)},
		{"long-runs-4000", codecLongRunPage(tb, 4000, 120)},
		{"long-runs-6000-odd", codecLongRunPage(tb, 6001, 40)},
		{"alternating", codecAlternatingPage(tb, WidthA4, 60)},
		{"alternating-odd", codecAlternatingPage(tb, 77, 30)},
		{"noise", codecNoisePage(tb, WidthA4, 100, 3)},
		{"noise-tiny", codecNoisePage(tb, 3, 40, 4)},
		{"one-pixel", codecFillPage(tb, 1, 5, true)},
		{"every-code", codecEveryCodePage(tb)},
	}
}

var codecVariants = []struct {
	name string
	opt  EncodeOptions
}{
	{"MH", EncodeOptions{Compression: MH}},
	{"MH-rtc-align-fill", EncodeOptions{Compression: MH, RTC: true, AlignEOL: true, MinRowBits: 1000}},
	{"MH-noeol", EncodeOptions{Compression: MH, NoEOL: true}},
	{"MH-noeol-rtc", EncodeOptions{Compression: MH, NoEOL: true, RTC: true}},
	{"MH-rle", EncodeOptions{Compression: MH, NoEOL: true, AlignRows: true}},
	{"MR-K2", EncodeOptions{Compression: MR, K: 2}},
	{"MR-K4", EncodeOptions{Compression: MR, K: 4}},
	{"MR-K4-rtc-align-fill", EncodeOptions{Compression: MR, K: 4, RTC: true, AlignEOL: true, MinRowBits: 777}},
	{"MR-K0-fill", EncodeOptions{Compression: MR, MinRowBits: 96}},
	{"MMR", EncodeOptions{Compression: MMR}},
	{"MMR-eofb", EncodeOptions{Compression: MMR, RTC: true}},
}

func TestRoundTrip(t *testing.T) {
	for _, tp := range codecCorpus(t) {
		for _, v := range codecVariants {
			for _, lsb := range []bool{false, true} {
				opt := v.opt
				opt.LSBFirst = lsb
				name := fmt.Sprintf("%s/%s/lsb=%v", tp.name, v.name, lsb)
				t.Run(name, func(t *testing.T) {
					data, err := Encode(tp.page, opt)
					if err != nil {
						t.Fatal(err)
					}
					got, st, err := Decode(data, DecodeOptions{Compression: opt.Compression, Width: tp.page.Width, LSBFirst: lsb, AlignRows: opt.AlignRows})
					if err != nil {
						t.Fatal(err)
					}
					if st.BadRows != 0 || st.Rows != tp.page.Height || st.RTC != opt.RTC {
						t.Errorf("stats %+v, want %d rows, RTC %v", st, tp.page.Height, opt.RTC)
					}
					codecSamePixels(t, got, tp.page)
				})
			}
		}
	}
}

// codecSamePixels compares the pixels of two pages, ignoring padding bits.
func codecSamePixels(t *testing.T, got, want *Page) {
	t.Helper()
	if got.Width != want.Width || got.Height != want.Height {
		t.Fatalf("got %dx%d, want %dx%d", got.Width, got.Height, want.Width, want.Height)
	}
	for y := range want.Height {
		for x := range want.Width {
			if got.Black(x, y) != want.Black(x, y) {
				t.Fatalf("first difference at (%d,%d): got black=%v", x, y, got.Black(x, y))
			}
		}
	}
}

// TestEncodeOptionsShape checks the bit-level promises of the options.
func TestEncodeOptionsShape(t *testing.T) {
	p := codecTextPage(t, WidthA4, 300, 5)
	t.Run("MinRowBits", func(t *testing.T) {
		plain, _ := Encode(p, EncodeOptions{Compression: MH})
		padded, _ := Encode(p, EncodeOptions{Compression: MH, MinRowBits: 2000})
		// Every row, its EOL included, now lasts at least 2000 bits; the
		// last row has no EOL after it, so it is padded at its end.
		if len(padded)*8 < 2000*p.Height || len(padded) <= len(plain) {
			t.Errorf("padded %d bytes, plain %d: rows not padded to 2000 bits", len(padded), len(plain))
		}
		rowLens := codecEolDistances(t, padded)
		for i, l := range rowLens {
			if l < 2000 {
				t.Fatalf("row %d is %d bits", i, l)
			}
		}
	})
	t.Run("AlignEOL", func(t *testing.T) {
		for _, c := range []Compression{MH, MR} {
			data, _ := Encode(p, EncodeOptions{Compression: c, AlignEOL: true, RTC: true})
			// Each EOL ends on a byte boundary: its final 1 is bit 0 of a byte.
			n := 0
			for pos := 0; pos+12 <= len(data)*8; pos++ {
				if codecIsEOLAt(data, pos) {
					n++
					if (pos+12)%8 != 0 {
						t.Fatalf("%v: EOL at bit %d ends mid-byte", c, pos)
					}
				}
			}
			if n != p.Height+6 {
				t.Errorf("%v: %d EOLs, want %d", c, n, p.Height+6)
			}
		}
	})
	t.Run("RTC", func(t *testing.T) {
		data, _ := Encode(p, EncodeOptions{Compression: MH, RTC: true})
		// Six EOLs end the data, then zeros to the byte boundary.
		if s := strings.TrimRight(codecBitString(data), "0"); !strings.HasSuffix(s, strings.Repeat("000000000001", 6)) {
			t.Errorf("MH data does not end with RTC: ...%s", s[len(s)-80:])
		}
		data, _ = Encode(p, EncodeOptions{Compression: MR, RTC: true})
		if s := strings.TrimRight(codecBitString(data), "0"); !strings.HasSuffix(s, strings.Repeat("0000000000011", 6)) {
			t.Errorf("MR data does not end with RTC: ...%s", s[len(s)-80:])
		}
		mmr, _ := Encode(p, EncodeOptions{Compression: MMR, RTC: true})
		plain, _ := Encode(p, EncodeOptions{Compression: MMR})
		if len(mmr) < len(plain)+2 || len(mmr) > len(plain)+4 {
			t.Errorf("EOFB added %d bytes", len(mmr)-len(plain))
		}
	})
	t.Run("LSBFirst", func(t *testing.T) {
		msb, _ := Encode(p, EncodeOptions{Compression: MR, K: 4})
		lsb, _ := Encode(p, EncodeOptions{Compression: MR, K: 4, LSBFirst: true})
		reverseBits(lsb)
		if !bytes.Equal(msb, lsb) {
			t.Error("LSBFirst is not the bit reversal of MSB first")
		}
	})
	t.Run("Append", func(t *testing.T) {
		want, _ := Encode(p, EncodeOptions{Compression: MMR})
		got, err := AppendEncode([]byte("head"), p, EncodeOptions{Compression: MMR, LSBFirst: true})
		if err != nil {
			t.Fatal(err)
		}
		reverseBits(got[4:])
		if string(got[:4]) != "head" || !bytes.Equal(got[4:], want) {
			t.Error("AppendEncode disturbed dst or differs from Encode")
		}
	})
}

func codecBitString(b []byte) string {
	s := make([]byte, 0, len(b)*8)
	for _, c := range b {
		for i := 7; i >= 0; i-- {
			s = append(s, '0'+c>>i&1)
		}
	}
	return string(s)
}

func codecIsEOLAt(b []byte, pos int) bool {
	for i := range 12 {
		bit := b[(pos+i)/8] >> (7 - (pos+i)%8) & 1
		if bit != 0 && i < 11 || bit == 0 && i == 11 {
			return false
		}
	}
	return true
}

// codecEolDistances returns the bit distance from each EOL to the next.
func codecEolDistances(t *testing.T, b []byte) []int {
	var starts []int
	for pos := 0; pos+12 <= len(b)*8; pos++ {
		if codecIsEOLAt(b, pos) {
			starts = append(starts, pos)
		}
	}
	var d []int
	for i := 1; i < len(starts); i++ {
		d = append(d, starts[i]-starts[i-1])
	}
	return d
}

// TestAgainstXImage decodes our MH and MMR streams with
// golang.org/x/image/ccitt, an independent implementation.
func TestAgainstXImage(t *testing.T) {
	for _, tp := range codecCorpus(t) {
		for _, c := range []struct {
			opt EncodeOptions
			sf  ccitt.SubFormat
		}{
			{EncodeOptions{Compression: MH}, ccitt.Group3},
			{EncodeOptions{Compression: MMR}, ccitt.Group4},
			{EncodeOptions{Compression: MMR, RTC: true, LSBFirst: true}, ccitt.Group4},
		} {
			t.Run(tp.name+"/"+c.opt.Compression.String(), func(t *testing.T) {
				data, err := Encode(tp.page, c.opt)
				if err != nil {
					t.Fatal(err)
				}
				order := ccitt.MSB
				if c.opt.LSBFirst {
					order = ccitt.LSB
				}
				r := ccitt.NewReader(bytes.NewReader(data), order, c.sf, tp.page.Width, tp.page.Height, &ccitt.Options{Invert: true})
				pix, err := io.ReadAll(r)
				if err != nil {
					t.Fatalf("x/image/ccitt: %v", err)
				}
				got := &Page{Width: tp.page.Width, Height: tp.page.Height, Stride: tp.page.Stride, Pix: pix}
				codecClearPadding(got)
				codecSamePixels(t, got, tp.page)
			})
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	p := codecFillPage(t, 100, 2, false)
	for _, tc := range []struct {
		name string
		p    *Page
		opt  EncodeOptions
	}{
		{"no compression", p, EncodeOptions{}},
		{"bad compression", p, EncodeOptions{Compression: 9}},
		{"negative K", p, EncodeOptions{Compression: MR, K: -1}},
		{"negative MinRowBits", p, EncodeOptions{Compression: MH, MinRowBits: -1}},
		{"MR without EOL", p, EncodeOptions{Compression: MR, NoEOL: true}},
		{"fill without EOL", p, EncodeOptions{Compression: MH, NoEOL: true, MinRowBits: 100}},
		{"aligned rows with EOL", p, EncodeOptions{Compression: MH, AlignRows: true}},
		{"aligned MMR rows", p, EncodeOptions{Compression: MMR, NoEOL: true, AlignRows: true}},
		{"nil page", nil, EncodeOptions{Compression: MH}},
		{"short Pix", &Page{Width: 100, Height: 2, Stride: 13, Pix: make([]byte, 20)}, EncodeOptions{Compression: MH}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := AppendEncode([]byte{1}, tc.p, tc.opt)
			if !errors.Is(err, ErrOptions) {
				t.Errorf("err = %v, want ErrOptions", err)
			}
			if len(out) != 1 {
				t.Errorf("dst changed to %d bytes", len(out))
			}
		})
	}
}

func TestCompressionString(t *testing.T) {
	for c, want := range map[Compression]string{MH: "MH", MR: "MR", MMR: "MMR", 0: "Compression(0)"} {
		if got := c.String(); got != want {
			t.Errorf("%d: %q, want %q", int(c), got, want)
		}
	}
}
