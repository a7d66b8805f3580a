package v21

import (
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/dsp/v17"
)

// TestCarrierNeedsFSK: energy in the band is not a V.21 carrier. Loud
// noise or a V.17 signal (whose spectrum covers the V.21 band) never
// raise it, a V.17 signal holds it for at most its first segment, and a V.21 signal followed by noise above the -48 dBm0 off
// level (or at once by V.17) drops within a few milliseconds.
func TestCarrierNeedsFSK(t *testing.T) {
	hs := make([]int16, 16000)
	v17tx, err := v17.NewTransmitter(v17.Config{Rate: 14400}, func() (int, bool) { return 1, true })
	if err != nil {
		t.Fatal(err)
	}
	v17tx.Transmit(hs)
	sig := modulate(Config{}, randomBits(600, 3))
	for _, tc := range []struct {
		name   string
		in     []int16
		noise  float64
		downBy int // carrier down within this many samples of len(sig); -1: never up
	}{
		{"noise -40", make([]int16, 16000), -40, -1},
		{"noise -30", make([]int16, 16000), -30, -1},
		{"v21 then noise -40", append(append([]int16(nil), sig...), make([]int16, 8000)...), -40, 200},
		// V.17's segment 1 (107 ms) holds a steady 1800 Hz tone, halfway
		// between V.21's and inside the off threshold; its end drops the
		// carrier.
		{"v21 then v17", append(append([]int16(nil), sig...), hs...), -60, 960},
		// V.17's segment 1 (107 ms) holds a steady 1800 Hz tone, halfway
		// between V.21's: it may pass for a carrier (its bits are all 0,
		// never a flag) but the training after it drops it.
		{"v17", hs, -60, 960},
	} {
		in := linesim.New(linesim.Impairments{Law: g711.Ulaw, GainDB: -3, NoiseDBm0: linesim.Noise(tc.noise), Seed: 9}).Apply(nil, tc.in)
		_, events := demodulate(in)
		if tc.downBy < 0 {
			if len(events) != 0 {
				t.Errorf("%s: events %v, want none", tc.name, events)
			}
			continue
		}
		if tc.name == "v17" && len(events) == 2 && events[1].at <= int64(tc.downBy) {
			continue
		}
		if len(events) != 2 || events[0].s != dsp.CarrierUp || events[1].s != dsp.CarrierDown {
			t.Errorf("%s: events %v, want up then down", tc.name, events)
			continue
		}
		if tc.name == "v17" {
			continue
		}
		if d := events[1].at - int64(len(sig)); d < 0 || d > int64(tc.downBy) {
			t.Errorf("%s: carrier down %d samples after the V.21 signal", tc.name, d)
		}
	}
}
