package t4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/peer"
)

// patternPage draws a deterministic page with what fax pages contain:
// blank space, text-like blocks of short runs, long horizontal and vertical
// strokes, a diagonal, and single isolated pixels at the corners (the first
// thing a renderer that is off by one pixel would lose).
func patternPage(t testing.TB, width, height int, res Resolution, seed uint64) *Page {
	t.Helper()
	p, err := NewPage(width, height, res)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for y := height / 10; y < height/2; y++ {
		if (y/12)%3 == 2 {
			continue // line spacing
		}
		for x := width / 10; x < width*9/10; x++ {
			if r.IntN(3) == 0 {
				p.Set(x, y, true)
			}
		}
	}
	for x := 0; x < width; x++ {
		p.Set(x, height*3/5, true)
	}
	for y := height / 2; y < height; y++ {
		p.Set(width/3, y, true)
		p.Set(width/3+1, y, true)
		if x := (y - height/2) * width / height; x < width {
			p.Set(x, y, true)
		}
	}
	p.Set(0, 0, true)
	p.Set(width-1, 0, true)
	p.Set(0, height-1, true)
	p.Set(width-1, height-1, true)
	return p
}

func TestWritePDFErrors(t *testing.T) {
	good := patternPage(t, 64, 32, Fine, 1)
	tests := []struct {
		name  string
		pages []*Page
		want  error
	}{
		{"no pages", nil, ErrNoPages},
		{"nil page", []*Page{good, nil}, nil},
		{"zero height", []*Page{{Width: 8, Height: 0, Res: Fine, Stride: 1}}, ErrDimension},
		{"zero resolution", []*Page{{Width: 8, Height: 1, Stride: 1, Pix: []byte{0}}}, nil},
		{"short buffer", []*Page{{Width: 16, Height: 4, Res: Fine, Stride: 2, Pix: []byte{0}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WritePDF(&buf, tc.pages, PDFOptions{})
			if err == nil {
				t.Fatal("WritePDF succeeded, want an error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// TestWritePDFDeterministic checks that a fixed Time gives byte-identical
// documents (what golden files and reproducible archives need), and that
// the properties are recorded.
func TestWritePDFDeterministic(t *testing.T) {
	pages := []*Page{patternPage(t, 1728, 200, Fine, 7)}
	opt := PDFOptions{Title: "Fax from +1 555 0100", Author: "softfax test", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	var a, b bytes.Buffer
	if err := WritePDF(&a, pages, opt); err != nil {
		t.Fatal(err)
	}
	if err := WritePDF(&b, pages, opt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two writes of the same pages differ")
	}
	for _, want := range []string{"%PDF-1.", "/Title", "/Author", "D:20260102030405", "/Width 1728", "/BitsPerComponent 1", "/FlateDecode"} {
		if !bytes.Contains(a.Bytes(), []byte(want)) {
			t.Errorf("pdf lacks %q", want)
		}
	}
}

// TestPNGEncoderRoundTrip decodes the embedded PNG stream with image/png,
// independently of any PDF reader.
func TestPNGEncoderRoundTrip(t *testing.T) {
	for _, width := range []int{1, 7, 8, 9, 1728, 1731} {
		p := patternPage(t, width, 50, Fine, uint64(width))
		var e pngEncoder
		data, err := e.encode(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := decodePNGForTest(data)
		if err != nil {
			t.Fatalf("width %d: %v", width, err)
		}
		for y := 0; y < p.Height; y++ {
			for x := 0; x < p.Width; x++ {
				if black := img.GrayAt(x, y).Y == 0; black != p.Black(x, y) {
					t.Fatalf("width %d: pixel (%d,%d) black=%v, want %v", width, x, y, black, p.Black(x, y))
				}
			}
		}
	}
}

// TestPDFInterop is the acceptance test: pdfinfo reads the page count and
// the physical page size, and pdftoppm renders every page back, at the
// page's own (possibly non-square) resolution, to exactly the fax raster.
// Exactness holds because each image sample maps to one device pixel at
// that resolution; no tolerance is needed, so none is allowed.
func TestPDFInterop(t *testing.T) {
	pdfinfo := peer.Require(t, "pdfinfo", "poppler-utils")
	pdftoppm := peer.Require(t, "pdftoppm", "poppler-utils")
	pages := []*Page{
		patternPage(t, 1728, 1145, Standard, 1), // A4 at standard, pages of other sizes mixed in
		patternPage(t, 1728, 2290, Fine, 2),
		patternPage(t, 1728, 4500, Superfine, 3),
		patternPage(t, 2048, 700, Fine, 4),
		patternPage(t, 2432, 333, R400, 5),
		patternPage(t, 1000, 777, R300, 6),
		patternPage(t, 1728, 3, Standard, 7),
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "fax.pdf")
	var buf bytes.Buffer
	if err := WritePDF(&buf, pages, PDFOptions{Title: "interop"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, pdfinfo, "-f", "1", "-l", strconv.Itoa(len(pages)), path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	info := string(out)
	if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info); m == nil || m[1] != strconv.Itoa(len(pages)) {
		t.Fatalf("pdfinfo pages: %v\n%s", m, info)
	}
	sizeRE := regexp.MustCompile(`(?m)^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts`)
	sizes := sizeRE.FindAllStringSubmatch(info, -1)
	if len(sizes) != len(pages) {
		t.Fatalf("pdfinfo lists %d page sizes, want %d\n%s", len(sizes), len(pages), info)
	}
	for i, p := range pages {
		wIn, hIn := p.PhysicalSize()
		gw, _ := strconv.ParseFloat(sizes[i][2], 64)
		gh, _ := strconv.ParseFloat(sizes[i][3], 64)
		// The size is rounded down to the 1/100 pt gofpdf writes.
		if d := wIn*72 - gw; d < 0 || d > 0.0101 {
			t.Errorf("page %d: width %g pts, want %.4f", i+1, gw, wIn*72)
		}
		if d := hIn*72 - gh; d < 0 || d > 0.0101 {
			t.Errorf("page %d: %gx%g pts, want %.2fx%.2f", i+1, gw, gh, wIn*72, hIn*72)
		}
		prefix := filepath.Join(dir, fmt.Sprintf("p%d", i+1))
		cmd := exec.CommandContext(ctx, pdftoppm, "-mono", "-f", strconv.Itoa(i+1), "-l", strconv.Itoa(i+1),
			"-rx", strconv.FormatFloat(p.Res.X, 'f', -1, 64), "-ry", strconv.FormatFloat(p.Res.Y, 'f', -1, 64),
			"-singlefile", path, prefix)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		data, err := os.ReadFile(prefix + ".pbm")
		if err != nil {
			t.Fatal(err)
		}
		got, err := parsePBM(data, p.Res)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffPages(got, p); d != "" {
			t.Errorf("page %d (%gx%g dpi) rendered by pdftoppm: %s", i+1, p.Res.X, p.Res.Y, d)
		}
	}
}

// diffPages describes how two pages differ, or returns "".
func diffPages(got, want *Page) string {
	if got.Width != want.Width || got.Height != want.Height {
		return fmt.Sprintf("size %dx%d, want %dx%d", got.Width, got.Height, want.Width, want.Height)
	}
	n, first := 0, ""
	for y := 0; y < want.Height; y++ {
		for x := 0; x < want.Width; x++ {
			if got.Black(x, y) != want.Black(x, y) {
				if n == 0 {
					first = fmt.Sprintf("(%d,%d)", x, y)
				}
				n++
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d pixels differ, first at %s", n, want.Width*want.Height, first)
}

// pageASCII draws part of a page for failure messages.
func pageASCII(p *Page, x0, y0, w, h int) string {
	var b strings.Builder
	for y := y0; y < y0+h && y < p.Height; y++ {
		for x := x0; x < x0+w && x < p.Width; x++ {
			if p.Black(x, y) {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func BenchmarkWritePDF(b *testing.B) {
	pages := []*Page{patternPage(b, 1728, 2290, Fine, 1)}
	b.ReportAllocs()
	for b.Loop() {
		if err := WritePDF(io.Discard, pages, PDFOptions{Time: time.Unix(0, 0)}); err != nil {
			b.Fatal(err)
		}
	}
}

func decodePNGForTest(data []byte) (*image.Gray, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	g, ok := img.(*image.Gray)
	if !ok {
		return nil, fmt.Errorf("decoded %T, want *image.Gray", img)
	}
	return g, nil
}

// TestPDFSizeVsTiff2pdf measures our PDF against tiff2pdf's of the same
// pages as a G4 TIFF (tiff2pdf embeds the G4 data as CCITTFaxDecode;
// gofpdf can only embed Flate). It logs the ratio and fails if ours grows
// past twice theirs, which would mean the PNG filtering or deflate level
// regressed.
func TestPDFSizeVsTiff2pdf(t *testing.T) {
	tiff2pdf := peer.Require(t, "tiff2pdf", "libtiff-tools")
	text, err := os.ReadFile("../testdata/sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	// A full page of words in random order: repeated lines would flatter
	// deflate, which finds them, against G4, which codes each row anew.
	words := strings.Fields("the quick brown fox jumps over lazy dog facsimile page line modem T.30 T.4 T.6 receive transmit resolution")
	r := rand.New(rand.NewPCG(1, 2))
	var dense strings.Builder
	for range 64 {
		n := 0
		for n < 70 {
			w := words[r.IntN(len(words))]
			dense.WriteString(w + " ")
			n += len(w) + 1
		}
		dense.WriteString("\n")
	}
	for _, tc := range []struct {
		name string
		doc  []byte
	}{{"sample.txt", text}, {"dense text", []byte(dense.String())}} {
		pages, err := Render(context.Background(), tc.name, tc.doc, RenderOptions{Res: Fine})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var tif, pdf bytes.Buffer
		if err := WriteTIFF(&tif, pages, TIFFOptions{Compression: MMR}); err != nil {
			t.Fatal(err)
		}
		if err := WritePDF(&pdf, pages, PDFOptions{}); err != nil {
			t.Fatal(err)
		}
		in, out := filepath.Join(dir, "in.tif"), filepath.Join(dir, "out.pdf")
		if err := os.WriteFile(in, tif.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(tiff2pdf, "-o", out, in).CombinedOutput(); err != nil {
			t.Fatalf("tiff2pdf: %v\n%s", err, b)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		ratio := float64(pdf.Len()) / float64(st.Size())
		t.Logf("%s: softfax PDF %d bytes, tiff2pdf of G4 TIFF %d bytes: ratio %.2f", tc.name, pdf.Len(), st.Size(), ratio)
		if ratio > 2 {
			t.Errorf("%s: our PDF is %.2f times tiff2pdf's", tc.name, ratio)
		}
	}
}
