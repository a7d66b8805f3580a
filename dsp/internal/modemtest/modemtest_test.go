package modemtest

import (
	"slices"
	"testing"
)

// countdown transmits n samples of value 1, then stops.
type countdown struct{ n int }

func (c *countdown) Transmit(out []int16) int {
	k := min(c.n, len(out))
	for i := range k {
		out[i] = 1
	}
	c.n -= k
	return k
}

func TestHelpers(t *testing.T) {
	a, b := RandomBits[byte](100, 1, 2), RandomBits[int](100, 1, 2)
	for i := range a {
		if int(a[i]) != b[i] || a[i] > 1 {
			t.Fatalf("bit %d: %d and %d", i, a[i], b[i])
		}
	}
	if slices.Equal(a, RandomBits[byte](100, 1, 3)) {
		t.Error("another stream gave the same bits")
	}
	src := Source(a)
	for i := range a {
		if v, ok := src(); !ok || v != int(a[i]) {
			t.Fatalf("bit %d: got %d, %v", i, v, ok)
		}
	}
	if _, ok := src(); ok {
		t.Error("the source did not end")
	}
	if got := TransmitAll(&countdown{n: 1000}); len(got) != 1000 || got[999] != 1 {
		t.Errorf("TransmitAll returned %d samples", len(got))
	}
}
