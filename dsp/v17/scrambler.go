package v17

// scramblerSeed is the register state both ends start from, so that the
// scrambled ones of training segment 2 form the same CDBA sequence at the
// transmitter and at the receiver.
const scramblerSeed = 0x2ECDD5

// scrambler is the self-synchronising scrambler of V.17 (as V.29),
// generating polynomial 1 + x^-18 + x^-23. reg holds past line bits, the
// most recent in bit 0.
type scrambler struct{ reg uint32 }

// scramble returns the line bit for data bit b.
func (s *scrambler) scramble(b uint8) uint8 {
	out := (b ^ uint8(s.reg>>17) ^ uint8(s.reg>>22)) & 1
	s.reg = s.reg<<1 | uint32(out)
	return out
}

// descramble returns the data bit for line bit b.
func (s *scrambler) descramble(b uint8) uint8 {
	b &= 1
	out := (b ^ uint8(s.reg>>17) ^ uint8(s.reg>>22)) & 1
	s.reg = s.reg<<1 | uint32(b)
	return out
}

// scrambleWord scrambles m ≤ 18 bits at once: w holds them first in time
// as the most significant, and so does the result. The taps reach 18 and
// 23 bits back, so within a group of 18 no output depends on another.
func (s *scrambler) scrambleWord(w uint32, m uint) uint32 {
	out := (w ^ s.reg>>(18-m) ^ s.reg>>(23-m)) & (1<<m - 1)
	s.reg = s.reg<<m | out
	return out
}
