package t4

import (
	"bytes"
	"io"
	"testing"
)

// tiffBenchDocument is a ten-page A4 fine document.
func tiffBenchDocument(b *testing.B) []*Page {
	pages := make([]*Page, 10)
	for i := range pages {
		pages[i] = tiffTestPage(b, WidthA4, 2200, Fine, uint64(i))
	}
	return pages
}

func BenchmarkWriteTIFF(b *testing.B) {
	pages := tiffBenchDocument(b)
	for _, c := range []Compression{MH, MR, MMR} {
		b.Run(c.String(), func(b *testing.B) {
			b.SetBytes(int64(len(pages) * len(pages[0].Pix)))
			for b.Loop() {
				if err := WriteTIFF(io.Discard, pages, TIFFOptions{Compression: c}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReadTIFF(b *testing.B) {
	pages := tiffBenchDocument(b)
	for _, c := range []Compression{MH, MR, MMR} {
		b.Run(c.String(), func(b *testing.B) {
			var w bytes.Buffer
			if err := WriteTIFF(&w, pages, TIFFOptions{Compression: c}); err != nil {
				b.Fatal(err)
			}
			file := w.Bytes()
			b.SetBytes(int64(len(pages) * len(pages[0].Pix)))
			b.ReportMetric(float64(len(file)), "file-bytes")
			for b.Loop() {
				got, err := ReadTIFF(bytes.NewReader(file), int64(len(file)))
				if err != nil || len(got) != len(pages) {
					b.Fatal(len(got), err)
				}
			}
		})
	}
}
