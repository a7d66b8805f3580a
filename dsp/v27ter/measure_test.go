package v27ter

import (
	"math"
	"os"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestMeasureLimits (V27TER_MEASURE=1) sweeps the signal level through
// G.711 and the white-noise level, with 10^5 bits per point, and logs the
// signal-to-noise ratio at the receiver input and the bit errors: where the
// modem stops being error free.
func TestMeasureLimits(t *testing.T) {
	if os.Getenv("V27TER_MEASURE") != "1" {
		t.Skip("set V27TER_MEASURE=1 to run the level and noise sweeps")
	}
	const nbits = 100000
	run := func(rate int, level float64, imp linesim.Impairments) (snr float64, errs int, trained bool) {
		bits := randomBits(nbits, 11)
		tx := transmit(t, Config{Rate: rate, Level: level}, bits)
		tx = append(tx, make([]int16, 800)...)
		got := linesim.New(imp).Apply(nil, tx)
		var sig, noise float64
		for i := range tx {
			d := float64(got[i]) - float64(tx[i])
			sig += float64(tx[i]) * float64(tx[i])
			noise += d * d
		}
		snr = 10 * math.Log10(sig/noise)
		var out []byte
		rx, err := NewReceiver(Config{Rate: rate, CarrierOn: -70, CarrierOff: -75},
			func(b int) { out = append(out, byte(b)) },
			func(s dsp.Status, _ int64) { trained = trained || s == dsp.Trained })
		if err != nil {
			t.Fatal(err)
		}
		rx.Receive(got)
		for i := range bits {
			if i >= len(out) || out[i] != bits[i] {
				errs++
			}
		}
		return snr, errs, trained
	}
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
			for level := -40.0; level >= -60; level -= 2 {
				snr, errs, trained := run(rate, level, linesim.Impairments{Law: law})
				t.Logf("%d %v level %5.1f dBm0: SNR %5.1f dB, trained %v, %d errors in %d bits", rate, law, level, snr, trained, errs, nbits)
			}
		}
		for noise := -34.0; noise <= -16; noise += 1 {
			snr, errs, trained := run(rate, DefaultLevel, linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(noise), Seed: 1})
			t.Logf("%d ulaw -10 dBm0, noise %5.1f dBm0: SNR %5.1f dB, trained %v, %d errors in %d bits", rate, noise, snr, trained, errs, nbits)
		}
	}
}
