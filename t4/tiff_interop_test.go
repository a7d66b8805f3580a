package t4

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/tiff"

	"github.com/softfax/softfax/internal/peer"
)

// Interoperability with libtiff (tiffinfo, tiffcp) and ghostscript's fax
// devices: the programs that write most of the TIFF Class F files softfax
// will meet, and the library every other reader is built on.

// tiffRun runs a program and returns its stdout and stderr; a non-zero
// exit fails the test.
func tiffRun(t *testing.T, prog string, args ...string) (stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(prog, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, e.String())
	}
	return o.String(), e.String()
}

// tiffReadFile reads a TIFF file with ReadTIFF.
func tiffReadFile(t *testing.T, path string) []TIFFPage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := readTIFFBytes(b)
	if err != nil {
		t.Fatalf("ReadTIFF(%s): %v", filepath.Base(path), err)
	}
	return pages
}

// tiffLibtiffDecode decodes every page of path with libtiff: tiffcp turns
// it into an uncompressed MSB-first TIFF, which is read back raw. The raw
// reading is itself checked against golang.org/x/image/tiff on page one.
func tiffLibtiffDecode(t *testing.T, path string) []TIFFPage {
	t.Helper()
	tiffcp := peer.Require(t, "tiffcp", "libtiff-tools")
	raw := filepath.Join(t.TempDir(), "raw.tif")
	tiffRun(t, tiffcp, "-c", "none", "-f", "msb2lsb", path, raw)
	pages := tiffReadFile(t, raw)
	for _, p := range pages {
		if p.Compression != 0 {
			t.Fatalf("tiffcp -c none wrote compression %v", p.Compression)
		}
	}
	f, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := tiff.Decode(f)
	if err != nil {
		t.Fatalf("x/image/tiff: %v", err)
	}
	if d := tiffSameImage(pages[0].Page, img); d != "" {
		t.Fatalf("our raw reading of libtiff's output disagrees with x/image/tiff: %s", d)
	}
	return pages
}

// tiffSameImage compares a page with a decoded bilevel image.
func tiffSameImage(p *Page, img image.Image) string {
	b := img.Bounds()
	if b.Dx() != p.Width || b.Dy() != p.Height {
		return fmt.Sprintf("size %dx%d, page %dx%d", b.Dx(), b.Dy(), p.Width, p.Height)
	}
	for y := range p.Height {
		for x := range p.Width {
			r, _, _, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if black := r < 0x8000; black != p.Black(x, y) {
				return fmt.Sprintf("pixel (%d,%d)", x, y)
			}
		}
	}
	return ""
}

// tiffCheckTiffinfo runs tiffinfo -D and fails on any warning or error.
func tiffCheckTiffinfo(t *testing.T, path string, pages int) {
	t.Helper()
	tiffinfo := peer.Require(t, "tiffinfo", "libtiff-tools")
	out, stderr := tiffRun(t, tiffinfo, "-D", path)
	if stderr != "" {
		t.Errorf("tiffinfo -D complains:\n%s", stderr)
	}
	if n := strings.Count(out, "TIFF Directory at offset"); n != pages {
		t.Errorf("tiffinfo sees %d directories, want %d:\n%s", n, pages, out)
	}
}

