// Package modemtest holds the helpers that the modem packages' tests share:
// reproducible random bits, a bit source over a slice, and running a
// transmitter to its end. It is imported by tests only.
package modemtest

import (
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
)

// Bit is the element type of a bit slice: one bit, 0 or 1, per element.
type Bit interface{ ~int | ~byte }

// RandomBits returns n reproducible random bits from the PCG generator
// seeded with seed and stream.
func RandomBits[T Bit](n int, seed, stream uint64) []T {
	rng := rand.New(rand.NewPCG(seed, stream))
	b := make([]T, n)
	for i := range b {
		b[i] = T(rng.IntN(2))
	}
	return b
}

// Source returns a BitSource that yields bits, then reports the end.
func Source[T Bit](bits []T) dsp.BitSource {
	i := 0
	return func() (int, bool) {
		if i == len(bits) {
			return 0, false
		}
		i++
		return int(bits[i-1]), true
	}
}

// TransmitAll runs tx to the end of its transmission, in blocks of 160
// samples (20 ms), and returns the samples.
func TransmitAll(tx dsp.Transmitter) []int16 {
	var out []int16
	buf := make([]int16, 160)
	for {
		n := tx.Transmit(buf)
		out = append(out, buf[:n]...)
		if n < len(buf) {
			return out
		}
	}
}

// Transmit makes a transmitter with newTx over bits and runs it to the
// end of its transmission; an error from newTx fails tb.
func Transmit[T Bit, Tx dsp.Transmitter](tb testing.TB, newTx func(dsp.BitSource) (Tx, error), bits []T) []int16 {
	tb.Helper()
	tx, err := newTx(Source(bits))
	if err != nil {
		tb.Fatal(err)
	}
	return TransmitAll(tx)
}
