package t4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The golden files in testdata/tiff are small real files from ghostscript,
// tiffcp and softfax itself. golden.txt records, per page, what libtiff
// decodes from them (size, resolution, coding and a hash of the pixels);
// go test -run Golden -update-tiff rewrites it from libtiff's decoding and
// regenerates the softfax-written files.
var tiffUpdate = flag.Bool("update-tiff", false, "regenerate t4/testdata/tiff from libtiff, ghostscript and WriteTIFF")

var tiffGoldenDir = filepath.Join("testdata", "tiff")

// tiffGoldenWritten are the files written by WriteTIFF; TestWriteTIFFGolden
// checks that it still writes them byte for byte.
var tiffGoldenWritten = []struct {
	name string
	opt  TIFFOptions
}{
	{"softfax-mh.tif", TIFFOptions{Compression: MH}},
	{"softfax-mr-fill2-align.tif", TIFFOptions{Compression: MR, FillOrder: 2, AlignEOL: true}},
	{"softfax-mmr.tif", TIFFOptions{Compression: MMR, Software: "softfax test"}},
}

func tiffGoldenPages(t testing.TB) []*Page {
	return []*Page{tiffTestPage(t, WidthA4, 100, Fine, 42), tiffTestPage(t, WidthB4, 48, Standard, 43)}
}

func tiffGoldenWrite(t testing.TB, opt TIFFOptions) []byte {
	opt.Time = time.Date(2026, 11, 26, 6, 30, 0, 0, time.UTC)
	var b bytes.Buffer
	if err := WriteTIFF(&b, tiffGoldenPages(t), opt); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteTIFFGolden(t *testing.T) {
	for _, g := range tiffGoldenWritten {
		t.Run(g.name, func(t *testing.T) {
			got := tiffGoldenWrite(t, g.opt)
			want, err := os.ReadFile(filepath.Join(tiffGoldenDir, g.name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("WriteTIFF output (%d bytes) differs from %s (%d bytes); if the change is intended, run go test -run Golden -update-tiff", len(got), g.name, len(want))
			}
		})
	}
}

// tiffGoldenLine describes one page as golden.txt stores it.
func tiffGoldenLine(file string, i int, p TIFFPage) string {
	sum := sha256.Sum256(p.Pix)
	coding := "none"
	if p.Compression != 0 {
		coding = p.Compression.String()
	}
	return fmt.Sprintf("%s %d %dx%d %gx%g %s %s", file, i+1, p.Width, p.Height, p.Res.X, p.Res.Y, coding, hex.EncodeToString(sum[:12]))
}

func TestReadTIFFGolden(t *testing.T) {
	if *tiffUpdate {
		tiffUpdateGolden(t)
	}
	f, err := os.Open(filepath.Join(tiffGoldenDir, "golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string][]string{}
	var files []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, _, _ := strings.Cut(line, " ")
		if want[file] == nil {
			files = append(files, file)
		}
		want[file] = append(want[file], line)
	}
	if len(files) < 8 {
		t.Fatalf("golden.txt lists %d files", len(files))
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			pages := tiffReadFile(t, filepath.Join(tiffGoldenDir, file))
			if len(pages) != len(want[file]) {
				t.Fatalf("%d pages, want %d", len(pages), len(want[file]))
			}
			for i, p := range pages {
				if got := tiffGoldenLine(file, i, p); got != want[file][i] {
					t.Errorf("got  %s\nwant %s", got, want[file][i])
				}
				if p.Compression != 0 && (p.Stats.BadRows != 0 || p.Stats.Rows != p.Height) {
					t.Errorf("page %d: stats %+v", i+1, p.Stats)
				}
			}
		})
	}
}

// tiffUpdateGolden regenerates the golden files and golden.txt. The pixel
// hashes come from libtiff's decoding, never from ours.
func tiffUpdateGolden(t *testing.T) {
	for _, g := range tiffGoldenWritten {
		if err := os.WriteFile(filepath.Join(tiffGoldenDir, g.name), tiffGoldenWrite(t, g.opt), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	run := func(prog string, args ...string) {
		if out, err := exec.Command(prog, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", prog, args, err, out)
		}
	}
	ps := filepath.Join(dir, "doc.ps")
	if err := os.WriteFile(ps, []byte(tiffTestPostScript(2)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dev := range []string{"tiffg3", "tiffg32d", "tiffg4"} {
		run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE="+dev, "-r204x196",
			"-dDEVICEWIDTHPOINTS=612", "-dDEVICEHEIGHTPOINTS=144", "-dFIXEDMEDIA",
			"-sOutputFile="+filepath.Join(tiffGoldenDir, "gs-"+dev+".tif"), ps)
	}
	src := filepath.Join(dir, "src.tif")
	pages := []*Page{tiffTestPage(t, WidthA4, 96, Fine, 7), tiffTestPage(t, WidthA3, 40, Fine, 8)}
	if err := os.WriteFile(src, tiffRawFile(pages, tiffRawOptions{resUnit: 3, xres: [2]uint32{80, 1}, yres: [2]uint32{77, 1}}), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"tiffcp-g3-lsb-fill.tif":  {"-f", "lsb2msb", "-c", "g3:1d:fill"},
		"tiffcp-g32d.tif":         {"-c", "g3:2d"},
		"tiffcp-g4-mm-strips.tif": {"-B", "-c", "g4", "-r", "50"},
		"tiffcp-packbits-mm.tif":  {"-B", "-c", "packbits", "-r", "30"},
	} {
		run("tiffcp", append(args, src, filepath.Join(tiffGoldenDir, name))...)
	}
	// BlackIsZero, uncompressed, by the independent raw writer.
	if err := os.WriteFile(filepath.Join(tiffGoldenDir, "raw-blackiszero.tif"),
		tiffRawFile(pages[:1], tiffRawOptions{photometric: 1, xres: [2]uint32{204, 1}, yres: [2]uint32{196, 1}}), 0o644); err != nil {
		t.Fatal(err)
	}

	files, err := filepath.Glob(filepath.Join(tiffGoldenDir, "*.tif"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	out.WriteString("# file page size resolution coding sha256(pixels)[:12], decoded by libtiff (tiffcp -c none); see tiff_golden_test.go\n")
	for _, path := range files {
		if fi, err := os.Stat(path); err != nil || fi.Size() > 50<<10 {
			t.Fatalf("%s: keep golden files under 50 KB (%v)", path, err)
		}
		ours := tiffReadFile(t, path)
		lib := tiffLibtiffDecode(t, path)
		if len(lib) != len(ours) {
			t.Fatalf("%s: libtiff %d pages, ours %d", path, len(lib), len(ours))
		}
		for i := range lib {
			lib[i].Compression = ours[i].Compression // tiffcp -c none dropped it
			out.WriteString(tiffGoldenLine(filepath.Base(path), i, lib[i]) + "\n")
		}
	}
	if err := os.WriteFile(filepath.Join(tiffGoldenDir, "golden.txt"), []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
