package hdlc

import (
	"bytes"
	"testing"
)

// FuzzDecoder feeds arbitrary bit streams (bytes taken LSB first) to the
// decoder: it must not panic, must respect the maximum length, and every
// frame it calls good must carry a valid FCS.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x7E, 0x7E, 0xFF, 0x13, 0x80, 0x7E})
	f.Add(bytes.Repeat([]byte{0xFF}, 16))
	f.Add(bitsToBytes(encodeAll(NewEncoder(frameSource([]byte{0xFF, 0x13, 0x80, 0x00, 0x46}), 2))))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewDecoder(func(data []byte, ok bool) {
			if len(data)+2 > DefaultMaxFrameLen {
				t.Fatalf("frame of %d octets", len(data))
			}
			if ok {
				fcs := FCS(data)
				crc := uint16(crcInit)
				for _, b := range append(append([]byte(nil), data...), fcs[:]...) {
					crc = crcUpdate(crc, b)
				}
				if crc != goodResidue {
					t.Fatal("good frame fails the residue check")
				}
			}
		})
		d.OnFraming(2, func() {})
		for _, b := range in {
			for i := range 8 {
				d.PutBit(int(b >> i & 1))
			}
		}
	})
}

// FuzzRoundTrip encodes arbitrary frames and checks they decode unchanged.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0xFF, 0x13, 0x80}, []byte{0x7E, 0x7D})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var frames [][]byte
		for _, fr := range [][]byte{a, b} {
			if len(fr) >= 2 && len(fr) <= DefaultMaxFrameLen-2 {
				frames = append(frames, fr)
			}
		}
		got, _ := decodeAll(encodeAll(NewEncoder(frameSource(frames...), 1)))
		if len(got) != len(frames) {
			t.Fatalf("%d frames back, want %d", len(got), len(frames))
		}
		for i := range got {
			if !got[i].ok || !bytes.Equal(got[i].data, frames[i]) {
				t.Fatalf("frame %d: %x, want %x", i, got[i].data, frames[i])
			}
		}
	})
}

func bitsToBytes(bits []int) []byte {
	out := make([]byte, (len(bits)+7)/8)
	for i, b := range bits {
		out[i/8] |= byte(b&1) << (i % 8)
	}
	return out
}
