package t4

import (
	"encoding/binary"
	"math/bits"
)

// bitWriter appends codes most significant bit first. Bits collect at the
// top of a 64-bit accumulator and leave it four bytes at a time, so writing
// a code costs a shift, an or and (every few codes) one append.
type bitWriter struct {
	buf  []byte
	acc  uint64 // pending bits, left-aligned
	n    uint   // number of pending bits, < 32 between calls
	base int    // len(buf) when encoding started, for bit counting
}

// write appends the low nbits of code; nbits <= 32.
func (w *bitWriter) write(code uint32, nbits uint) {
	w.acc |= uint64(code) << (64 - w.n - nbits)
	w.n += nbits
	if w.n >= 32 {
		w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(w.acc>>32))
		w.acc <<= 32
		w.n -= 32
	}
}

// writeVLC appends one code.
func (w *bitWriter) writeVLC(c vlc) { w.write(c.code, uint(c.bits)) }

// zeros appends n fill bits (T.4 §4.1.3).
func (w *bitWriter) zeros(n int) {
	for n > 32 {
		w.write(0, 32)
		n -= 32
	}
	w.write(0, uint(n))
}

// bitLen is the number of bits written since encoding started.
func (w *bitWriter) bitLen() int { return (len(w.buf)-w.base)*8 + int(w.n) }

// flush pads the last byte with zeros and returns the buffer.
func (w *bitWriter) flush() []byte {
	for w.n > 0 {
		w.buf = append(w.buf, byte(w.acc>>56))
		w.acc <<= 8
		if w.n < 8 {
			w.n = 0
		} else {
			w.n -= 8
		}
	}
	w.acc = 0
	return w.buf
}

// reverseBits reverses the bit order within each byte of b, converting
// between TIFF FillOrder 1 (MSB first) and the order bits go on the line.
func reverseBits(b []byte) {
	for i, c := range b {
		b[i] = bits.Reverse8(c)
	}
}
