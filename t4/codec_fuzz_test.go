package t4

import (
	"bytes"
	"testing"
)

// FuzzRoundTrip encodes arbitrary pixels with arbitrary options and
// expects the decoder to give them back exactly.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0xff, 0x00, 0xaa, 0x55, 0x0f, 0xf0}, uint16(15), uint8(0))
	f.Add(bytes.Repeat([]byte{0, 0, 0xff, 0xff, 0x80}, 100), uint16(2900), uint8(0x7e))
	f.Add(bytes.Repeat([]byte{0x81}, 300), uint16(99), uint8(0xa5))
	f.Fuzz(func(t *testing.T, pix []byte, width uint16, flags uint8) {
		w := 1 + int(width)%3000
		stride := (w + 7) / 8
		h := min(len(pix)/stride, 64)
		p := &Page{Width: w, Height: h, Stride: stride, Pix: pix[:h*stride]}
		opt := EncodeOptions{
			Compression: Compression(1 + int(flags)%3),
			K:           int(flags>>2) & 3,
			LSBFirst:    flags&0x10 != 0,
			AlignEOL:    flags&0x20 != 0,
			RTC:         flags&0x40 != 0,
		}
		if flags&0x80 != 0 {
			opt.MinRowBits = 300
		}
		data, err := Encode(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		got, st, err := Decode(data, DecodeOptions{Compression: opt.Compression, Width: w, Height: h, LSBFirst: opt.LSBFirst})
		if h == 0 {
			return // no rows: nothing to compare, and Decode rightly fails
		}
		if err != nil || st.BadRows != 0 || st.Rows != h {
			t.Fatalf("%+v: stats %+v, err %v", opt, st, err)
		}
		if !bytes.Equal(codecMaskedPix(got), codecMaskedPix(p)) {
			t.Fatalf("%+v: pixels differ", opt)
		}
	})
}
