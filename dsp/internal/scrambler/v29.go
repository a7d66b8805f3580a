package scrambler

// V29 is the self-synchronising scrambler with generating polynomial
// 1 + x^-18 + x^-23 (V.29 clause 4, used unchanged by V.17 and V.32bis).
// Reg holds the past line bits, the most recent in bit 0.
type V29 struct{ Reg uint32 }

// Scramble returns the line bit for data bit b (0 or 1).
func (s *V29) Scramble(b int) int {
	out := (uint32(b) ^ s.Reg>>17 ^ s.Reg>>22) & 1
	s.Reg = s.Reg<<1 | out
	return int(out)
}

// Descramble returns the data bit for line bit b (0 or 1).
func (s *V29) Descramble(b int) int {
	in := uint32(b) & 1
	out := (in ^ s.Reg>>17 ^ s.Reg>>22) & 1
	s.Reg = s.Reg<<1 | in
	return int(out)
}

// ScrambleWord scrambles m <= 18 data bits at once: w holds them first in
// time as the most significant, and so does the result. The taps reach 18
// and 23 bits back, so within a group of 18 no line bit depends on another
// of the group.
func (s *V29) ScrambleWord(w uint32, m uint) uint32 {
	out, next := s.Step(w, m)
	*s = next
	return out
}

// Step is ScrambleWord for a scrambler held in a local variable of a loop:
// it returns the line bits and the scrambler after them, leaving s as it
// is, so that the compiler can keep the register in a CPU register (a
// method that takes the variable's address keeps it in memory).
func (s V29) Step(w uint32, m uint) (uint32, V29) {
	// The taps 18 and 23 back in one shift; with m <= 18 every shift is
	// below 32, which the masks tell the compiler (else it guards each).
	out := (w ^ (s.Reg^s.Reg>>5)>>((18-m)&31)) & (1<<(m&31) - 1)
	return out, V29{Reg: s.Reg<<(m&31) | out}
}

// DescrambleWord is ScrambleWord's inverse: it takes m <= 18 line bits,
// first in time most significant, and returns the data bits likewise.
func (s *V29) DescrambleWord(w uint32, m uint) uint32 {
	w &= 1<<m - 1
	out := (w ^ s.Reg>>(18-m) ^ s.Reg>>(23-m)) & (1<<m - 1)
	s.Reg = s.Reg<<m | w
	return out
}
