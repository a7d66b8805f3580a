package v27ter

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestNoiseBeforeTraining puts 500 ms of line noise before the training:
// the receiver must not train on the noise, and must then train on the
// real signal and deliver every bit.
func TestNoiseBeforeTraining(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, noise := range []float64{-50, -40, -30} {
			for seed := range uint64(4) {
				t.Run(fmt.Sprintf("%d/%vdBm0/seed%d", rate, noise, seed), func(t *testing.T) {
					bits := randomBits(5000, seed)
					const lead = 4000 // 500 ms
					tx := transmit(t, Config{Rate: rate, Level: DefaultLevel}, bits)
					in := append(make([]int16, lead), tx...)
					line := linesim.New(linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(noise), Seed: seed})
					got, events := receiveAll(t, rate, line.Apply(nil, append(in, make([]int16, 800)...)))
					for _, e := range events {
						if e.s == dsp.Trained && e.at < lead {
							t.Fatalf("trained on noise at sample %d: %v", e.at, events)
						}
						if e.s == dsp.TrainingFailed {
							t.Errorf("training failed at sample %d: %v", e.at, events)
						}
					}
					checkBits(t, bits, got, events)
				})
			}
		}
	}
}

// TestNoTrainingOnNoise feeds long stretches of noise at many levels, and
// other modems' signals, and expects no Trained and no bits.
func TestNoTrainingOnNoise(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, noise := range []float64{-40, -25, -10, 0} {
			t.Run(fmt.Sprintf("%d/%vdBm0", rate, noise), func(t *testing.T) {
				line := linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(noise), Seed: uint64(rate) + uint64(-noise)})
				in := line.Apply(nil, make([]int16, 10*dsp.SampleRate))
				got, events := receiveAll(t, rate, in)
				for _, e := range events {
					if e.s == dsp.Trained {
						t.Fatalf("trained on noise: %v", events)
					}
				}
				if len(got) != 0 {
					t.Errorf("%d bits from noise", len(got))
				}
			})
		}
	}
}
