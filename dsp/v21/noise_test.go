package v21

import (
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestNoiseBeforeSignal: 500 ms of line noise before the signal neither
// raises the carrier nor stops the receiver from taking the signal that
// follows; every bit arrives.
func TestNoiseBeforeSignal(t *testing.T) {
	for _, noise := range []float64{-60, -50, -40} {
		bits := randomBits(3000, 21)
		in := append(make([]int16, 4000), modulate(Config{}, bits)...)
		in = append(in, make([]int16, 800)...)
		in = linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(noise), Seed: 9}).Apply(nil, in)
		got, events := demodulate(in)
		if len(events) == 0 || events[0].s != dsp.CarrierUp || events[0].at < 4000 {
			t.Errorf("noise %v dBm0: events %v, want carrier up after 4000", noise, events)
		}
		if errs := countErrors(bits, got); errs != 0 {
			t.Errorf("noise %v dBm0: %d bit errors", noise, errs)
		}
	}
}
