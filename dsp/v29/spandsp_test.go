package v29

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/internal/spandsp"
)

func toBytes(bits []int) []byte {
	b := make([]byte, len(bits))
	for i, v := range bits {
		b[i] = byte(v)
	}
	return b
}

// TestSpandspV29OursToSpandsp: our transmitter, spandsp's receiver.
func TestSpandspV29OursToSpandsp(t *testing.T) {
	h := spandsp.Require(t)
	for _, tc := range []struct {
		rate int
		tep  bool
	}{{4800, false}, {7200, false}, {9600, false}, {9600, true}} {
		rate := tc.rate
		t.Run(fmt.Sprintf("%d/tep=%v", rate, tc.tep), func(t *testing.T) {
			bits := randomBits(20000, uint64(rate)+1)
			sig := modulate(t, Config{Rate: rate, TEP: tc.tep}, bits)
			got, events := h.Demodulate(t, spandsp.Spec{Modem: "v29", Rate: rate}, sig)
			t.Logf("spandsp events %v", events)
			if !hasStatus(events, dsp.Trained) {
				t.Fatalf("spandsp did not train: %v", events)
			}
			errs, n, off := spandsp.BitErrors(toBytes(bits), got, 256)
			t.Logf("%d errors in %d bits at offset %d", errs, n, off)
			if errs != 0 || n != len(bits) {
				t.Errorf("%d errors in %d bits (want 0 in %d)", errs, n, len(bits))
			}
		})
	}
}

// TestSpandspV29SpandspToOurs: spandsp's transmitter, our receiver.
func TestSpandspV29SpandspToOurs(t *testing.T) {
	h := spandsp.Require(t)
	for _, rate := range []int{4800, 7200, 9600} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			bits := randomBits(20000, uint64(rate)+2)
			sig := h.Modulate(t, spandsp.Spec{Modem: "v29", Rate: rate}, toBytes(bits))
			var got []int
			var events []event
			rx, err := NewReceiver(Config{Rate: rate}, func(b int) { got = append(got, b) },
				func(s dsp.Status, at int64) { events = append(events, event{s, at}) })
			if err != nil {
				t.Fatal(err)
			}
			rx.Receive(sig)
			t.Logf("our events %v, SNR %.1f dB", events, rx.SNR())
			// spandsp shapes with a 25% roll-off, we match with 50%: the
			// equalizer must still leave a clean constellation.
			if rx.SNR() < 25 {
				t.Errorf("SNR %.1f dB on spandsp's clean signal, want >= 25", rx.SNR())
			}
			if trainedAt(events) < 0 {
				t.Fatalf("did not train: %v", events)
			}
			errs, n, off := spandsp.BitErrors(toBytes(bits), toBytes(got), 256)
			t.Logf("%d errors in %d bits at offset %d", errs, n, off)
			if errs != 0 || n != len(bits) || off != 0 {
				t.Errorf("%d errors in %d bits at offset %d (want 0 in %d at 0)", errs, n, off, len(bits))
			}
		})
	}
}

func hasStatus(events []spandsp.Event, s dsp.Status) bool {
	for _, e := range events {
		if e.Status == s {
			return true
		}
	}
	return false
}

// TestSpandspV29Impaired runs both directions through an A-law line with
// noise, a 7 Hz frequency offset and a 100 ppm clock offset.
func TestSpandspV29Impaired(t *testing.T) {
	h := spandsp.Require(t)
	imp := linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-45), FreqOffsetHz: 7, ClockPPM: 100, Seed: 11}
	for _, rate := range []int{7200, 9600} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			bits := randomBits(20000, uint64(rate)+3)
			spec := spandsp.Spec{Modem: "v29", Rate: rate}

			ours := linesim.New(imp).Apply(nil, modulate(t, Config{Rate: rate}, bits))
			got, events := h.Demodulate(t, spec, ours)
			if errs, n, _ := spandsp.BitErrors(toBytes(bits), got, 256); errs != 0 || n != len(bits) {
				t.Errorf("ours to spandsp: %d errors in %d bits (events %v)", errs, n, events)
			}

			theirs := linesim.New(imp).Apply(nil, h.Modulate(t, spec, toBytes(bits)))
			got2, ev2 := demodulate(t, Config{Rate: rate}, theirs)
			if errs, n, off := spandsp.BitErrors(toBytes(bits), toBytes(got2), 256); errs != 0 || n != len(bits) || off != 0 {
				t.Errorf("spandsp to ours: %d errors in %d bits at offset %d (events %v)", errs, n, off, ev2)
			}
		})
	}
}
