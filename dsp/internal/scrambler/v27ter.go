package scrambler

import "math/bits"

// V27ter is the V.27 ter self-synchronising scrambler, generating
// polynomial 1 + x^-6 + x^-7 (V.27 ter clause 4), including the guard that
// breaks repetitive line patterns: when the line bit has equalled at least
// one of the line bits 8, 9 or 12 positions earlier for 33 consecutive bit
// times, the next line bit is inverted. The descrambler inverts exactly the
// bits the far guard inverted.
//
// Reg holds past line bits, the most recent in bit 0. The zero value is a
// valid (all-zero) state.
type V27ter struct {
	Reg   uint32
	count int // consecutive line bits that matched a delayed copy of the line
}

// v27terGuardLimit is how many line bits in a row may repeat with period
// 8, 9 or 12 before the guard inverts one.
const v27terGuardLimit = 33

// guard updates the repetition count for line bit b and reports whether
// the guard inverts this bit.
func (s *V27ter) guard(b uint32) bool {
	if s.count >= v27terGuardLimit {
		s.count = 0
		return true
	}
	// b equals at least one of the line bits 8, 9 or 12 bit times earlier.
	if (s.Reg>>7^b)&(s.Reg>>8^b)&(s.Reg>>11^b)&1 == 0 {
		s.count++
	} else {
		s.count = 0
	}
	return false
}

// Scramble returns the line bit for data bit b (0 or 1).
func (s *V27ter) Scramble(b int) int {
	line := (uint32(b) ^ s.Reg>>5 ^ s.Reg>>6) & 1
	if s.guard(line) {
		line ^= 1
	}
	s.Reg = s.Reg<<1 | line
	return int(line)
}

// Descramble returns the data bit for line bit b (0 or 1).
func (s *V27ter) Descramble(b int) int {
	line := uint32(b) & 1
	out := (line ^ s.Reg>>5 ^ s.Reg>>6) & 1
	if s.guard(line) {
		out ^= 1
	}
	s.Reg = s.Reg<<1 | line
	return int(out)
}

// ScrambleWord scrambles m <= 6 data bits at once, guard included: w holds
// them first in time as the most significant, and so does the result. The
// taps reach 6 and 7 bits back and the guard compares with bits 8, 9 and
// 12 back, so within a group of 6 no line bit depends on another of the
// group, except through the guard's count; a group in which the count may
// reach the limit goes bit by bit.
func (s *V27ter) ScrambleWord(w uint32, m uint) uint32 {
	if s.count+int(m) > v27terGuardLimit {
		return bitByBit(w, m, s.Scramble)
	}
	// m <= 6 keeps every shift below 32, which the masks tell the
	// compiler (else it guards each).
	mask := uint32(1)<<(m&31) - 1
	line := (w ^ (s.Reg^s.Reg>>1)>>((6-m)&31)) & mask // taps 6 and 7 back
	s.absorb(line, m)
	return line
}

// DescrambleWord descrambles m <= 6 line bits at once, guard included: w
// holds them first in time as the most significant, and so does the
// result. As in ScrambleWord, only a group in which the guard's count may
// reach its limit goes bit by bit; otherwise no branch depends on the
// data (the guard's test of each bit, done bit by bit, is one that a
// processor mispredicts about once in eight bits of random data).
func (s *V27ter) DescrambleWord(w uint32, m uint) uint32 {
	if s.count+int(m) > v27terGuardLimit {
		return bitByBit(w, m, s.Descramble)
	}
	mask := uint32(1)<<(m&31) - 1
	line := w & mask
	out := (line ^ (s.Reg^s.Reg>>1)>>((6-m)&31)) & mask // taps 6 and 7 back
	s.absorb(line, m)
	return out
}

// absorb enters m <= 6 line bits (first in time most significant) into
// the register and the guard's count, for a group in which the count does
// not reach the limit.
func (s *V27ter) absorb(line uint32, m uint) {
	mask := uint32(1)<<(m&31) - 1
	// Bits that equal one of the line bits 8, 9 or 12 before them.
	r8 := s.Reg >> ((8 - m) & 31)
	rep := ^((line ^ r8) & (line ^ r8>>1) & (line ^ r8>>4)) & mask
	// tail <= m repeating bits end the group. If all m repeat, the run
	// goes on through the group; else it restarts after the last bit
	// that broke it. Chosen by a mask, not a branch: with random data the
	// run goes on in two groups of three out of three.
	tail := bits.TrailingZeros32(^rep)
	through := ^((tail - int(m)) >> 63) // all ones if tail == m, else 0
	s.count = tail + s.count&through
	s.Reg = s.Reg<<(m&31) | line
}

// bitByBit passes m bits of w, first in time most significant, through
// step one at a time, and returns its results likewise: the words' path
// for a group in which the guard may fire.
func bitByBit(w uint32, m uint, step func(int) int) uint32 {
	var out uint32
	for i := int(m) - 1; i >= 0; i-- {
		out = out<<1 | uint32(step(int(w>>i&1)))
	}
	return out
}
