package v29

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/internal/modemtest"
	"github.com/softfax/softfax/dsp/internal/qam"
	"github.com/softfax/softfax/dsp/linesim"
)

type event struct {
	s  dsp.Status
	at int64
}

// randomBits returns n reproducible random bits.
func randomBits(n int, seed uint64) []int { return modemtest.RandomBits[int](n, seed, 7) }

// modulate runs bits through our transmitter and returns the samples.
func modulate(t testing.TB, cfg Config, bits []int) []int16 {
	t.Helper()
	return modemtest.Transmit(t, func(src dsp.BitSource) (*Transmitter, error) { return NewTransmitter(cfg, src) }, bits)
}

// demodulate runs samples through our receiver in blocks of 160.
func demodulate(t testing.TB, cfg Config, samples []int16) (bits []int, events []event) {
	t.Helper()
	rx, err := NewReceiver(cfg, func(b int) { bits = append(bits, b) },
		func(s dsp.Status, at int64) { events = append(events, event{s, at}) })
	if err != nil {
		t.Fatal(err)
	}
	for len(samples) > 0 {
		n := min(160, len(samples))
		rx.Receive(samples[:n])
		samples = samples[n:]
	}
	return bits, events
}

// countErrors compares sent with the start of got.
func countErrors(sent, got []int) int {
	errs := 0
	for i, b := range sent {
		if i >= len(got) || got[i] != b {
			errs++
		}
	}
	return errs
}

func trainedAt(events []event) int64 {
	for _, e := range events {
		if e.s == dsp.Trained {
			return e.at
		}
	}
	return -1
}

func TestBackToBack(t *testing.T) {
	const nbits = 100000
	tests := []struct {
		name string
		rate int
		imp  linesim.Impairments
	}{
		{"9600 ulaw", 9600, linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-40)}},
		{"9600 alaw", 9600, linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-40)}},
		{"7200 ulaw", 7200, linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-40)}},
		{"7200 alaw", 7200, linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-40)}},
		{"4800 ulaw", 4800, linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-40)}},
		{"4800 alaw", 4800, linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-40)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Rate: tt.rate}
			bits := randomBits(nbits, uint64(tt.rate))
			sig := modulate(t, cfg, bits)
			tt.imp.Seed = 1
			line := linesim.New(tt.imp)
			rxIn := line.Apply(nil, sig)
			got, events := demodulate(t, cfg, rxIn)
			t.Logf("events %v, %d bits", events, len(got))
			if trainedAt(events) < 0 {
				t.Fatalf("never trained: %v", events)
			}
			if e := countErrors(bits, got); e != 0 {
				t.Errorf("%d bit errors in %d", e, nbits)
			}
		})
	}
}

// TestTEPAndSecondTransmission: a transmission with the talker echo
// protection tone, then silence, then another at a different seed; one
// receiver must train on both and deliver both bit streams.
func TestTEPAndSecondTransmission(t *testing.T) {
	for _, rate := range []int{9600, 7200, 4800} {
		cfg := Config{Rate: rate}
		first, second := randomBits(3000, 1), randomBits(5000, 2)
		sig := modulate(t, Config{Rate: rate, TEP: true}, first)
		sig = append(sig, make([]int16, 800)...)
		sig = append(sig, modulate(t, cfg, second)...)
		sig = append(sig, make([]int16, 800)...)
		sig = linesim.New(linesim.Impairments{Law: g711.Alaw}).Apply(nil, sig)
		got, events := demodulate(t, cfg, sig)
		var kinds []dsp.Status
		for _, e := range events {
			kinds = append(kinds, e.s)
		}
		want := []dsp.Status{dsp.CarrierUp, dsp.Trained, dsp.CarrierDown, dsp.CarrierUp, dsp.Trained, dsp.CarrierDown}
		if fmt.Sprint(kinds) != fmt.Sprint(want) {
			t.Fatalf("%d: events %v, want %v", rate, events, want)
		}
		// Between the two, the first transmission's trailer (scrambled
		// ones) and the bits demodulated while the carrier decays.
		if e := countErrors(first, got); e != 0 {
			t.Errorf("%d: first transmission: %d errors", rate, e)
		}
		if !contains(got[len(first):], second) {
			t.Errorf("%d: second transmission not found in the output", rate)
		}
	}
}

// contains reports whether want appears, error free, somewhere in got.
func contains(got, want []int) bool {
	for i := 0; i+len(want) <= len(got); i++ {
		if countErrors(want, got[i:]) == 0 {
			return true
		}
	}
	return false
}

// TestDecisions checks each rate's decision device against exhaustive
// search over the points that rate uses.
func TestDecisions(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for _, rate := range []int{9600, 7200, 4800} {
		d := decisionsFor[rate]
		for range 50000 {
			z := qam.C(rng.Float64()*14-7, rng.Float64()*14-7)
			got := d.nearest(z)
			best := -1.0
			for _, i := range pointsInUse(rate) {
				if e := z.Sub(constellation[i]).Abs2(); best < 0 || e < best {
					best = e
				}
			}
			if z.Sub(constellation[got]).Abs2() > best+1e-12 {
				t.Fatalf("rate %d: %v sliced to %v", rate, z, constellation[got])
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, rate := range []int{0, 2400, 12000, -9600} {
		if _, err := NewTransmitter(Config{Rate: rate}, nil); err == nil {
			t.Errorf("NewTransmitter accepted rate %d", rate)
		}
		if _, err := NewReceiver(Config{Rate: rate}, nil, nil); err == nil {
			t.Errorf("NewReceiver accepted rate %d", rate)
		}
	}
	// Nil sink and status are allowed.
	rx, err := NewReceiver(Config{Rate: 9600}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rx.Receive(modulate(t, Config{Rate: 9600}, randomBits(500, 1)))
	tx, err := NewTransmitter(Config{Rate: 9600}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 8000)
	// Training (608 symbols), the symbol that found the source empty, the
	// trailer (32) and the flush (8): 649 symbols of 10/3 samples.
	if n, want := tx.Transmit(out), 649*10/3; n < want-4 || n > want+4 {
		t.Errorf("nil source: %d samples, want about %d", n, want)
	}
}

// TestTransmitLevel: the mean power of the data part is the configured
// level.
func TestTransmitLevel(t *testing.T) {
	for _, rate := range []int{9600, 7200, 4800} {
		for _, level := range []float64{0, -30, -6} {
			sig := modulate(t, Config{Rate: rate, Level: level}, randomBits(rate*2, 1))
			data := sig[2200 : len(sig)-200] // after the training, before the trailer ends
			var ms float64
			for _, v := range data {
				ms += float64(v) * float64(v)
			}
			want := level
			if want == 0 {
				want = DefaultLevel
			}
			if got := dsp.PowerDBm0(ms / float64(len(data))); math.Abs(got-want) > 0.3 {
				t.Errorf("%d at %v dBm0: measured %.2f dBm0", rate, want, got)
			}
		}
	}
}
