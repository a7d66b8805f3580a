package t4

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGolden pins the exact bits of three streams of one text page:
// TIFF-style MH, the T.30 line format (MR K=4, fill to a minimum row
// length, RTC, LSB first) and MMR with EOFB. The files were written by
// this encoder when it matched libtiff bit for bit (TestMatchesLibtiff);
// they catch any change to the coding where libtiff is not installed.
// Regenerate with T4_UPDATE_GOLDEN=1 go test -run TestGolden ./t4 .
func TestGolden(t *testing.T) {
	p := codecTextPage(t, WidthA4, 300, 51)
	for _, tc := range []struct {
		file string
		opt  EncodeOptions
	}{
		{"text.mh", EncodeOptions{Compression: MH}},
		{"text-line.mr", EncodeOptions{Compression: MR, K: 4, MinRowBits: 400, RTC: true, LSBFirst: true}},
		{"text.mmr", EncodeOptions{Compression: MMR, RTC: true}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "codec", tc.file)
			got, err := Encode(p, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if os.Getenv("T4_UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encoding differs from %s (%d bytes, want %d)", path, len(got), len(want))
			}
			page, st, err := Decode(want, DecodeOptions{Compression: tc.opt.Compression, Width: p.Width, LSBFirst: tc.opt.LSBFirst})
			if err != nil || st.BadRows != 0 || st.RTC != tc.opt.RTC {
				t.Fatalf("decoding %s: stats %+v, err %v", path, st, err)
			}
			codecSamePixels(t, page, p)
		})
	}
}
