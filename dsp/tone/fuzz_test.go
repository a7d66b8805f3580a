package tone

import (
	"encoding/binary"
	"testing"
)

// FuzzDetector: any audio, any block size: no panic, events in order, an
// end only after a detection.
func FuzzDetector(f *testing.F) {
	raw := make([]byte, 0, 2*8000)
	for _, s := range generate(CED(0), 8000) {
		raw = binary.LittleEndian.AppendUint16(raw, uint16(s))
	}
	f.Add(raw, uint8(80), false)
	f.Add(raw[:3000], uint8(1), true)
	f.Fuzz(func(t *testing.T, in []byte, block uint8, cng bool) {
		samples := make([]int16, len(in)/2)
		for i := range samples {
			samples[i] = int16(binary.LittleEndian.Uint16(in[2*i:]))
		}
		cfg := CEDDetector()
		if cng {
			cfg = CNGDetector()
		}
		present := false
		var last int64
		d := NewDetector(cfg, func(e Event) {
			if e.At < last || e.Start > e.At || e.At > int64(len(samples)) {
				t.Fatalf("event %+v out of order (last %d)", e, last)
			}
			last = e.At
			if !e.Present && !present {
				t.Fatalf("end without detection: %+v", e)
			}
			present = e.Present && !cng
		})
		n := max(int(block), 1)
		for k := 0; k < len(samples); k += n {
			d.Receive(samples[k:min(k+n, len(samples))])
		}
	})
}
