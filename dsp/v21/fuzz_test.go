package v21

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/softfax/softfax/dsp"
)

// FuzzReceiver feeds arbitrary audio (int16 little endian) in arbitrary
// block sizes: the receiver must not panic, must report statuses in order
// (up, down, up, ...) at increasing sample indices, and must pass bits only
// while the carrier is up.
func FuzzReceiver(f *testing.F) {
	sig := modulate(Config{}, []byte{0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1})
	raw := make([]byte, 2*len(sig))
	for i, s := range sig {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(s))
	}
	f.Add(raw, uint8(160))
	f.Add(raw[:len(raw)/2], uint8(1))
	f.Add([]byte{0xFF, 0x7F, 0x00, 0x80}, uint8(7))
	f.Add(make([]byte, 4000), uint8(160)) // silence
	noise := make([]byte, 8000)
	for i := range noise {
		noise[i] = byte(i*7919 + i*i*31) // loud pseudo-random samples
	}
	f.Add(noise, uint8(33))
	// Another modem's signal: V.21 channel 1 (1080 ± 100 Hz), cut mid-bit.
	ch1 := make([]byte, 0, 4000)
	for i := range 2000 {
		ch1 = binary.LittleEndian.AppendUint16(ch1, uint16(int16(8000*math.Sin(2*math.Pi*1180*float64(i)/dsp.SampleRate))))
	}
	f.Add(ch1, uint8(80))
	f.Fuzz(func(t *testing.T, in []byte, block uint8) {
		samples := make([]int16, len(in)/2)
		for i := range samples {
			samples[i] = int16(binary.LittleEndian.Uint16(in[2*i:]))
		}
		total := int64(len(samples))
		up := false
		last := int64(-1)
		rx := NewReceiver(Config{}, func(int) {
			if !up {
				t.Fatal("bit while carrier down")
			}
		}, func(s dsp.Status, at int64) {
			if at < last || at >= total {
				t.Fatalf("%v at %d (last %d, %d samples)", s, at, last, total)
			}
			last = at
			switch {
			case s == dsp.CarrierUp && !up:
				up = true
			case s == dsp.CarrierDown && up:
				up = false
			default:
				t.Fatalf("unexpected %v (up=%v)", s, up)
			}
		})
		n := max(int(block), 1)
		for len(samples) > 0 {
			k := min(n, len(samples))
			rx.Receive(samples[:k])
			samples = samples[k:]
		}
	})
}
