package scrambler

import (
	"math/rand/v2"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name  string
		tx    func(int) int
		rx    func(int) int
		after int // bits the descrambler needs to synchronise
	}{
		{"V29", (&V29{Reg: 0x2ECDD5}).Scramble, (&V29{Reg: 12345}).Descramble, 23},
		{"V27ter", (&V27ter{Reg: 0x3c}).Scramble, (&V27ter{Reg: 0x55}).Descramble, 13 + v27terGuardLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 20000 {
				b := rng.IntN(2)
				if i%3000 > 2500 {
					b = 1 // long runs of ones exercise the V.27 ter guard
				}
				if got := tc.rx(tc.tx(b)); i >= tc.after && got != b {
					t.Fatalf("bit %d: descrambled %d, sent %d", i, got, b)
				}
			}
		})
	}
}

func TestV29Word(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	bit, word := V29{Reg: 0x2ECDD5}, V29{Reg: 0x2ECDD5}
	dbit, dword := V29{}, V29{}
	for range 2000 {
		m := uint(1 + rng.IntN(18))
		w := rng.Uint32() & (1<<m - 1)
		var want, back uint32
		for i := int(m) - 1; i >= 0; i-- {
			want = want<<1 | uint32(bit.Scramble(int(w>>i&1)))
		}
		for i := int(m) - 1; i >= 0; i-- {
			back = back<<1 | uint32(dbit.Descramble(int(want>>i&1)))
		}
		if got := word.ScrambleWord(w, m); got != want {
			t.Fatalf("ScrambleWord(%#x, %d) = %#x, bit by bit %#x", w, m, got, want)
		}
		if got := dword.DescrambleWord(want, m); got != back {
			t.Fatalf("DescrambleWord(%#x, %d) = %#x, bit by bit %#x", want, m, got, back)
		}
	}
}

// TestV27terGuard checks the guard fires on a repetitive line: all-ones
// data from an all-ones register gives a constant line, which the guard
// must break after 33 repeated bits.
func TestV27terGuard(t *testing.T) {
	s := V27ter{Reg: 0}
	inverted := 0
	for range 200 {
		before := (s.Reg>>5 ^ s.Reg>>6 ^ 0) & 1
		if uint32(s.Scramble(0)) != before {
			inverted++
		}
	}
	if inverted == 0 {
		t.Fatal("the guard never inverted a bit of an all-zero line")
	}
}

// TestV27terWord checks ScrambleWord and DescrambleWord against Scramble
// and Descramble bit by bit, on random bits and on runs that make the
// guard fire.
func TestV27terWord(t *testing.T) {
	for _, tc := range []struct {
		name string
		bit  func(*V27ter, int) int
		word func(*V27ter, uint32, uint) uint32
	}{
		{"Scramble", (*V27ter).Scramble, (*V27ter).ScrambleWord},
		{"Descramble", (*V27ter).Descramble, (*V27ter).DescrambleWord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			bit, word := V27ter{Reg: 0x3c}, V27ter{Reg: 0x3c}
			inverted := 0
			for g := range 20000 {
				m := uint(1 + rng.IntN(6))
				w := rng.Uint32() & (1<<m - 1)
				switch g / 500 % 3 {
				case 1:
					w = 1<<m - 1 // ones: a repetitive line from some states
				case 2:
					w = 0
				}
				var want uint32
				for i := int(m) - 1; i >= 0; i-- {
					plain := (bit.Reg>>5 ^ bit.Reg>>6 ^ w>>i) & 1 // without the guard
					b := uint32(tc.bit(&bit, int(w>>i&1)))
					if b != plain {
						inverted++
					}
					want = want<<1 | b
				}
				if got := tc.word(&word, w, m); got != want || word != bit {
					t.Fatalf("group %d: %sWord(%#x, %d) = %#x, state %+v; bit by bit %#x, state %+v", g, tc.name, w, m, got, word, want, bit)
				}
			}
			if inverted == 0 {
				t.Error("the guard never fired: the test does not cover it")
			}
		})
	}
}
