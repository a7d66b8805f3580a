package t4

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/tiff"

	"github.com/softfax/softfax/internal/peer"
)

var updateRenderGolden = flag.Bool("update-render", false, "rewrite t4/testdata/render golden files")

// renderBBox returns the bounding box of p's black pixels (empty if none).
func renderBBox(p *Page) image.Rectangle {
	r := image.Rectangle{}
	for y := 0; y < p.Height; y++ {
		row := p.Row(y)
		for i, b := range row {
			if b == 0 {
				continue
			}
			for bit := 0; bit < 8; bit++ {
				if b&(0x80>>bit) != 0 {
					x := i*8 + bit
					r = r.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
	}
	return r
}

// renderBlackFraction is the share of black pixels inside r.
func renderBlackFraction(p *Page, r image.Rectangle) float64 {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if p.Black(x, y) {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}

func renderMust(t *testing.T, name string, data []byte, opt RenderOptions) []*Page {
	t.Helper()
	pages, err := Render(context.Background(), name, data, opt)
	if err != nil {
		t.Fatalf("Render(%s): %v", name, err)
	}
	return pages
}

func TestSniffFormat(t *testing.T) {
	tests := []struct {
		data string
		want Format
	}{
		{"\x89PNG\r\n\x1a\n....", FormatPNG},
		{"\xff\xd8\xff\xe0", FormatJPEG},
		{"GIF89a", FormatGIF},
		{"II*\x00\x08\x00\x00\x00", FormatTIFF},
		{"MM\x00*\x00\x00\x00\x08", FormatTIFF},
		{"%PDF-1.7\n", FormatPDF},
		{"\r\n\r\n%PDF-1.4\n", FormatPDF}, // junk before the header
		{"%!PS-Adobe-3.0\n", FormatPostScript},
		{"\x04%!PS\n", FormatPostScript},
		{"\xc5\xd0\xd3\xc6 eps", FormatPostScript},
		{"hello, world\n", FormatText},
		{"caf\xc3\xa9\r\n\ttab\f", FormatText},
		{"caf\xe9 cr\xe8me br\xfbl\xe9e\n", FormatText}, // ISO 8859-1
		{"\x00\x01\x02\x03binary", FormatUnknown},
		{"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", FormatUnknown},
		{"abc\x85\x90\x9d", FormatUnknown}, // C1 controls: not Latin-1 text
		{"", FormatUnknown},
	}
	for _, tc := range tests {
		if got := SniffFormat([]byte(tc.data)); got != tc.want {
			t.Errorf("SniffFormat(%q) = %v, want %v", tc.data, got, tc.want)
		}
	}
}

func TestTextLines(t *testing.T) {
	long := strings.Repeat("word ", 30) // 150 columns
	tests := []struct {
		name, in string
		want     []string
	}{
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"lone cr", "a\rb", []string{"a", "b"}},
		{"tabs", "\tx\tyz\t|", []string{"        x       yz      |"}},
		{"form feed", "p1\fp2", []string{"p1", "\f", "p2"}},
		{"trailing blank lines and form feeds", "x\n\n  \n\f\n", []string{"x"}},
		{"controls dropped", "a\x07b\x1b[1mc", []string{"ab[1mc"}},
		{"word wrap", long, []string{
			strings.TrimSuffix(strings.Repeat("word ", 16), " "),
			strings.TrimSuffix(strings.Repeat("word ", 14), " "),
		}},
		{"hard wrap", strings.Repeat("x", 170), []string{strings.Repeat("x", 80), strings.Repeat("x", 80), strings.Repeat("x", 10)}},
		{"at most four marks on a character", "a" + strings.Repeat("\u0308", 50) + "b", []string{"a" + strings.Repeat("\u0308", 4) + "b"}},
		{"combining mark takes no column", "e\u0301" + strings.Repeat("x", 79) + "y", []string{"e\u0301" + strings.Repeat("x", 79), "y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range textLines([]rune(tc.in)) {
				got = append(got, string(l))
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Errorf("textLines(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestRenderTextLayout checks page geometry at each resolution and paper:
// the page is the paper's length, the text sits inside the margins, and
// the text block has the same physical height whatever the resolution
// (non-square pixels handled).
func TestRenderTextLayout(t *testing.T) {
	text := []byte("MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM\n\n\nlast\n")
	tests := []struct {
		res        Resolution
		paper      Paper
		wantHeight int
	}{
		{Standard, A4, 1146},
		{Fine, A4, 2292},
		{Superfine, A4, 4572},
		{Fine, Letter, 2156},
	}
	var refHeightIn, refWidthIn float64
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v-%v", tc.res.Y, tc.paper), func(t *testing.T) {
			pages := renderMust(t, "m.txt", text, RenderOptions{Res: tc.res, Paper: tc.paper})
			if len(pages) != 1 {
				t.Fatalf("%d pages, want 1", len(pages))
			}
			p := pages[0]
			if p.Width != 1728 || p.Height != tc.wantHeight || p.Res != tc.res {
				t.Fatalf("page %dx%d at %v, want 1728x%d at %v", p.Width, p.Height, p.Res, tc.wantHeight, tc.res)
			}
			bb := renderBBox(p)
			mx, my := int(0.5*tc.res.X), int(0.45*tc.res.Y)
			if bb.Min.X < mx || bb.Max.X > p.Width-mx || bb.Min.Y < my || bb.Max.Y > p.Height/3 {
				t.Errorf("text at %v, outside the margins (x %d..%d, from y %d)", bb, mx, p.Width-mx, my)
			}
			// 80 columns of 6 pt: 6.67 in wide; 4 lines from the M's top
			// to "last"'s baseline: about 3.5 lines of 1/6 in.
			wIn, hIn := float64(bb.Dx())/tc.res.X, float64(bb.Dy())/tc.res.Y
			if math.Abs(wIn-80*6.0/72) > 0.1 {
				t.Errorf("80 columns are %.2f in wide, want %.2f", wIn, 80*6.0/72)
			}
			if refHeightIn == 0 {
				refHeightIn, refWidthIn = hIn, wIn
			} else if math.Abs(hIn-refHeightIn) > 0.03 || math.Abs(wIn-refWidthIn) > 0.02 {
				t.Errorf("text block %.3fx%.3f in, %.3fx%.3f at the first resolution", wIn, hIn, refWidthIn, refHeightIn)
			}
		})
	}
}

func TestRenderTextPagination(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "line %d\n", i+1)
	}
	tests := []struct {
		name  string
		text  string
		paper Paper
		want  int
	}{
		{"200 lines on A4 (64 a page)", b.String(), A4, 4},
		{"200 lines on Letter (60 a page)", b.String(), Letter, 4},
		{"64 lines fill one A4 page", strings.Repeat("x\n", 64), A4, 1},
		{"65 lines need two", strings.Repeat("x\n", 65), A4, 2},
		{"form feeds", "one\ftwo\fthree", A4, 3},
		{"double form feed gives a blank page", "one\f\fthree", A4, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages := renderMust(t, "p.txt", []byte(tc.text), RenderOptions{Paper: tc.paper})
			if len(pages) != tc.want {
				t.Fatalf("%d pages, want %d", len(pages), tc.want)
			}
		})
	}
	// The blank page of a double form feed is blank.
	pages := renderMust(t, "p.txt", []byte("one\f\fthree"), RenderOptions{})
	if !renderBBox(pages[1]).Empty() {
		t.Error("page 2 of one\\f\\fthree is not blank")
	}
}

// TestRenderTextGolden compares the sample document with golden pages
// (1-bit PNGs) at each resolution; -update-render rewrites them after a
// deliberate change, to be inspected by eye.
func TestRenderTextGolden(t *testing.T) {
	data, err := os.ReadFile("../testdata/sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		res  Resolution
	}{{"standard", Standard}, {"fine", Fine}, {"superfine", Superfine}} {
		t.Run(tc.name, func(t *testing.T) {
			pages := renderMust(t, "sample.txt", data, RenderOptions{Res: tc.res})
			if len(pages) != 1 {
				t.Fatalf("%d pages, want 1", len(pages))
			}
			path := filepath.Join("testdata", "render", "sample-"+tc.name+".png")
			if *updateRenderGolden {
				var e pngEncoder
				b, err := e.encode(pages[0])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g, err := decodePNGForTest(b)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := NewPage(g.Rect.Dx(), g.Rect.Dy(), tc.res)
			for y := 0; y < want.Height; y++ {
				for x := 0; x < want.Width; x++ {
					want.Set(x, y, g.GrayAt(x, y).Y == 0)
				}
			}
			if d := diffPages(pages[0], want); d != "" {
				t.Errorf("sample.txt at %s differs from %s: %s", tc.name, path, d)
			}
		})
	}
}

func renderEncode(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
	case "gif":
		err = gif.Encode(&b, img, nil)
	case "tiff":
		err = tiff.Encode(&b, img, &tiff.Options{Compression: tiff.Deflate})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func renderUniform(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

// TestRenderImageTone checks gamma-correct dithering: a uniform grey comes
// out with the share of black pixels its linear reflectance implies, for
// every image format and through the YCbCr, palette and RGBA paths.
func TestRenderImageTone(t *testing.T) {
	tests := []struct {
		format string
		grey   uint8
	}{
		{"png", 188}, // sRGB 188 is 50% linear reflectance
		{"png", 128}, // sRGB 128 is 21.6%: 78% black, not 50%
		{"jpeg", 188},
		{"gif", 188},
		{"tiff", 64},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s-%d", tc.format, tc.grey), func(t *testing.T) {
			var img image.Image = renderUniform(60, 40, color.Gray{Y: tc.grey})
			if tc.format == "gif" {
				// A palette holding the grey, so that the encoder does
				// not quantise it.
				img = image.NewPaletted(image.Rect(0, 0, 60, 40), color.Palette{color.Gray{Y: tc.grey}})
			}
			data := renderEncode(t, tc.format, img)
			pages := renderMust(t, "grey."+tc.format, data, RenderOptions{})
			p := pages[0]
			bb := renderBBox(p)
			inner := bb.Inset(4)
			got := renderBlackFraction(p, inner)
			want := 1 - float64(srgbToLinear[tc.grey])
			if math.Abs(got-want) > 0.02 {
				t.Errorf("black share %.3f, want %.3f", got, want)
			}
		})
	}
}

// TestRenderImageGeometry checks that an image keeps its physical aspect
// ratio at every resolution (standard's pixels are twice as tall as wide),
// fills the printable width or length, is centred, and that transparency
// is white paper.
func TestRenderImageGeometry(t *testing.T) {
	tests := []struct {
		name   string
		w, h   int
		res    Resolution
		aspect float64 // width/height of the black area, in inches
		border int     // transparent pixels around the black rectangle
	}{
		{"square at fine", 100, 100, Fine, 1, 10},
		{"square at standard", 100, 100, Standard, 1, 10},
		{"square at superfine", 100, 100, Superfine, 1, 10},
		{"wide at standard", 300, 100, Standard, 3, 10},
		{"tall at fine", 100, 400, Fine, 0.25, 10},
		{"tiny upscaled", 3, 2, Fine, 1.5, 0},
		{"one pixel", 1, 1, Standard, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := image.NewNRGBA(image.Rect(0, 0, tc.w+2*tc.border, tc.h+2*tc.border))
			for y := tc.border; y < tc.h+tc.border; y++ {
				for x := tc.border; x < tc.w+tc.border; x++ {
					img.Set(x, y, color.Black)
				}
			}
			pages := renderMust(t, "shape.png", renderEncode(t, "png", img), RenderOptions{Res: tc.res})
			p := pages[0]
			bb := renderBBox(p)
			if bb.Empty() {
				t.Fatal("nothing black")
			}
			wIn, hIn := float64(bb.Dx())/tc.res.X, float64(bb.Dy())/tc.res.Y
			if got := wIn / hIn; math.Abs(got-tc.aspect)/tc.aspect > 0.02 {
				t.Errorf("black area %.2fx%.2f in, aspect %.3f, want %.3f", wIn, hIn, got, tc.aspect)
			}
			// Centred horizontally (the transparent border is symmetric).
			if l, r := bb.Min.X, p.Width-bb.Max.X; abs(l-r) > 3 {
				t.Errorf("black area %v is not centred (%d left, %d right)", bb, l, r)
			}
			// Inside, away from the edges that scaling blurs into grey.
			inner := image.Rect(bb.Min.X+bb.Dx()/4, bb.Min.Y+bb.Dy()/4, bb.Max.X-bb.Dx()/4, bb.Max.Y-bb.Dy()/4)
			if f := renderBlackFraction(p, inner); f < 0.999 {
				t.Errorf("black area only %.3f black", f)
			}
		})
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// renderPNGHeader builds a PNG whose header claims w x h 8-bit greyscale
// and whose data is n rows of zero bytes (filter None, black).
func renderPNGHeader(t *testing.T, w, h, rows int) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8
	writePNGChunk(&b, "IHDR", ihdr[:])
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	row := make([]byte, 1+w)
	for i := range w {
		row[1+i] = byte(i) // a left-to-right ramp
	}
	for range rows {
		zw.Write(row)
	}
	zw.Close()
	writePNGChunk(&b, "IDAT", z.Bytes())
	writePNGChunk(&b, "IEND", nil)
	return b.Bytes()
}

// TestRenderLargeImage renders a 10000 x 10000 scan: one page, in bounded
// time (the resampler streams rows), and refuses a larger one before
// decoding it.
func TestRenderLargeImage(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 100 megapixels")
	}
	data := renderPNGHeader(t, 10000, 10000, 10000)
	start := time.Now()
	pages := renderMust(t, "big.png", data, RenderOptions{})
	if len(pages) != 1 || renderBBox(pages[0]).Dx() < 1500 {
		t.Fatalf("%d pages, black area %v", len(pages), renderBBox(pages[0]))
	}
	t.Logf("10000x10000 PNG rendered in %v", time.Since(start))

	_, err := Render(context.Background(), "huge.png", renderPNGHeader(t, 20000, 20000, 1), RenderOptions{})
	if !errors.Is(err, ErrImageTooLarge) {
		t.Fatalf("20000x20000 PNG: %v, want ErrImageTooLarge", err)
	}
	// 10000 x 10000 16-bit RGBA would decode to 800 MB: refused from the header.
	deep := renderPNGHeader(t, 10000, 10000, 1)
	deep[8+8+8], deep[8+8+9] = 16, 6 // IHDR bit depth and colour type
	binary.BigEndian.PutUint32(deep[8+8+13:], crc32.ChecksumIEEE(deep[8+4:8+8+13]))
	if _, err := Render(context.Background(), "deep.png", deep, RenderOptions{}); !errors.Is(err, ErrImageTooLarge) {
		t.Fatalf("10000x10000 RGBA64 PNG: %v, want ErrImageTooLarge", err)
	}
}

// TestRenderBadInput: every kind of bad document gives an error that says
// what is wrong, quickly, without a panic.
func TestRenderBadInput(t *testing.T) {
	tiffData := renderEncode(t, "tiff", renderUniform(50, 50, color.White))
	var manyPDF bytes.Buffer
	small := patternPage(t, 1728, 100, Standard, 3)
	if err := WritePDF(&manyPDF, []*Page{small, small, small, small, small, small, small, small}, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		opt  RenderOptions
		want error  // nil: any error
		msg  string // part of the message
		gs   bool   // needs ghostscript
	}{
		{name: "empty", data: nil, want: ErrEmptyDocument},
		{name: "only blank lines", data: []byte("\n\n  \n\f\n"), want: ErrEmptyDocument},
		{name: "binary garbage", data: []byte("\x00\x9f\x13\x37\xde\xad\xbe\xef\x00\x01\x02"), want: ErrUnknownFormat},
		{name: "truncated TIFF", data: tiffData[:len(tiffData)/2], msg: "TIFF"},
		{name: "TIFF header only", data: []byte("II*\x00\x08\x00\x00\x00"), msg: "TIFF"},
		{name: "TIFF with IFD past the end", data: []byte("II*\x00\xff\xff\xff\x7f"), msg: "TIFF"},
		{name: "truncated PNG", data: renderPNGHeader(t, 100, 100, 100)[:60], msg: "image"},
		{name: "zero-width PNG", data: renderPNGHeader(t, 0, 10, 0), msg: "image"},
		{name: "zero-size GIF", data: []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00;"), msg: "image"},
		{name: "JPEG header only", data: []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), msg: "image"},
		{name: "too many text pages", data: bytes.Repeat([]byte("x\n"), 64*3+1), opt: RenderOptions{MaxPages: 3}, want: ErrTooManyPages},
		{name: "corrupt PDF", data: []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), msg: "ghostscript", gs: true},
		{name: "PDF header then garbage", data: append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0xde, 0xad}, 500)...), msg: "ghostscript", gs: true},
		{name: "PostScript error", data: []byte("%!PS\n/foo bar baz\n"), msg: "ghostscript", gs: true},
		{name: "PostScript loops forever", data: []byte("%!PS\n{} loop\n"), opt: RenderOptions{Timeout: time.Second}, want: context.DeadlineExceeded, gs: true},
		{name: "PDF of many pages", data: manyPDF.Bytes(), opt: RenderOptions{MaxPages: 5}, want: ErrTooManyPages, gs: true},
		{name: "PostScript of many pages", data: []byte("%!PS\n1 1 1000 { pop showpage } for\n"), opt: RenderOptions{MaxPages: 5}, want: ErrTooManyPages, gs: true},
		{name: "no ghostscript", data: []byte("%!PS\nshowpage\n"), opt: RenderOptions{GhostscriptPath: "/nonexistent/gs"}, want: ErrNoGhostscript},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.gs {
				peer.Require(t, "gs", "ghostscript")
			}
			start := time.Now()
			pages, err := Render(context.Background(), "bad", tc.data, tc.opt)
			if err == nil {
				t.Fatalf("Render succeeded with %d pages, want an error", len(pages))
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %q, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			t.Logf("%v", err)
		})
	}
}

