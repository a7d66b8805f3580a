package t4

import "encoding/binary"

// bitReader reads codes most significant bit first. The next bits wait
// left-aligned in a 64-bit window refilled eight bytes at a time, so that a
// code costs a table lookup on the window's top bits and a shift.
//
// Bits past the end of the data read as zeros; n says how many bits of the
// window are data, so a code longer than n means the data ended inside it.
type bitReader struct {
	buf  []byte
	w    uint64 // the next bits, left-aligned
	n    uint   // how many bits of w are data
	next int    // index of the next byte of buf to load into w
}

// newBitReader reads buf from bit pos, which is at most len(buf)*8.
func newBitReader(buf []byte, pos int) bitReader {
	r := bitReader{buf: buf, next: pos >> 3}
	r.refill()
	if s := uint(pos & 7); s > 0 {
		r.w <<= s
		r.n -= s
	}
	return r
}

// refill tops the window up to at least 56 bits, or to the end of the data.
func (r *bitReader) refill() {
	if r.next+8 <= len(r.buf) {
		// Or in eight bytes below the n bits held; only the whole bytes
		// that fit count as loaded. The bits of a partly fitting byte land
		// where they belong and are loaded again next time, harmlessly.
		r.w |= binary.BigEndian.Uint64(r.buf[r.next:]) >> r.n
		k := (63 - r.n) >> 3
		r.next += int(k)
		r.n += k * 8
		return
	}
	for r.n <= 56 && r.next < len(r.buf) {
		r.w |= uint64(r.buf[r.next]) << (56 - r.n)
		r.n += 8
		r.next++
	}
}

// skip consumes k bits, k <= n.
func (r *bitReader) skip(k uint) {
	r.w <<= k
	r.n -= k
}

// pos is the bit position in buf of the next bit.
func (r *bitReader) pos() int { return r.next*8 - int(r.n) }
