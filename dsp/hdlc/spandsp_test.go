package hdlc

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/softfax/softfax/internal/spandsp"
)

func interopFrames() [][]byte {
	r := rand.New(rand.NewPCG(7, 7))
	frames := [][]byte{
		{0xFF, 0x13, 0x80, 0x00, 0xCE, 0xF4, 0x80, 0x80, 0x81},
		bytes.Repeat([]byte{0xFF}, 40),
		bytes.Repeat([]byte{0x7E}, 40),
		{0x00, 0x00},
	}
	for range 20 {
		f := make([]byte, 2+r.IntN(256))
		for i := range f {
			f[i] = byte(r.IntN(256))
		}
		frames = append(frames, f)
	}
	return frames
}

func bitString(bits []int) string {
	var b strings.Builder
	for _, v := range bits {
		b.WriteByte(byte('0' + v))
	}
	return b.String()
}

// TestSpandspHDLC: our encoder's bits decode in spandsp's hdlc_rx and
// spandsp's hdlc_tx bits in our decoder, frames identical; and each
// frame's bits between flags (zero insertion and FCS) are identical.
func TestSpandspHDLC(t *testing.T) {
	h := spandsp.Require(t)
	frames := interopFrames()

	ours := encodeAll(NewEncoder(frameSource(frames...), 8))
	oursBytes := make([]byte, len(ours))
	for i, b := range ours {
		oursBytes[i] = byte(b)
	}
	got, _ := h.HDLCDecode(t, oursBytes)
	if len(got) != len(frames) {
		t.Fatalf("spandsp decoded %d frames of ours, want %d", len(got), len(frames))
	}
	for i, f := range got {
		if !f.OK || !bytes.Equal(f.Data, frames[i]) {
			t.Errorf("spandsp: frame %d = %x ok=%v, want %x", i, f.Data, f.OK, frames[i])
		}
	}

	theirBits := h.HDLCBits(t, frames, 8)
	theirs := make([]int, len(theirBits))
	for i, b := range theirBits {
		theirs[i] = int(b)
	}
	dec, _ := decodeAll(theirs)
	if len(dec) != len(frames) {
		t.Fatalf("we decoded %d frames of spandsp's, want %d", len(dec), len(frames))
	}
	for i, f := range dec {
		if !f.ok || !bytes.Equal(f.data, frames[i]) {
			t.Errorf("ours: frame %d = %x ok=%v, want %x", i, f.data, f.ok, frames[i])
		}
	}

	// Bit exactness: split both streams on flags and compare the frames'
	// bits. (spandsp rotates idle flags to its bit position; a frame's
	// content does not depend on that.)
	a, b := frameBits(ours), frameBits(theirs)
	if len(a) != len(frames) || len(b) != len(frames) {
		t.Fatalf("found %d and %d frame bit runs, want %d", len(a), len(b), len(frames))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("frame %d: bits differ\nours    %s\nspandsp %s", i, a[i], b[i])
		}
	}
}

// frameBits returns the bits between flags of each frame, as text.
func frameBits(bits []int) []string {
	s := bitString(bits)
	var out []string
	for _, part := range strings.Split(s, "01111110") {
		if len(part) >= 32 && !strings.Contains(part, "1111111") {
			out = append(out, part)
		}
	}
	return out
}
