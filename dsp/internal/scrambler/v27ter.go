package scrambler

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
