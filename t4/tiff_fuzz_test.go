package t4

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadTIFF feeds arbitrary bytes to ReadTIFF. It must never panic or
// hang, must classify every error, must return well-formed pages, and any
// page it returns must survive WriteTIFF and ReadTIFF unchanged. The seed
// corpus is testdata/fuzz/FuzzReadTIFF plus the golden files.
func FuzzReadTIFF(f *testing.F) {
	golden, err := filepath.Glob(filepath.Join("testdata", "tiff", "*.tif"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range golden {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) <= 8<<10 { // small seeds mutate faster
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pages, err := readTIFFBytes(b)
		if err != nil && !errors.Is(err, ErrNotTIFF) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("unclassified error: %v", err)
		}
		for i, p := range pages {
			if p.Page == nil || p.Width <= 0 || p.Height <= 0 || p.Width > MaxDimension || p.Height > MaxDimension ||
				p.Stride != (p.Width+7)/8 || len(p.Pix) != p.Stride*p.Height {
				t.Fatalf("page %d malformed", i)
			}
			if r := p.Width % 8; r != 0 {
				for y := range p.Height {
					if p.Row(y)[p.Stride-1]&(0xff>>r) != 0 {
						t.Fatalf("page %d row %d: padding bits set", i, y)
					}
				}
			}
			if p.Res.X <= 0 || p.Res.Y <= 0 {
				t.Fatalf("page %d: resolution %v", i, p.Res)
			}
			if len(p.Pix) > 1<<20 || p.Res.X >= 1e6 || p.Res.Y >= 1e6 {
				continue // keep each run fast
			}
			var w bytes.Buffer
			if err := WriteTIFF(&w, []*Page{p.Page}, TIFFOptions{Compression: MR}); err != nil {
				t.Fatalf("page %d: WriteTIFF: %v", i, err)
			}
			again, err := readTIFFBytes(w.Bytes())
			if err != nil {
				t.Fatalf("page %d: reading our own file: %v", i, err)
			}
			if d := tiffSamePage(again[0].Page, p.Page); d != "" {
				t.Fatalf("page %d: round trip: %s", i, d)
			}
		}
	})
}
