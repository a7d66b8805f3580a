package t4

import (
	"strings"
	"testing"
)

// TestCodeTablesPrefixFree: within each table no code is a prefix of
// another, and none starts with the eight zeros that announce an EOL —
// otherwise decoding would be ambiguous (T.4 §4.1.2 relies on it).
func TestCodeTablesPrefixFree(t *testing.T) {
	var white, black []string
	white = append(white, whiteTermCodes[:]...)
	white = append(white, whiteMakeupCodes[:]...)
	white = append(white, extMakeupCodes[:]...)
	black = append(black, blackTermCodes[:]...)
	black = append(black, blackMakeupCodes[:]...)
	black = append(black, extMakeupCodes[:]...)
	modes := []string{codePass, codeHoriz, codeV0, codeVR1, codeVR2, codeVR3, codeVL1, codeVL2, codeVL3, codeExt2D}
	for name, set := range map[string][]string{"white": white, "black": black, "modes": modes} {
		for i, a := range set {
			if strings.HasPrefix(a, "00000000") {
				t.Errorf("%s code %q looks like an EOL", name, a)
			}
			for j, b := range set {
				if i != j && strings.HasPrefix(b, a) {
					t.Errorf("%s: %q is a prefix of %q", name, a, b)
				}
			}
		}
	}
	if len(white) != 104 || len(black) != 104 {
		t.Errorf("%d white and %d black codes, want 104 each", len(white), len(black))
	}
}

// TestRunCodesDecode: every run length up to maxRun encodes and decodes
// through the tables to itself, for both colours.
func TestRunCodesDecode(t *testing.T) {
	for color := range 2 {
		for run := 0; run <= maxRun; run++ {
			c := runCodes[color][run]
			var w bitWriter
			w.writeVLC(c)
			w.write(0xffff, 16) // what follows must not matter
			d := &Decoder{}
			r := newBitReader(w.flush(), 0)
			got, st := d.readRun(&r, color, maxRun)
			pos := r.pos()
			if st != rowOK || got != run || pos != int(c.bits) {
				t.Fatalf("%s %d: decoded %d in %d bits (status %d), coded in %d", colorName[color], run, got, pos, st, c.bits)
			}
		}
	}
}

// codecEveryCodePage has, for both colours, runs of every length that uses a
// different terminating or make-up code, and the lengths around each
// make-up boundary.
func codecEveryCodePage(tb testing.TB) *Page {
	var lengths []int
	for n := range 70 {
		lengths = append(lengths, n)
	}
	for m := 128; m <= 2688; m += 64 {
		lengths = append(lengths, m-1, m, m+1, m+63)
	}
	p := codecMustPage(tb, 2*2752+8, len(lengths))
	for y, n := range lengths {
		// A white run of n (from 0), a black run of n, then white.
		for x := n; x < 2*n; x++ {
			p.Set(x, y, true)
		}
	}
	return p
}
