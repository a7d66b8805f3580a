package t4

import (
	"testing"
)

// The benchmarks code a realistic page: A4 at fine resolution (1728 x 2287,
// 297 mm at 7.7 lines/mm) of text. SetBytes is the raster size, so MB/s is
// raster throughput; pages/s is reported too.

func codecBenchPage(b *testing.B) *Page {
	b.Helper()
	return codecTextPage(b, WidthA4, 2287, 42)
}

func benchEncode(b *testing.B, opt EncodeOptions) {
	p := codecBenchPage(b)
	buf, err := Encode(p, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(p.Pix)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf, _ = AppendEncode(buf[:0], p, opt)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(len(buf)), "coded-bytes")
}

func BenchmarkEncodeMH(b *testing.B)  { benchEncode(b, EncodeOptions{Compression: MH}) }
func BenchmarkEncodeMR(b *testing.B)  { benchEncode(b, EncodeOptions{Compression: MR, K: 4}) }
func BenchmarkEncodeMMR(b *testing.B) { benchEncode(b, EncodeOptions{Compression: MMR, RTC: true}) }

func benchDecode(b *testing.B, opt EncodeOptions) {
	p := codecBenchPage(b)
	data, err := Encode(p, opt)
	if err != nil {
		b.Fatal(err)
	}
	dopt := DecodeOptions{Compression: opt.Compression, Width: p.Width}
	b.SetBytes(int64(len(p.Pix)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, st, err := Decode(data, dopt); err != nil || st.Rows != p.Height {
			b.Fatal(st, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

func BenchmarkDecodeMH(b *testing.B)  { benchDecode(b, EncodeOptions{Compression: MH}) }
func BenchmarkDecodeMR(b *testing.B)  { benchDecode(b, EncodeOptions{Compression: MR, K: 4}) }
func BenchmarkDecodeMMR(b *testing.B) { benchDecode(b, EncodeOptions{Compression: MMR, RTC: true}) }

// BenchmarkDecoderStream feeds an MR page to the streaming decoder in
// 256-byte chunks, as T.30 does with ECM frames.
func BenchmarkDecoderStream(b *testing.B) {
	p := codecBenchPage(b)
	data, _ := Encode(p, EncodeOptions{Compression: MR, K: 4})
	b.SetBytes(int64(len(p.Pix)))
	b.ReportAllocs()
	for b.Loop() {
		d, _ := NewDecoder(DecodeOptions{Compression: MR, Width: p.Width})
		for i := 0; i < len(data); i += 256 {
			d.Write(data[i:min(i+256, len(data))])
		}
		if _, st, err := d.Finish(); err != nil || st.Rows != p.Height {
			b.Fatal(st, err)
		}
	}
}

// TestEncodeAllocs: encoding into a large enough buffer allocates only the
// two changing-element lists.
func TestEncodeAllocs(t *testing.T) {
	p := codecTextPage(t, WidthA4, 100, 43)
	buf, _ := Encode(p, EncodeOptions{Compression: MR})
	allocs := testing.AllocsPerRun(20, func() {
		buf, _ = AppendEncode(buf[:0], p, EncodeOptions{Compression: MR})
	})
	if allocs > 2 {
		t.Errorf("%v allocations per page", allocs)
	}
}
