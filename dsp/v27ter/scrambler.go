package v27ter

// scrambler is the V.27 ter self-synchronising scrambler and descrambler,
// generating polynomial 1 + x^-6 + x^-7 (V.27 ter scrambler clause), including the guard
// that breaks repetitive line patterns: when the line bit has equalled at
// least one of the bits 8, 9 or 12 positions earlier for 33 consecutive bit
// times, the next line bit is inverted.
//
// reg holds past line bits, the most recent in bit 0. The zero value is a
// valid (all-zero) state.
type scrambler struct {
	reg   uint32
	count int // consecutive line bits that matched a delayed copy of the line
}

// trainingSeed is the state of the scrambler at the start of segment 4 of
// the synchronizing sequence (line bits ...0011110, newest last).
const trainingSeed = 0x3c

// guardLimit is how many line bits in a row may repeat with period 8, 9 or
// 12 before the guard inverts one.
const guardLimit = 33

// repeats reports whether line bit b equals at least one of the line bits
// sent 8, 9 or 12 bit times earlier.
func (s *scrambler) repeats(b uint32) bool {
	differs := (s.reg>>7 ^ b) & (s.reg>>8 ^ b) & (s.reg>>11 ^ b) & 1
	return differs == 0
}

// scramble returns the line bit for data bit in (0 or 1).
func (s *scrambler) scramble(in int) int {
	b := (uint32(in) ^ s.reg>>5 ^ s.reg>>6) & 1
	switch {
	case s.count >= guardLimit:
		b ^= 1
		s.count = 0
	case s.repeats(b):
		s.count++
	default:
		s.count = 0
	}
	s.reg = s.reg<<1 | b
	return int(b)
}

// descramble returns the data bit for line bit in (0 or 1); it inverts
// exactly the bits the far end's guard inverted.
func (s *scrambler) descramble(in int) int {
	b := uint32(in) & 1
	out := (b ^ s.reg>>5 ^ s.reg>>6) & 1
	switch {
	case s.count >= guardLimit:
		out ^= 1
		s.count = 0
	case s.repeats(b):
		s.count++
	default:
		s.count = 0
	}
	s.reg = s.reg<<1 | b
	return int(out)
}
