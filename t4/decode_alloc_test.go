package t4

import (
	"runtime"
	"testing"
)

// TestDecoderGrowthBytes: a page of unknown height (T.30 receive) is
// decoded with little more memory than its raster: standard A4 in one
// allocation, fine A4 in two (the first half of which is garbage), not in
// append's dozens of 1.25x steps (about 5 times the raster).
func TestDecoderGrowthBytes(t *testing.T) {
	for _, tc := range []struct {
		rows     int
		maxRatio float64
	}{
		{1143, 1.15}, // A4 at standard: the first chunk
		{2287, 1.7},  // A4 at fine: a chunk, then twice that
	} {
		p := codecTextPage(t, WidthA4, tc.rows, 42)
		data, err := Encode(p, EncodeOptions{Compression: MR, K: 4})
		if err != nil {
			t.Fatal(err)
		}
		opt := DecodeOptions{Compression: MR, Width: p.Width}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got, _, err := Decode(data, opt)
		runtime.ReadMemStats(&after)
		if err != nil || got.Height != tc.rows {
			t.Fatalf("%d rows: decoded %v rows, %v", tc.rows, got, err)
		}
		ratio := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(p.Pix))
		t.Logf("%d rows: %.2f bytes allocated per raster byte", tc.rows, ratio)
		if ratio > tc.maxRatio {
			t.Errorf("%d rows: decoding allocated %.2f times the raster, want <= %.1f", tc.rows, ratio, tc.maxRatio)
		}
	}
}
