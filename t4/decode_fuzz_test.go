package t4

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets feed arbitrary bytes to the decoders and check that they
// neither panic nor hang, that the page agrees with the statistics, that
// streaming in chunks gives exactly what Decode gives, and that a page
// decoded without damage survives a re-encoding.
//
// Their seed corpora (testdata/fuzz/FuzzDecode*) hold encodings of small
// codecCorpus pages in every option combination, plus damaged variants.

func FuzzDecodeMH(f *testing.F)  { codecFuzzDecode(f, MH) }
func FuzzDecodeMR(f *testing.F)  { codecFuzzDecode(f, MR) }
func FuzzDecodeMMR(f *testing.F) { codecFuzzDecode(f, MMR) }

func codecFuzzDecode(f *testing.F, c Compression) {
	for _, s := range codecFuzzSeeds(f, c) {
		f.Add(s.data, s.width, s.height, s.flags)
	}
	f.Fuzz(func(t *testing.T, data []byte, width, height uint16, flags uint8) {
		opt := DecodeOptions{
			Compression: c,
			Width:       1 + int(width)%2048, // keep each run fast
			Height:      int(height) % 1024,
			LSBFirst:    flags&1 != 0,
			AlignRows:   c == MH && flags&0x80 != 0,
		}
		opt.LeadingEOL = c != MMR && !opt.AlignRows && flags&0x40 != 0
		p, st, err := Decode(data, opt)
		if err != nil {
			if p != nil {
				t.Fatal("page with an error")
			}
			if st.Rows != st.BadRows {
				t.Fatalf("error although %d of %d rows are good: %v", st.Rows-st.BadRows, st.Rows, err)
			}
		} else {
			if p.Width != opt.Width || p.Height != st.Rows || len(p.Pix) != p.Height*p.Stride || p.Stride != (p.Width+7)/8 {
				t.Fatalf("page %dx%d stride %d len %d, stats %+v", p.Width, p.Height, p.Stride, len(p.Pix), st)
			}
			if opt.Height > 0 && p.Height != opt.Height {
				t.Fatalf("%d rows, want %d", p.Height, opt.Height)
			}
		}
		if st.BadRows > st.Rows || st.MaxConsecutiveBad > st.BadRows || (st.BadRows > 0) != (st.MaxConsecutiveBad > 0) {
			t.Fatalf("inconsistent stats %+v", st)
		}

		// The same bytes in chunks.
		chunk := 1 + int(flags>>1)%97
		d, derr := NewDecoder(opt)
		if derr != nil {
			t.Fatal(derr)
		}
		for i := 0; i < len(data); i += chunk {
			if n, err := d.Write(data[i:min(i+chunk, len(data))]); err != nil || n != min(chunk, len(data)-i) {
				t.Fatalf("Write: %d, %v", n, err)
			}
		}
		p2, st2, err2 := d.Finish()
		if st2 != st || (err == nil) != (err2 == nil) {
			t.Fatalf("streaming in %d-byte chunks: %+v, %v; Decode: %+v, %v", chunk, st2, err2, st, err)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(p.Pix, p2.Pix) {
			t.Fatalf("streaming in %d-byte chunks decoded other pixels", chunk)
		}

		// A clean page re-encodes to the same pixels.
		if st.BadRows == 0 {
			enc, err := Encode(p, EncodeOptions{Compression: c, K: 3})
			if err != nil {
				t.Fatal(err)
			}
			p3, st3, err := Decode(enc, DecodeOptions{Compression: c, Width: p.Width, Height: p.Height})
			if err != nil || st3.BadRows != 0 {
				t.Fatalf("re-encoded page: %+v, %v", st3, err)
			}
			if !bytes.Equal(codecMaskedPix(p), codecMaskedPix(p3)) {
				t.Fatal("re-encoded page differs")
			}
		}
	})
}

// codecMaskedPix returns a copy of the page's pixels with the padding bits
// cleared.
func codecMaskedPix(p *Page) []byte {
	q := *p
	q.Pix = bytes.Clone(p.Pix)
	codecClearPadding(&q)
	return q.Pix
}

type codecFuzzSeed struct {
	data          []byte
	width, height uint16
	flags         uint8
}

// codecFuzzSeeds encodes small pages of the test codecCorpus with c in several
// option combinations, and damaged copies of some.
func codecFuzzSeeds(tb testing.TB, c Compression) []codecFuzzSeed {
	pages := []*Page{
		codecTextPage(tb, 200, 40, 21),
		codecHalftonePage(tb, 64, 16),
		codecAlternatingPage(tb, 33, 8),
		codecLongRunPage(tb, 2047, 8),
		codecNoisePage(tb, 17, 9, 22),
		codecFillPage(tb, 9, 3, true),
	}
	opts := []EncodeOptions{
		{Compression: c},
		{Compression: c, RTC: true, K: 4},
		{Compression: c, LSBFirst: true, AlignEOL: true, MinRowBits: 200},
	}
	if c == MH {
		opts = append(opts, EncodeOptions{Compression: c, NoEOL: true}, EncodeOptions{Compression: c, NoEOL: true, AlignRows: true})
	}
	var seeds []codecFuzzSeed
	for i, p := range pages {
		for j, o := range opts {
			data, err := Encode(p, o)
			if err != nil {
				tb.Fatal(err)
			}
			var flags uint8
			if o.LSBFirst {
				flags = 1
			}
			flags |= uint8(i+j) << 1 & 0x7f
			if o.AlignRows {
				flags |= 0x80
			}
			w := uint16(p.Width - 1) // the target adds 1
			seeds = append(seeds, codecFuzzSeed{data, w, 0, flags})
			if j == 0 && len(data) > 4 {
				seeds = append(seeds,
					codecFuzzSeed{codecFlipBit(data, len(data)*4+3), w, uint16(p.Height), flags},
					codecFuzzSeed{data[:len(data)/2], w, uint16(p.Height), flags})
			}
		}
	}
	return seeds
}

// TestWriteFuzzSeeds regenerates the committed seed corpora when
// T4_WRITE_FUZZ_SEEDS is set: go test -run TestWriteFuzzSeeds ./t4
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("T4_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set T4_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz/FuzzDecode*")
	}
	for _, c := range []Compression{MH, MR, MMR} {
		dir := filepath.Join("testdata", "fuzz", "FuzzDecode"+c.String())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range codecFuzzSeeds(t, c) {
			text := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nuint16(%d)\nuint16(%d)\nbyte('\\x%02x')\n", s.data, s.width, s.height, s.flags)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
