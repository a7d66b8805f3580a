package hdlc

// CRC-16 of ITU-T V.42 §8.1.1.6.1 (generator x^16 + x^12 + x^5 + 1),
// processed LSB first (reflected polynomial 0x8408), preset to all ones;
// the FCS is its ones complement, sent low octet first. Run over a frame
// and its FCS, the register ends at goodResidue.
const (
	crcInit     = 0xFFFF
	goodResidue = 0xF0B8
)

var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0x8408
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

func crcUpdate(crc uint16, b byte) uint16 {
	return crc>>8 ^ crcTable[byte(crc)^b]
}

// FCS returns the frame check sequence of data, as the two octets to send
// after it.
func FCS(data []byte) [2]byte {
	crc := uint16(crcInit)
	for _, b := range data {
		crc = crcUpdate(crc, b)
	}
	crc = ^crc
	return [2]byte{byte(crc), byte(crc >> 8)}
}
