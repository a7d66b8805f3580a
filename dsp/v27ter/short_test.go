package v27ter

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestShortTrain sends a long-train burst, a gap, then a short-train burst
// (as V.27 ter allows at the same rate), and also a short train to a fresh
// receiver. The receiver tells the sequences apart by themselves.
func TestShortTrain(t *testing.T) {
	imps := map[string]linesim.Impairments{
		"ulaw":   {Law: g711.Ulaw},
		"impair": {Law: g711.Alaw, FreqOffsetHz: -7, ClockPPM: 100, NoiseDBm0: linesim.Noise(-40), Seed: 9},
	}
	for _, rate := range []int{Rate4800, Rate2400} {
		for name, imp := range imps {
			t.Run(fmt.Sprintf("%d/%s/long+short", rate, name), func(t *testing.T) {
				first, second := randomBits(3000, 1), randomBits(20000, 2)
				in := transmit(t, Config{Rate: rate, Level: DefaultLevel}, first)
				in = append(in, make([]int16, 600)...) // 75 ms gap
				in = append(in, transmit(t, Config{Rate: rate, Level: DefaultLevel, ShortTrain: true}, second)...)
				in = append(in, make([]int16, 800)...)
				got, events := receiveAll(t, rate, linesim.New(imp).Apply(nil, in))
				var kinds []dsp.Status
				for _, e := range events {
					kinds = append(kinds, e.s)
				}
				want := []dsp.Status{dsp.CarrierUp, dsp.Trained, dsp.CarrierDown, dsp.CarrierUp, dsp.Trained, dsp.CarrierDown}
				// (With -40 dBm0 of noise the energy stays up; the receiver
				// then reports CarrierDown when the signal stops making sense.)
				if fmt.Sprint(kinds) != fmt.Sprint(want) {
					t.Fatalf("events %v, want %v", events, want)
				}
				// Each burst delivers its bits then trailer ones until the
				// carrier drops (or the next training starts).
				if len(got) < len(first)+len(second) {
					t.Fatalf("got %d bits", len(got))
				}
				checkPrefix(t, "first burst", first, got)
				// find the second burst: it follows the first burst's trailer
				idx := indexOf(got[len(first):], second[:64])
				if idx < 0 {
					t.Fatalf("second burst not found")
				}
				checkPrefix(t, "second burst", second, got[len(first)+idx:])
			})
			t.Run(fmt.Sprintf("%d/%s/short-only", rate, name), func(t *testing.T) {
				bits := randomBits(20000, 3)
				in := transmit(t, Config{Rate: rate, Level: DefaultLevel, ShortTrain: true}, bits)
				got, events := receiveAll(t, rate, linesim.New(imp).Apply(nil, append(in, make([]int16, 800)...)))
				checkBits(t, bits, got, events)
			})
		}
	}
}

func checkPrefix(t *testing.T, what string, want, got []byte) {
	t.Helper()
	errs := 0
	for i := range want {
		if i >= len(got) || want[i] != got[i] {
			errs++
		}
	}
	if errs != 0 {
		t.Errorf("%s: %d bit errors in %d bits", what, errs, len(want))
	}
}

func indexOf(s, sub []byte) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if string(s[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}