// TestRenderGhostscript renders PostScript and PDF through gs: page count,
// page size, where the ink lands, and a PDF of fax pages written by
// WritePDF coming back pixel for pixel (same size, so gs does not scale).
func TestRenderGhostscript(t *testing.T) {
	peer.Require(t, "gs", "ghostscript")
	// A 1 x 1 in black square 1 in from the left and 2 in from the top
	// of a Letter page, on three pages.
	ps := []byte("%!PS-Adobe-3.0\n<< /PageSize [612 792] >> setpagedevice\n" +
		"1 1 3 { pop newpath 72 576 moveto 72 0 rlineto 0 72 rlineto -72 0 rlineto closepath fill showpage } for\n")
	pages := renderMust(t, "box.ps", ps, RenderOptions{Res: Standard, Paper: Letter})
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	p := pages[0]
	if p.Width != 1728 || p.Height != 1078 || p.Res != Standard {
		t.Fatalf("page %dx%d %v, want 1728x1078 standard", p.Width, p.Height, p.Res)
	}
	bb := renderBBox(p)
	// Letter (8.5 in) is narrower than the fax line (8.47 in) by a hair:
	// fitted, the scale is within 0.5% of 1, so allow 2% of an inch.
	wIn, hIn := float64(bb.Dx())/204, float64(bb.Dy())/98
	if math.Abs(wIn-1) > 0.02 || math.Abs(hIn-1) > 0.03 {
		t.Errorf("square is %.3fx%.3f in, want 1x1 (box %v)", wIn, hIn, bb)
	}
	if x, y := float64(bb.Min.X)/204, float64(bb.Min.Y)/98; math.Abs(x-1) > 0.05 || math.Abs(y-2) > 0.05 {
		t.Errorf("square at (%.2f, %.2f) in, want (1, 2)", x, y)
	}

	// WritePDF -> Render: the PDF page is the fax page's size; A4 at fine
	// is 2292 rows, so gs fits it at scale 1.
	orig := patternPage(t, 1728, 2292, Fine, 9)
	var buf bytes.Buffer
	if err := WritePDF(&buf, []*Page{orig, orig}, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	back := renderMust(t, "fax.pdf", buf.Bytes(), RenderOptions{Res: Fine})
	if len(back) != 2 {
		t.Fatalf("%d pages, want 2", len(back))
	}
	if d := diffPages(back[1], orig); d != "" {
		t.Errorf("WritePDF then Render: %s", d)
	}
}

func TestRenderTIFFImage(t *testing.T) {
	// A colour TIFF (not bilevel) goes through x/image/tiff and dithering.
	img := renderUniform(200, 100, color.RGBA{0, 0, 0, 255})
	pages := renderMust(t, "photo.tif", renderEncode(t, "tiff", img), RenderOptions{Res: Standard})
	bb := renderBBox(pages[0])
	if got := (float64(bb.Dx()) / 204) / (float64(bb.Dy()) / 98); math.Abs(got-2) > 0.04 {
		t.Errorf("aspect %.3f, want 2", got)
	}
}

func BenchmarkRenderText(b *testing.B) {
	data := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. 0123456789 ()[]{}<>!?\n"), 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(context.Background(), "b.txt", data, RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderPhoto(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for y := 0; y < 1200; y++ {
		for x := 0; x < 1600; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(context.Background(), "b.jpg", buf.Bytes(), RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRenderFaxTIFF: a fax TIFF passes through pixel for pixel at its own
// resolution (whatever opt.Res says); a bilevel TIFF of another size is
// fitted like an image; a truncated fax TIFF is an error.
func TestRenderFaxTIFF(t *testing.T) {
	fax := []*Page{patternPage(t, 1728, 1100, Standard, 1), patternPage(t, 2048, 2200, Fine, 2)}
	var buf bytes.Buffer
	if err := WriteTIFF(&buf, fax, TIFFOptions{Compression: MMR}); err != nil {
		t.Fatal(err)
	}
	pages := renderMust(t, "fax.tif", buf.Bytes(), RenderOptions{Res: Superfine})
	if len(pages) != len(fax) {
		t.Fatalf("%d pages, want %d", len(pages), len(fax))
	}
	for i := range fax {
		if d := diffPages(pages[i], fax[i]); d != "" || pages[i].Res != fax[i].Res {
			t.Errorf("page %d: %s, res %v want %v", i+1, d, pages[i].Res, fax[i].Res)
		}
	}

	_, err := Render(context.Background(), "cut.tif", buf.Bytes()[:buf.Len()*2/3], RenderOptions{})
	if err == nil || !strings.Contains(err.Error(), "TIFF") {
		t.Errorf("truncated fax TIFF: %v, want a TIFF error", err)
	}

	// A 300 dpi Letter scan with a 1 x 1 in square: fitted to the fax
	// page, the square stays square in inches.
	scan, _ := NewPage(2550, 3300, R300)
	for y := 600; y < 900; y++ {
		for x := 300; x < 600; x++ {
			scan.Set(x, y, true)
		}
	}
	buf.Reset()
	if err := WriteTIFF(&buf, []*Page{scan}, TIFFOptions{Compression: MMR}); err != nil {
		t.Fatal(err)
	}
	pages = renderMust(t, "scan.tif", buf.Bytes(), RenderOptions{Res: Standard})
	p := pages[0]
	if p.Width != 1728 || p.Res != Standard {
		t.Fatalf("scan rendered %dx%d at %v", p.Width, p.Height, p.Res)
	}
	bb := renderBBox(p)
	if got := (float64(bb.Dx()) / 204) / (float64(bb.Dy()) / 98); math.Abs(got-1) > 0.03 {
		t.Errorf("square's aspect %.3f, want 1 (box %v)", got, bb)
	}
}
