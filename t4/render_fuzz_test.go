package t4

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzRender feeds Render arbitrary documents. Ghostscript is pointed at a
// missing program so that PDF and PostScript inputs stop at the lookup
// (gs is exercised by TestRenderBadInput); every other path runs in
// process and must return pages or an error, never panic or hang.
func FuzzRender(f *testing.F) {
	f.Add([]byte("hello\tworld\fpage two\r\n"))
	f.Add([]byte("caf\xe9\x1b[1m\u0301"))
	f.Add([]byte("%PDF-1.4\n"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00"))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		opt := RenderOptions{Res: Standard, MaxPages: 4, GhostscriptPath: "/nonexistent/gs"}
		pages, err := Render(ctx, "fuzz", data, opt)
		if err != nil {
			if len(pages) != 0 {
				t.Fatalf("error %v with %d pages", err, len(pages))
			}
			return
		}
		if len(pages) == 0 || len(pages) > 4 {
			t.Fatalf("%d pages", len(pages))
		}
		for _, p := range pages {
			if p.Width <= 0 || p.Height <= 0 || len(p.Pix) < p.Stride*p.Height || p.Stride < (p.Width+7)/8 {
				t.Fatalf("bad page %dx%d stride %d, %d bytes", p.Width, p.Height, p.Stride, len(p.Pix))
			}
		}
		if SniffFormat(data) == FormatPDF || SniffFormat(data) == FormatPostScript {
			t.Fatal("PDF/PostScript rendered without ghostscript")
		}
	})
}

// FuzzParsePBM: the PBM reader used on ghostscript's output either fails or
// returns a page whose buffer covers every row.
func FuzzParsePBM(f *testing.F) {
	f.Add([]byte("P4\n8 2\n\xff\x00"))
	f.Add([]byte("P4 # comment\n# more\n 9\t1\n\x80\x00"))
	f.Add([]byte("P4\n99999999999 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parsePBM(data, Fine)
		if err != nil {
			if !errors.Is(err, errPBM) && !errors.Is(err, ErrDimension) {
				t.Fatalf("error %v wraps neither errPBM nor ErrDimension", err)
			}
			return
		}
		if p.Width <= 0 || p.Height <= 0 || p.Stride != (p.Width+7)/8 || len(p.Pix) != p.Stride*p.Height {
			t.Fatalf("page %dx%d stride %d with %d bytes", p.Width, p.Height, p.Stride, len(p.Pix))
		}
		_ = p.Row(p.Height - 1)
	})
}
