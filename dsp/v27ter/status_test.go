package v27ter

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
)

// TestStatusTiming checks that status changes are reported at the sample
// where they happen: the same indices whatever the block size, and close
// to where the signal starts, where the training ends and where the signal
// stops.
func TestStatusTiming(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, short := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/short=%v", rate, short), func(t *testing.T) {
				p, _ := paramsFor(rate)
				const lead = 1000
				bits := randomBits(2000, 7)
				tx := transmit(t, Config{Rate: rate, Level: DefaultLevel, ShortTrain: short}, bits)
				in := append(make([]int16, lead), tx...)
				in = append(in, make([]int16, 1000)...)
				end := int64(lead + len(tx))

				var ref []event
				for _, block := range []int{1, 7, 160, 4096, len(in)} {
					var events []event
					rx, err := NewReceiver(Config{Rate: rate}, func(int) {},
						func(s dsp.Status, at int64) { events = append(events, event{s, at}) })
					if err != nil {
						t.Fatal(err)
					}
					for i := 0; i < len(in); i += block {
						rx.Receive(in[i:min(i+block, len(in))])
					}
					if ref == nil {
						ref = events
					} else if !slices.Equal(events, ref) {
						t.Fatalf("block %d: events %v, with 1-sample blocks %v", block, events, ref)
					}
				}
				if len(ref) != 3 || ref[0].s != dsp.CarrierUp || ref[1].s != dsp.Trained || ref[2].s != dsp.CarrierDown {
					t.Fatalf("events %v, want carrier up, trained, carrier down", ref)
				}
				sps := p.samplesPerSymbol()
				seg3, seg4 := seg3Long, seg4Long
				if short {
					seg3, seg4 = seg3Short, seg4Short
				}
				trainEnd := lead + int64(float64(seg3+seg4+seg5Len)*sps)
				// Delays: the carrier detector's 4 ms meter; for Trained the
				// pulse-shaping, matched filter and equalizer centre (about
				// 12 symbols in all); for CarrierDown the fast power meter (20 dB fall in ~9 ms).
				within := func(what string, at, from, to int64) {
					if at < from || at > to {
						t.Errorf("%s at sample %d, want %d..%d", what, at, from, to)
					}
				}
				within("carrier up", ref[0].at, lead, lead+40)
				within("trained", ref[1].at, trainEnd, trainEnd+int64(13*sps))
				within("carrier down", ref[2].at, end-int64(6*sps), end+100)
				t.Logf("events %v; training ends at %d, signal at %d", ref, trainEnd, end)
			})
		}
	}
}

// TestNearestPhase compares the comparison-based decision with rounding
// the angle.
func TestNearestPhase(t *testing.T) {
	for deg := -719.5; deg < 720; deg += 1.7 {
		z := qam.Expj(deg * math.Pi / 180).Scale(0.3 + math.Abs(deg)/500)
		want8 := uint8(int(math.Round(deg/45))) & 7
		want4 := uint8(2*int(math.Round(deg/90))) & 7
		if got := nearestPhase(z, false); got != want8 {
			t.Errorf("8-PSK %v°: got %d, want %d", deg, got, want8)
		}
		if got := nearestPhase(z, true); got != want4 {
			t.Errorf("4-PSK %v°: got %d, want %d", deg, got, want4)
		}
	}
}