// TestTIFFInteropWrite writes pages in every coding, fill order and
// resolution, and checks that libtiff accepts the files without a warning
// and decodes exactly our pixels.
func TestTIFFInteropWrite(t *testing.T) {
	type config struct {
		name string
		opt  TIFFOptions
		res  []Resolution
		w    []int
	}
	var configs []config
	for _, c := range []Compression{MH, MR, MMR} {
		for _, fill := range []int{1, 2} {
			for _, align := range []bool{false, true} {
				if align && c == MMR {
					continue
				}
				configs = append(configs, config{
					name: fmt.Sprintf("%v fill%d align%v", c, fill, align),
					opt:  TIFFOptions{Compression: c, FillOrder: fill, AlignEOL: align},
					res:  []Resolution{Fine, Standard, Superfine},
					w:    []int{WidthA4, WidthB4, WidthA3},
				})
			}
		}
	}
	configs = append(configs,
		config{name: "MR K1", opt: TIFFOptions{Compression: MR, K: 1}, res: []Resolution{Fine}, w: []int{WidthA4}},
		config{name: "MR K8 300", opt: TIFFOptions{Compression: MR, K: 8}, res: []Resolution{R300}, w: []int{2480}},
		config{name: "MMR 400", opt: TIFFOptions{Compression: MMR}, res: []Resolution{R400}, w: []int{3307}},
		config{name: "MH 400 odd width", opt: TIFFOptions{Compression: MH}, res: []Resolution{R400}, w: []int{1001}},
		config{name: "MH RTC", opt: TIFFOptions{Compression: MH, RTC: true}, res: []Resolution{Fine, Standard}, w: []int{WidthA4, WidthA4}},
		config{name: "MR RTC fill2 align", opt: TIFFOptions{Compression: MR, RTC: true, FillOrder: 2, AlignEOL: true}, res: []Resolution{Fine, Standard}, w: []int{WidthA4, WidthB4}},
	)
	dir := t.TempDir()
	for i, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			var pages []*Page
			for j, res := range cfg.res {
				pages = append(pages, tiffTestPage(t, cfg.w[j], 150+20*j, res, uint64(10*i+j)))
			}
			cfg.opt.Time = time.Date(2026, 11, 26, 6, 30, 0, 0, time.UTC)
			var b bytes.Buffer
			if err := WriteTIFF(&b, pages, cfg.opt); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, fmt.Sprintf("w%d.tif", i))
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			tiffCheckTiffinfo(t, path, len(pages))
			lib := tiffLibtiffDecode(t, path)
			if len(lib) != len(pages) {
				t.Fatalf("libtiff decodes %d pages, want %d", len(lib), len(pages))
			}
			for j := range pages {
				if d := tiffSamePage(lib[j].Page, pages[j]); d != "" {
					t.Errorf("page %d: libtiff decodes differently: %s", j+1, d)
				}
				if lib[j].Res != pages[j].Res {
					t.Errorf("page %d: libtiff sees resolution %v, want %v", j+1, lib[j].Res, pages[j].Res)
				}
			}
		})
	}
}

