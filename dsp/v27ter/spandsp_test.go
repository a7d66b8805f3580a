package v27ter

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/internal/modemtest"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/internal/spandsp"
)

// randomBits returns n random bits, one per byte.
func randomBits(n int, seed uint64) []byte { return modemtest.RandomBits[byte](n, seed, 27) }

// transmit returns our transmission of bits.
func transmit(t testing.TB, cfg Config, bits []byte) []int16 {
	t.Helper()
	return modemtest.Transmit(t, func(src dsp.BitSource) (*Transmitter, error) { return NewTransmitter(cfg, src) }, bits)
}

// TestSpandspV27terTransmit sends our signal, through G.711 lines with and
// without impairments, to spandsp's receiver, which must train and return
// every data bit.
func TestSpandspV27terTransmit(t *testing.T) {
	h := spandsp.Require(t)
	lines := []struct {
		name  string
		level float64
		imp   linesim.Impairments
	}{
		{"linear", DefaultLevel, linesim.Impairments{}},
		{"ulaw", DefaultLevel, linesim.Impairments{Law: g711.Ulaw}},
		{"alaw+7Hz-30dBm0", -30, linesim.Impairments{Law: g711.Alaw, FreqOffsetHz: 7}},
		{"ulaw-7Hz-noise", DefaultLevel, linesim.Impairments{Law: g711.Ulaw, FreqOffsetHz: -7, NoiseDBm0: linesim.Noise(-40), Seed: 3}},
		// No clock offset: spandsp 0.0.6's V.27ter receiver makes errors
		// at ±100 ppm even on spandsp's own transmitter (measured: ~1-2%
		// at 4800, ~20% at 2400), while ours has none (TestBackToBack and
		// TestSpandspV27terReceive).
	}
	for _, rate := range []int{Rate4800, Rate2400} {
		bits := randomBits(20000, uint64(rate))
		for _, l := range lines {
			t.Run(fmt.Sprintf("%d/%s", rate, l.name), func(t *testing.T) {
				samples := transmit(t, Config{Rate: rate, Level: l.level}, bits)
				samples = linesim.New(l.imp).Apply(nil, append(samples, make([]int16, 800)...))
				got, events := h.Demodulate(t, spandsp.Spec{Modem: "v27ter", Rate: rate}, samples)
				trained := false
				for _, e := range events {
					trained = trained || e.Status == dsp.Trained
				}
				if !trained {
					t.Fatalf("spandsp did not train: %v", events)
				}
				errs, n, off := spandsp.BitErrors(bits, got, 64)
				t.Logf("events %v; %d bits compared at offset %d", events, n, off)
				if errs != 0 || n != len(bits) || off != 0 {
					t.Errorf("%d bit errors in %d bits at offset %d (want 0 in %d at 0)", errs, n, off, len(bits))
				}
			})
		}
	}
}

// TestSpandspV27terReceive feeds spandsp's transmission, through G.711
// lines with and without impairments, to our receiver, which must train
// once and return every data bit.
func TestSpandspV27terReceive(t *testing.T) {
	h := spandsp.Require(t)
	lines := []struct {
		name string
		imp  linesim.Impairments
	}{
		{"ulaw", linesim.Impairments{Law: g711.Ulaw}},
		{"alaw-7Hz", linesim.Impairments{Law: g711.Alaw, FreqOffsetHz: -7}},
		{"ulaw+7Hz+100ppm-25dB", linesim.Impairments{Law: g711.Ulaw, FreqOffsetHz: 7, ClockPPM: 100, GainDB: -25}},
		{"alaw-100ppm-noise", linesim.Impairments{Law: g711.Alaw, ClockPPM: -100, NoiseDBm0: linesim.Noise(-40), Seed: 2}},
	}
	for _, rate := range []int{Rate4800, Rate2400} {
		bits := randomBits(20000, uint64(rate)+1)
		samples := h.Modulate(t, spandsp.Spec{Modem: "v27ter", Rate: rate}, bits)
		samples = append(samples, make([]int16, 800)...)
		for _, l := range lines {
			t.Run(fmt.Sprintf("%d/%s", rate, l.name), func(t *testing.T) {
				got, events := receiveAll(t, rate, linesim.New(l.imp).Apply(nil, samples))
				t.Logf("events %v", events)
				checkBits(t, bits, got, events)
			})
		}
	}
}

// TestSpandspV27terOtherModems plays other fax modems' signals (spandsp's
// transmitters) to our receiver, which must not train on them.
func TestSpandspV27terOtherModems(t *testing.T) {
	h := spandsp.Require(t)
	others := []spandsp.Spec{
		{Modem: "v21"},
		{Modem: "v29", Rate: 9600},
		{Modem: "v29", Rate: 7200},
		{Modem: "v17", Rate: 14400},
		{Modem: "v17", Rate: 7200},
		{Modem: "v27ter", Rate: 2400},
		{Modem: "v27ter", Rate: 4800},
	}
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, o := range others {
			if o.Modem == "v27ter" && o.Rate == rate {
				continue
			}
			t.Run(fmt.Sprintf("%d/%v", rate, o), func(t *testing.T) {
				samples := h.Modulate(t, o, randomBits(4000, 5))
				got, events := receiveAll(t, rate, samples)
				for _, e := range events {
					if e.s == dsp.Trained {
						t.Fatalf("trained on %v: %v", o, events)
					}
				}
				if len(got) != 0 {
					t.Errorf("%d bits from %v", len(got), o)
				}
				t.Logf("events %v", events)
			})
		}
	}
}

// TestSpandspV27terEchoProtection sends our signal with the talker echo
// protection segments to spandsp's receiver.
func TestSpandspV27terEchoProtection(t *testing.T) {
	h := spandsp.Require(t)
	for _, rate := range []int{Rate4800, Rate2400} {
		bits := randomBits(3000, 4)
		in := transmit(t, Config{Rate: rate, TEP: true}, bits)
		got, events := h.Demodulate(t, spandsp.Spec{Modem: "v27ter", Rate: rate}, in)
		if errs, n, _ := spandsp.BitErrors(bits, got, 64); errs != 0 || n != len(bits) {
			t.Errorf("%d: spandsp: %d errors in %d bits; events %v", rate, errs, n, events)
		}
	}
}
