package g711

import "math/bits"

// Law names a companding law.
type Law int

// The two G.711 laws.
const (
	Ulaw Law = iota + 1 // mu-law, North America and Japan
	Alaw                // A-law, everywhere else
)

func (l Law) String() string {
	switch l {
	case Ulaw:
		return "ulaw"
	case Alaw:
		return "alaw"
	}
	return "unknown law"
}

// Tables, filled once at package initialisation and read-only afterwards.
var (
	ulawToLinear [256]int16
	alawToLinear [256]int16
	linearToUlaw [1 << 16]byte // indexed by uint16(sample)
	linearToAlaw [1 << 13]byte // indexed by sample >> 3 (13-bit two's complement)
)

func init() {
	for i := range 256 {
		ulawToLinear[i] = decodeUlaw(byte(i))
		alawToLinear[i] = decodeAlaw(byte(i))
	}
	for i := range linearToUlaw {
		linearToUlaw[i] = encodeUlaw(int16(i))
	}
	for i := range linearToAlaw {
		linearToAlaw[i] = encodeAlaw(int16(i << 3))
	}
}

// encodeUlaw implements G.711 §3 for mu-law: bias 33 on the 14-bit
// magnitude, a 3-bit segment (chord) and a 4-bit step, all bits inverted.
func encodeUlaw(s int16) byte {
	x := int(s)
	mask := byte(0xFF)
	if x < 0 {
		x = -x
		mask = 0x7F
	}
	// The 14-bit magnitude is taken after the sign, truncating the
	// magnitude (not the signed sample), as spandsp and iaxmodem do; so
	// the encoder needs all 16 input bits, not a 14-bit table index.
	x = min(x>>2, 8159) + 33      // 8159+33 = 0x1FFF, the top of segment 7
	seg := bits.Len(uint(x >> 6)) // segments end at 0x3F, 0x7F, ... 0x1FFF
	if seg > 7 {
		return 0x7F ^ mask // clipped to the largest code
	}
	return byte(seg<<4|(x>>(seg+1))&0x0F) ^ mask
}

func decodeUlaw(u byte) int16 {
	u = ^u
	t := (int(u&0x0F)<<3 + 0x84) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// encodeAlaw implements G.711 §2 for A-law: 13-bit magnitude, segment and
// step, even bits inverted (XOR 0x55), sign bit set for positive values.
func encodeAlaw(s int16) byte {
	x := int(s) >> 3
	mask := byte(0xD5)
	if x < 0 {
		x = -x - 1
		mask = 0x55
	}
	if x > 0xFFF {
		return 0x7F ^ mask
	}
	seg := bits.Len(uint(x >> 5))       // segments end at 0x1F, 0x3F, ... 0xFFF
	a := seg<<4 | (x>>max(seg, 1))&0x0F // segments 0 and 1 share a step size
	return byte(a) ^ mask
}

func decodeAlaw(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0F)<<4 + 8
	if seg := int(a&0x70) >> 4; seg > 0 {
		t = (t + 0x100) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// EncodeUlaw returns the mu-law code of a linear sample.
func EncodeUlaw(s int16) byte { return linearToUlaw[uint16(s)] }

// DecodeUlaw returns the linear value of a mu-law code.
func DecodeUlaw(u byte) int16 { return ulawToLinear[u] }

// EncodeAlaw returns the A-law code of a linear sample.
func EncodeAlaw(s int16) byte { return linearToAlaw[uint16(s)>>3] }

// DecodeAlaw returns the linear value of an A-law code.
func DecodeAlaw(a byte) int16 { return alawToLinear[a] }

// Encode appends the codes of samples in law l to dst.
func (l Law) Encode(dst []byte, samples []int16) []byte {
	if l == Alaw {
		for _, s := range samples {
			dst = append(dst, linearToAlaw[uint16(s)>>3])
		}
		return dst
	}
	for _, s := range samples {
		dst = append(dst, linearToUlaw[uint16(s)])
	}
	return dst
}

// Decode appends the linear samples of codes in law l to dst.
func (l Law) Decode(dst []int16, codes []byte) []int16 {
	table := &ulawToLinear
	if l == Alaw {
		table = &alawToLinear
	}
	for _, c := range codes {
		dst = append(dst, table[c])
	}
	return dst
}

// Companding passes samples through an encode/decode round trip in law l
// in place: what a sample becomes after crossing a G.711 call.
func (l Law) Companding(samples []int16) {
	if l == Alaw {
		for i, s := range samples {
			samples[i] = alawToLinear[linearToAlaw[uint16(s)>>3]]
		}
		return
	}
	for i, s := range samples {
		samples[i] = ulawToLinear[linearToUlaw[uint16(s)]]
	}
}
