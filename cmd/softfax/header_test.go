package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/softfax/softfax/t4"
)

func TestHeaderLine(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 10, 59, 0, time.UTC)
	for _, tc := range []struct {
		name, from, to string
		page, pages    int
		want           string
	}{
		{"softfax", "+1 555 0100", "100", 1, 3, "2026-11-26 08:10  softfax  FROM +1 555 0100  TO 100  P. 1/3"},
		{"", "+1 555 0100", "100", 2, 3, "2026-11-26 08:10  FROM +1 555 0100  TO 100  P. 2/3"},
		{" ACME ", "", "5551234", 1, 1, "2026-11-26 08:10  ACME  TO 5551234  P. 1/1"},
	} {
		if got := headerLine(at, tc.name, tc.from, tc.to, tc.page, tc.pages); got != tc.want {
			t.Errorf("headerLine(%q, %q, %q) = %q, want %q", tc.name, tc.from, tc.to, got, tc.want)
		}
	}
}

// TestStampHeaders: every page gets a header with its own number; the
// pages keep their size and content below the band.
func TestStampHeaders(t *testing.T) {
	pages, err := t4.Render(t.Context(), "x.txt", []byte("one\fTwo\fthree\n"), t4.RenderOptions{Res: t4.Fine})
	if err != nil || len(pages) != 3 {
		t.Fatalf("%d pages, %v", len(pages), err)
	}
	band := t4.HeaderRows(t4.Fine)
	var bodies [][]byte
	for _, p := range pages {
		bodies = append(bodies, append([]byte(nil), p.Pix[band*p.Stride:]...))
	}
	src := &stampedPages{src: &listPages{pages: pages}, at: time.Now(), name: "softfax", from: "+1 555 0100", to: "100"}
	for range pages {
		if _, err := src.NextPage(); err != nil {
			t.Fatal(err)
		}
	}
	var bands [][]byte
	for i, p := range pages {
		if !bytes.Equal(p.Pix[band*p.Stride:], bodies[i]) {
			t.Errorf("page %d: body changed", i+1)
		}
		b := p.Pix[:band*p.Stride]
		if bytes.Equal(b, make([]byte, len(b))) {
			t.Errorf("page %d: no header", i+1)
		}
		bands = append(bands, b)
	}
	if bytes.Equal(bands[0], bands[1]) {
		t.Error("pages 1 and 2 have the same header (page number missing)")
	}
}

// checkHeaderStamped asserts that the first page of a received TIFF has
// ink in the header band (a text page is white there without a header).
func checkHeaderStamped(t *testing.T, path string) {
	t.Helper()
	pages := readTIFFFile(t, path)
	if len(pages) == 0 {
		t.Errorf("%s: no page", path)
		return
	}
	p := pages[0].Page
	band := t4.HeaderRows(p.Res)
	black := 0
	for y := range band {
		for x := range p.Width {
			if p.Black(x, y) {
				black++
			}
		}
	}
	if black < 200 {
		t.Errorf("received page 1: %d black pixels in the %d-row header band, want a header line", black, band)
	}
}
