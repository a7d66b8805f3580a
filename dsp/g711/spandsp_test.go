package g711

import (
	"testing"

	"github.com/softfax/softfax/internal/spandsp"
)

// TestSpandspG711 compares every 16-bit input and every code with spandsp's
// G.711 (spandsp/g711.h), the tables iaxmodem and Asterisk's peers use.
func TestSpandspG711(t *testing.T) {
	ref := spandsp.Require(t).G711(t)
	bad := 0
	for i := range 65536 {
		x := int16(i)
		if got, want := EncodeUlaw(x), ref.LinearToUlaw[uint16(x)]; got != want && bad < 10 {
			t.Errorf("EncodeUlaw(%d) = %#02x, spandsp %#02x", x, got, want)
			bad++
		}
		if got, want := EncodeAlaw(x), ref.LinearToAlaw[uint16(x)]; got != want && bad < 10 {
			t.Errorf("EncodeAlaw(%d) = %#02x, spandsp %#02x", x, got, want)
			bad++
		}
	}
	for c := range 256 {
		if got, want := DecodeUlaw(byte(c)), ref.UlawToLinear[c]; got != want {
			t.Errorf("DecodeUlaw(%#02x) = %d, spandsp %d", c, got, want)
		}
		if got, want := DecodeAlaw(byte(c)), ref.AlawToLinear[c]; got != want {
			t.Errorf("DecodeAlaw(%#02x) = %d, spandsp %d", c, got, want)
		}
	}
}
