package qam

import (
	"math/rand/v2"
	"testing"
)

func TestSymbolBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	bits := make([]int, 200)
	for i := range bits {
		bits[i] = rng.IntN(2)
	}
	for n := uint(1); n <= 6; n++ {
		for _, have := range []int{0, 1, int(n) - 1, int(n), 5*int(n) + 1, 20 * int(n), 200} {
			calls, after := 0, 0
			src := func() (int, bool) {
				if calls >= have {
					after++
					return 0, false
				}
				calls++
				return bits[calls-1] | 6, true // only bit 0 counts
			}
			words := make([]int, 20)
			filled, ended := SymbolBits(src, words, n)
			// The reference: bits shifted in one at a time, ones after the end.
			want := min(20, have/int(n)+1)
			if have >= 20*int(n) {
				want = 20
			}
			if filled != want || ended != (have < 20*int(n)) {
				t.Fatalf("n=%d, %d bits: filled %d, ended %v; want %d, %v", n, have, filled, ended, want, have < 20*int(n))
			}
			if ended && after != 1 {
				t.Errorf("n=%d, %d bits: src called %d times after it ran dry", n, have, after-1)
			}
			for i, w := range words[:filled] {
				var ref int
				for j := range int(n) {
					b := 1
					if k := i*int(n) + j; k < have {
						b = bits[k]
					}
					ref = ref<<1 | b
				}
				if w != ref {
					t.Fatalf("n=%d, %d bits: word %d = %#b, want %#b", n, have, i, w, ref)
				}
			}
		}
	}
}

// BenchmarkSymbolBits measures the cost per bit of a source like the
// modem benchmark's, six bits to a symbol (V.17 at 14400 bit/s).
func BenchmarkSymbolBits(b *testing.B) {
	bits := make([]byte, 1<<16)
	for i := range bits {
		bits[i] = byte(i * 7 >> 3 & 1)
	}
	pos := 0
	src := func() (int, bool) {
		if pos == len(bits) {
			pos = 0
		}
		pos++
		return int(bits[pos-1]), true
	}
	words := make([]int, 48)
	for b.Loop() {
		SymbolBits(src, words, 6)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(words)*6), "ns/bit")
}

// FuzzSymbolBits checks SymbolBits against bits shifted in one at a time,
// for any symbol size, number of words and source: the source's values
// count by their low bit only, and it is not called again once it has run
// dry.
func FuzzSymbolBits(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint8, words uint8, bits []byte) {
		size := uint(n%6 + 1)
		calls, after := 0, 0
		src := func() (int, bool) {
			if calls == len(bits) {
				after++
				return 0, false
			}
			calls++
			return int(bits[calls-1]) - 128, true
		}
		got := make([]int, words)
		filled, ended := SymbolBits(src, got, size)
		want, k := make([]int, 0, len(got)), 0
		for range got {
			if k > len(bits) {
				break
			}
			w := 0
			for range size {
				b := 1
				if k < len(bits) {
					b = int(bits[k]) & 1
				}
				k++
				w = w<<1 | b
			}
			want = append(want, w)
		}
		if filled != len(want) || ended != (k > len(bits)) || after > 1 {
			t.Fatalf("%d bits, %d of %d: filled %d, ended %v, %d calls after the end; want %d, %v", len(bits), words, size, filled, ended, after, len(want), k > len(bits))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("word %d = %#b, want %#b", i, got[i], want[i])
			}
		}
	})
}
