package v27ter

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestCut cuts a transmission in its training or in its data: the receiver
// must report the carrier down at the cut, not deliver bits from a failed
// training, and train on the next full transmission.
func TestCut(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, where := range []string{"training", "data"} {
			t.Run(fmt.Sprintf("%d/%s", rate, where), func(t *testing.T) {
				first := transmit(t, Config{Rate: rate, Level: DefaultLevel}, randomBits(8000, 1))
				cut := 3000 // in the training
				if where == "data" {
					cut = len(first) / 2
				}
				bits := randomBits(4000, 2)
				in := append(first[:cut:cut], make([]int16, 800)...)
				in = append(in, transmit(t, Config{Rate: rate, Level: DefaultLevel}, bits)...)
				in = append(in, make([]int16, 800)...)
				got, events := receiveAll(t, rate, linesim.New(linesim.Impairments{Law: g711.Alaw}).Apply(nil, in))
				var kinds []dsp.Status
				for _, e := range events {
					kinds = append(kinds, e.s)
				}
				want := []dsp.Status{dsp.CarrierUp, dsp.CarrierDown, dsp.CarrierUp, dsp.Trained, dsp.CarrierDown}
				if where == "data" {
					want = []dsp.Status{dsp.CarrierUp, dsp.Trained, dsp.CarrierDown, dsp.CarrierUp, dsp.Trained, dsp.CarrierDown}
				}
				if fmt.Sprint(kinds) != fmt.Sprint(want) {
					t.Fatalf("events %v, want %v", events, want)
				}
				down := events[1].at
				if where == "data" {
					down = events[2].at
				}
				if down < int64(cut) || down > int64(cut)+100 {
					t.Errorf("carrier down at %d, cut at %d", down, cut)
				}
				if where == "training" {
					checkBits(t, bits, got, events[2:])
				} else if i := indexOf(got, bits[:64]); i < 0 {
					t.Errorf("second transmission's bits not found")
				} else {
					checkPrefix(t, "second transmission", bits, got[i:])
				}
			})
		}
	}
}

// TestLoudBurst hits the receiver with a full-scale burst during the
// training and during the data, 40 dB above the signal it trained on: no
// garbage Trained, no stuck receiver, and the next transmission is
// received.
func TestLoudBurst(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, at := range []int{2000, 9000} {
			t.Run(fmt.Sprintf("%d/%d", rate, at), func(t *testing.T) {
				first := transmit(t, Config{Rate: rate, Level: -40}, randomBits(8000, 1))
				loud := transmit(t, Config{Rate: rate, Level: 0}, randomBits(8000, 3))
				copy(first[at:], loud[3000:4600]) // 200 ms
				bits := randomBits(4000, 2)
				in := append(first, make([]int16, 800)...)
				in = append(in, transmit(t, Config{Rate: rate, Level: DefaultLevel}, bits)...)
				in = append(in, make([]int16, 800)...)
				got, events := receiveAll(t, rate, in)
				last := events[len(events)-2:]
				if last[0].s != dsp.Trained || last[1].s != dsp.CarrierDown {
					t.Fatalf("events %v: the last transmission was not received", events)
				}
				if i := indexOf(got, bits[:64]); i < 0 {
					t.Errorf("last transmission's bits not found; events %v", events)
				} else {
					checkPrefix(t, "last transmission", bits, got[i:])
				}
			})
		}
	}
}