// TestTIFFInteropTiffcp reads files libtiff's tiffcp codes from an
// uncompressed TIFF: G3 1-D and 2-D, G4, FillOrder 2 with EOL alignment
// (the HylaFAX and efax style), big-endian, several strips a page.
func TestTIFFInteropTiffcp(t *testing.T) {
	tiffcp := peer.Require(t, "tiffcp", "libtiff-tools")
	pages := []*Page{
		tiffTestPage(t, WidthA4, 300, Fine, 1),
		tiffTestPage(t, WidthB4, 150, Fine, 2),
		tiffTestPage(t, WidthA3, 120, Fine, 3),
	}
	dir := t.TempDir()
	// The same pages stored WhiteIsZero and BlackIsZero: libtiff codes the
	// raw samples, so the second gives fax data with colours swapped.
	var srcs []string
	for ph := range uint16(2) {
		src := filepath.Join(dir, fmt.Sprintf("src%d.tif", ph))
		if err := os.WriteFile(src, tiffRawFile(pages, tiffRawOptions{photometric: ph, resUnit: 2, xres: [2]uint32{204, 1}, yres: [2]uint32{196, 1}}), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	tests := []struct {
		args []string
		want Compression
	}{
		{[]string{"-c", "g3"}, MH},
		{[]string{"-c", "g3:2d"}, MR},
		{[]string{"-c", "g4"}, MMR},
		{[]string{"-f", "lsb2msb", "-c", "g3:1d:fill"}, MH},
		{[]string{"-f", "lsb2msb", "-c", "g3:2d:fill"}, MR},
		{[]string{"-f", "lsb2msb", "-c", "g4"}, MMR},
		{[]string{"-B", "-c", "g3:2d", "-r", "37"}, MR},
		{[]string{"-B", "-f", "lsb2msb", "-c", "g4", "-r", "64"}, MMR},
		{[]string{"-c", "g3:1d", "-r", "1"}, MH},
	}
	for i, tc := range tests {
		for ph, src := range srcs {
			t.Run(fmt.Sprintf("%s photometric %d", strings.Join(tc.args, " "), ph), func(t *testing.T) {
				path := filepath.Join(dir, fmt.Sprintf("c%d-%d.tif", i, ph))
				tiffRun(t, tiffcp, append(append([]string{}, tc.args...), src, path)...)
				got := tiffReadFile(t, path)
				lib := tiffLibtiffDecode(t, path)
				if len(got) != len(pages) || len(lib) != len(pages) {
					t.Fatalf("%d pages, libtiff %d, want %d", len(got), len(lib), len(pages))
				}
				for j := range pages {
					if d := tiffSamePage(got[j].Page, lib[j].Page); d != "" {
						t.Errorf("page %d: ours and libtiff's differ: %s", j+1, d)
					}
					if d := tiffSamePage(got[j].Page, pages[j]); d != "" {
						t.Errorf("page %d: differs from the source: %s", j+1, d)
					}
					if got[j].Compression != tc.want || got[j].Res != Fine {
						t.Errorf("page %d: %v at %v, want %v at %v", j+1, got[j].Compression, got[j].Res, tc.want, Fine)
					}
					if got[j].Stats.BadRows != 0 || got[j].Stats.Rows != pages[j].Height {
						t.Errorf("page %d: stats %+v", j+1, got[j].Stats)
					}
				}
			})
		}
	}
}

// tiffTestPostScript is a three-page document for ghostscript: text,
// rules, a filled box and a circle on each page.
func tiffTestPostScript(pages int) string {
	var b strings.Builder
	b.WriteString("%!PS\n/Helvetica findfont 14 scalefont setfont\n")
	for i := range pages {
		fmt.Fprintf(&b, "72 %d moveto (softfax TIFF interop page %d: The quick brown fox 0123456789) show\n", 180-10*i, i+1)
		fmt.Fprintf(&b, "2 setlinewidth 36 100 moveto 560 %d lineto stroke\n", 40+30*i)
		fmt.Fprintf(&b, "%d 30 60 40 rectfill\n", 100+50*i)
		fmt.Fprintf(&b, "newpath 450 120 %d 0 360 arc stroke\nshowpage\n", 20+5*i)
	}
	return b.String()
}

// TestTIFFInteropGhostscript reads what ghostscript's three fax devices
// write (gs pads every page to 1728 pixels) and compares with libtiff.
func TestTIFFInteropGhostscript(t *testing.T) {
	gs := peer.Require(t, "gs", "ghostscript")
	dir := t.TempDir()
	ps := filepath.Join(dir, "doc.ps")
	if err := os.WriteFile(ps, []byte(tiffTestPostScript(3)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		device, res string
		want        Compression
		wantRes     Resolution
	}{
		{"tiffg3", "204x196", MH, Fine},
		{"tiffg32d", "204x196", MR, Fine},
		{"tiffg4", "204x196", MMR, Fine},
		{"tiffg3", "204x98", MH, Standard},
		{"tiffg32d", "204x391", MR, Superfine},
	}
	for _, tc := range tests {
		t.Run(tc.device+" "+tc.res, func(t *testing.T) {
			path := filepath.Join(dir, tc.device+tc.res+".tif")
			tiffRun(t, gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE="+tc.device, "-r"+tc.res,
				"-dDEVICEWIDTHPOINTS=612", "-dDEVICEHEIGHTPOINTS=216", "-dFIXEDMEDIA",
				"-sOutputFile="+path, ps)
			got := tiffReadFile(t, path)
			lib := tiffLibtiffDecode(t, path)
			if len(got) != 3 || len(lib) != 3 {
				t.Fatalf("%d pages, libtiff %d, want 3", len(got), len(lib))
			}
			for j := range got {
				if d := tiffSamePage(got[j].Page, lib[j].Page); d != "" {
					t.Errorf("page %d: ours and libtiff's differ: %s", j+1, d)
				}
				if got[j].Width != WidthA4 || got[j].Compression != tc.want || got[j].Res != tc.wantRes {
					t.Errorf("page %d: %d wide, %v at %v; want %d, %v at %v", j+1, got[j].Width, got[j].Compression, got[j].Res, WidthA4, tc.want, tc.wantRes)
				}
				if got[j].Stats.BadRows != 0 {
					t.Errorf("page %d: %d bad rows", j+1, got[j].Stats.BadRows)
				}
				if tiffBlackPixels(got[j].Page) < 1000 {
					t.Errorf("page %d: only %d black pixels; did gs draw it?", j+1, tiffBlackPixels(got[j].Page))
				}
			}
		})
	}
}

func tiffBlackPixels(p *Page) int {
	n := 0
	for _, b := range p.Pix {
		for ; b != 0; b &= b - 1 {
			n++
		}
	}
	return n
}

// tiffWritePBM stores a page as a binary PBM, the format efix reads.
func tiffWritePBM(t *testing.T, path string, p *Page) {
	t.Helper()
	b := append([]byte(fmt.Sprintf("P4\n%d %d\n", p.Width, p.Height)), p.Pix...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTIFFInteropEfax exchanges files with efax's efix: it reads the G3
// TIFFs efix writes, and efix reads the MH TIFFs we write (efix knows 1-D
// coding only), in both fill orders, with and without EOL alignment.
func TestTIFFInteropEfax(t *testing.T) {
	efix := peer.Require(t, "efix", "efax")
	dir := t.TempDir()
	page := tiffTestPage(t, WidthA4, 240, Fine, 9)

	t.Run("efix writes", func(t *testing.T) {
		pbm, tif := filepath.Join(dir, "in.pbm"), filepath.Join(dir, "efix.tif")
		tiffWritePBM(t, pbm, page)
		tiffRun(t, efix, "-i", "pbm", "-o", "tiffg3", "-n", tif, pbm)
		got := tiffReadFile(t, tif)
		if len(got) != 1 {
			t.Fatalf("%d pages, want 1", len(got))
		}
		if d := tiffSamePage(got[0].Page, page); d != "" {
			t.Errorf("page differs: %s", d)
		}
		if got[0].Compression != MH || got[0].Res != Fine || got[0].Stats.BadRows != 0 {
			t.Errorf("%v at %v, stats %+v; want MH at %v, no bad rows", got[0].Compression, got[0].Res, got[0].Stats, Fine)
		}
	})
	for _, opt := range []TIFFOptions{{Compression: MH, RTC: true}, {Compression: MH, FillOrder: 2, AlignEOL: true, RTC: true}} {
		t.Run(fmt.Sprintf("efix reads fill%d align%v", opt.FillOrder, opt.AlignEOL), func(t *testing.T) {
			tif, pbm := filepath.Join(dir, "ours.tif"), filepath.Join(dir, "out.pbm")
			var b bytes.Buffer
			if err := WriteTIFF(&b, []*Page{page}, opt); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(tif, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			tiffRun(t, efix, "-i", "tiffg3", "-o", "pbm", "-n", pbm, tif)
			data, err := os.ReadFile(pbm)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parsePBM(data, Fine)
			if err != nil {
				t.Fatal(err)
			}
			if d := tiffSamePage(got, page); d != "" {
				t.Errorf("efix decodes differently: %s", d)
			}
		})
	}
}

// tiffStripsOf returns the coded bytes of each page of a one-strip-a-page
// file.
func tiffStripsOf(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := &tiffFile{r: bytes.NewReader(b), size: int64(len(b))}
	if err := f.readHeader(); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for off := f.firstIFD; off != 0; {
		d, next, err := f.readIFD(off)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := f.uint(d, tiffTagImageLength, 0)
		s, err := f.strips(d, int(h))
		if err != nil || len(s) != 1 {
			t.Fatalf("%s: %d strips, %v", path, len(s), err)
		}
		out = append(out, b[s[0].offset:s[0].offset+s[0].count])
		off = next
	}
	return out
}

// TestTIFFInteropSameStripsAsLibtiff checks that WriteTIFF codes every
// page exactly as libtiff does (tiffcp from the same pixels): the same
// EOLs, fill bits, K, make-up codes and EOFB, byte for byte.
func TestTIFFInteropSameStripsAsLibtiff(t *testing.T) {
	tiffcp := peer.Require(t, "tiffcp", "libtiff-tools")
	dir := t.TempDir()
	fine := []*Page{tiffTestPage(t, WidthA4, 200, Fine, 21), tiffTestPage(t, WidthA3, 100, Fine, 22)}
	std := []*Page{tiffTestPage(t, WidthA4, 100, Standard, 23), tiffTestPage(t, WidthB4, 100, Standard, 24)}
	for _, tc := range []struct {
		name  string
		pages []*Page
		opt   TIFFOptions
		args  []string
	}{
		{"MH", fine, TIFFOptions{Compression: MH}, []string{"-c", "g3:1d"}},
		{"MH fill", std, TIFFOptions{Compression: MH, AlignEOL: true}, []string{"-c", "g3:1d:fill"}},
		{"MH lsb fill", fine, TIFFOptions{Compression: MH, AlignEOL: true, FillOrder: 2}, []string{"-f", "lsb2msb", "-c", "g3:1d:fill"}},
		{"MR fine", fine, TIFFOptions{Compression: MR}, []string{"-c", "g3:2d"}},
		{"MR standard", std, TIFFOptions{Compression: MR}, []string{"-c", "g3:2d"}},
		{"MR fill", fine, TIFFOptions{Compression: MR, AlignEOL: true}, []string{"-c", "g3:2d:fill"}},
		{"MMR", fine, TIFFOptions{Compression: MMR}, []string{"-c", "g4"}},
		{"MMR lsb", std, TIFFOptions{Compression: MMR, FillOrder: 2}, []string{"-f", "lsb2msb", "-c", "g4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, lib, ours := filepath.Join(dir, "src.tif"), filepath.Join(dir, "lib.tif"), filepath.Join(dir, "ours.tif")
			res := tc.pages[0].Res
			raw := tiffRawFile(tc.pages, tiffRawOptions{resUnit: 2, xres: [2]uint32{uint32(res.X), 1}, yres: [2]uint32{uint32(res.Y), 1}})
			if err := os.WriteFile(src, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			tiffRun(t, tiffcp, append(append([]string{"-r", "100000"}, tc.args...), src, lib)...)
			var b bytes.Buffer
			if err := WriteTIFF(&b, tc.pages, tc.opt); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ours, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			want, got := tiffStripsOf(t, lib), tiffStripsOf(t, ours)
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					n := 0
					for n < min(len(got[i]), len(want[i])) && got[i][n] == want[i][n] {
						n++
					}
					t.Errorf("page %d: %d bytes, libtiff %d; first difference at byte %d", i+1, len(got[i]), len(want[i]), n)
				}
			}
		})
	}
}

// TestTIFFInteropHylaFAX asks HylaFAX's tiffcheck, which decides whether
// a document can be sent as it is, about our files: in the coding the
// receiver accepts (-1 MH, -2 MR, -3 MMR) and at the resolution it takes,
// a file of ours must need no conversion ("OK").
func TestTIFFInteropHylaFAX(t *testing.T) {
	// HylaFAX installs it in sbin, which a user's PATH may lack.
	tiffcheck := "/usr/sbin/tiffcheck"
	if _, err := os.Stat(tiffcheck); err != nil {
		tiffcheck = peer.Require(t, "tiffcheck", "hylafax-server")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		opt  TIFFOptions
		flag string
		res  Resolution
	}{
		{TIFFOptions{Compression: MH}, "-1", Fine},
		{TIFFOptions{Compression: MH, FillOrder: 2, AlignEOL: true}, "-1", Standard},
		{TIFFOptions{Compression: MR}, "-2", Fine},
		{TIFFOptions{Compression: MR, AlignEOL: true}, "-2", Standard},
		{TIFFOptions{Compression: MMR}, "-3", Fine},
	} {
		t.Run(fmt.Sprintf("%v fill%d align%v %v", tc.opt.Compression, tc.opt.FillOrder, tc.opt.AlignEOL, tc.res), func(t *testing.T) {
			pages := []*Page{tiffTestPage(t, WidthA4, 300, tc.res, 31), tiffTestPage(t, WidthA4, 200, tc.res, 32)}
			var b bytes.Buffer
			if err := WriteTIFF(&b, pages, tc.opt); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "doc.tif")
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, stderr := tiffRun(t, tiffcheck, "-r", fmt.Sprint(tc.res.Y), tc.flag, path)
			if strings.TrimSpace(out) != "OK" || stderr != "" {
				t.Errorf("tiffcheck -r %v %s: %q %q, want OK", tc.res.Y, tc.flag, out, stderr)
			}
		})
	}
}
