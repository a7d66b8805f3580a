package v21

import (
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestLowLevels finds, for each law, the weakest level received without
// errors; V.21 §6 requires -43 dBm0, the carrier detector switches off
// near -44.5 dBm0.
func TestLowLevels(t *testing.T) {
	bits := randomBits(3000, 5)
	sig := append(modulate(Config{}, bits), make([]int16, 400)...)
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		weakest := 0.0
		for level := -40.0; level >= -50; level -= 0.5 {
			in := linesim.New(linesim.Impairments{GainDB: level - DefaultLevelDBm0, Law: law}).Apply(nil, sig)
			got, _ := demodulate(in)
			if countErrors(bits, got) != 0 {
				break
			}
			weakest = level
		}
		t.Logf("%v: error-free down to %.1f dBm0", law, weakest)
		if weakest > -43 {
			t.Errorf("%v: errors above -43 dBm0 (error-free only to %.1f)", law, weakest)
		}
	}
}
