package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/softfax/softfax/internal/peer"
	"github.com/softfax/softfax/t4"
)

func runForTest(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	code = run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func readTIFFFile(t *testing.T, path string) []t4.TIFFPage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := t4.ReadTIFF(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

func TestConvertTIFF(t *testing.T) {
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "testdata", "sample.txt")
	tests := []struct {
		args   []string
		res    t4.Resolution
		comp   t4.Compression
		height int
	}{
		{nil, t4.Fine, t4.MMR, 2292},
		{[]string{"-compression", "mh", "-resolution", "standard"}, t4.Standard, t4.MH, 1146},
		{[]string{"-compression", "mr", "-resolution", "superfine", "-paper", "letter"}, t4.Superfine, t4.MR, 4301},
	}
	for i, tc := range tests {
		out := filepath.Join(dir, "out"+string(rune('a'+i))+".tif")
		args := append(append([]string{"convert"}, tc.args...), sample, out)
		if code, _, stderr := runForTest(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		pages := readTIFFFile(t, out)
		if len(pages) != 1 {
			t.Fatalf("%v: %d pages", args, len(pages))
		}
		p := pages[0]
		if p.Width != 1728 || p.Height != tc.height || p.Res != tc.res || p.Compression != tc.comp {
			t.Errorf("%v: page %dx%d at %v, %v; want 1728x%d at %v, %v", args, p.Width, p.Height, p.Res, p.Compression, tc.height, tc.res, tc.comp)
		}
	}

	// Several inputs make one multi-page document, a fax TIFF input's
	// pages passing through unchanged.
	multi := filepath.Join(dir, "multi.tif")
	first := filepath.Join(dir, "outa.tif")
	if code, _, stderr := runForTest(t, "convert", sample, first, sample, multi); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pages, want := readTIFFFile(t, multi), readTIFFFile(t, first)
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	if !bytes.Equal(pages[1].Pix, want[0].Pix) {
		t.Error("the TIFF input's page did not pass through unchanged")
	}
}

func TestConvertPDF(t *testing.T) {
	pdfinfo := peer.Require(t, "pdfinfo", "poppler-utils")
	dir := t.TempDir()
	out := filepath.Join(dir, "sample.pdf")
	sample := filepath.Join("..", "..", "testdata", "sample.txt")
	if code, _, stderr := runForTest(t, "convert", "-resolution", "standard", "-title", "Sample", sample, sample, out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info, err := exec.Command(pdfinfo, out).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	for _, re := range []string{`(?m)^Title:\s+Sample$`, `(?m)^Pages:\s+2$`, `(?m)^Page size:\s+609\.8\d x 841\.\d\d pts`} {
		if !regexp.MustCompile(re).Match(info) {
			t.Errorf("pdfinfo output lacks %s:\n%s", re, info)
		}
	}
}

// TestConvertErrors: a bad command line or input exits non-zero with one
// line saying why, and leaves no output file behind.
func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "testdata", "sample.txt")
	garbage := filepath.Join(dir, "garbage.bin")
	if err := os.WriteFile(garbage, []byte{0, 1, 2, 3, 0xff, 0xfe, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.tif")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", []string{"convert"}, "need at least one input"},
		{"no output", []string{"convert", sample}, "need at least one input"},
		{"unknown extension", []string{"convert", sample, filepath.Join(dir, "out.doc")}, "unknown extension"},
		{"bad compression", []string{"convert", "-compression", "jbig", sample, out}, "unknown compression"},
		{"bad resolution", []string{"convert", "-resolution", "ultra", sample, out}, "unknown resolution"},
		{"bad paper", []string{"convert", "-paper", "a3", sample, out}, "unknown paper"},
		{"missing input", []string{"convert", filepath.Join(dir, "nope.txt"), out}, "no such file"},
		{"unknown format", []string{"convert", garbage, out}, "unknown document format"},
		{"output directory missing", []string{"convert", sample, filepath.Join(dir, "no", "out.tif")}, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runForTest(t, tc.args...)
			if code == 0 {
				t.Fatal("exit 0, want failure")
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "softfax convert: ") || !strings.Contains(last, tc.want) {
				t.Errorf("last line %q, want a reason containing %q", last, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s exists after a failure", out)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}
