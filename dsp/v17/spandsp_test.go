package v17

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/internal/modemtest"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/internal/spandsp"
)

var allRates = []int{Rate7200, Rate9600, Rate12000, Rate14400}

func randomBits(seed uint64, n int) []byte { return modemtest.RandomBits[byte](n, seed, 0x17) }

// modulate runs our transmitter over bits to the end of its trailer.
func modulate(t testing.TB, cfg Config, bits []byte) []int16 {
	t.Helper()
	return modemtest.Transmit(t, func(src dsp.BitSource) (*Transmitter, error) { return NewTransmitter(cfg, src) }, bits)
}

// TestSpandspV17Transmit sends our transmitter's signal to spandsp's
// receiver: a long train, then a short train to the same receiver.
func TestSpandspV17Transmit(t *testing.T) {
	h := spandsp.Require(t)
	for _, rate := range allRates {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			long := randomBits(uint64(rate), 20000)
			short := randomBits(uint64(rate)+1, 20000)
			a := modulate(t, Config{Rate: rate}, long)
			b := modulate(t, Config{Rate: rate, ShortTrain: true}, short)
			gap := make([]int16, 803)
			res := h.DemodulateSegments(t, []spandsp.RxSegment{
				{Spec: spandsp.Spec{Modem: "v17", Rate: rate}, Samples: append(a, gap...)},
				{Spec: spandsp.Spec{Modem: "v17", Rate: rate, ShortTrain: true}, Samples: append(b, gap...)},
			})
			t.Logf("events %v", res.Events)
			var trained int
			for _, e := range res.Events {
				if e.Status == dsp.Trained {
					trained++
				}
			}
			if trained != 2 {
				t.Fatalf("spandsp trained %d times, want 2: %v", trained, res.Events)
			}
			errs, n, off := spandsp.BitErrors(long, res.Bits, 200)
			if errs != 0 || n < len(long) {
				t.Errorf("long train: %d errors in %d bits (offset %d)", errs, n, off)
			}
			// The short-train segment's bits follow the first segment's.
			rest := res.Bits[off+len(long):]
			errs, n, off2 := spandsp.BitErrors(short, rest, 400)
			if errs != 0 || n < len(short) {
				t.Errorf("short train: %d errors in %d bits (offset %d)", errs, n, off2)
			}
		})
	}
}

// TestSpandspV17Receive sends spandsp's transmitter's signal to our
// receiver: a long train, then a short train to the same receiver.
func TestSpandspV17Receive(t *testing.T) { spandspReceive(t, 2, 0, nil) }

// TestSpandspV17ReceiveImpaired: spandsp's transmitter through a µ-law line
// with a frequency and a clock offset into our receiver, long then short
// train.
func TestSpandspV17ReceiveImpaired(t *testing.T) {
	spandspReceive(t, 4, -20, &linesim.Impairments{Law: g711.Ulaw, FreqOffsetHz: -7, ClockPPM: 100, NoiseDBm0: linesim.Noise(-55), Seed: 1})
}

// spandspReceive feeds spandsp's long-train signal at level (dBm0, 0:
// spandsp's default), then its short-train signal, each followed by a
// gap, through a line with imp (nil: none) to one receiver of ours at each
// rate, and checks both runs. The bits are random from seed and seed+1.
func spandspReceive(t *testing.T, seed uint64, level float64, imp *linesim.Impairments) {
	h := spandsp.Require(t)
	for _, rate := range allRates {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			long := randomBits(uint64(rate)+seed, 20000)
			short := randomBits(uint64(rate)+seed+1, 20000)
			a := h.Modulate(t, spandsp.Spec{Modem: "v17", Rate: rate, Level: level}, long)
			b := h.Modulate(t, spandsp.Spec{Modem: "v17", Rate: rate, Level: level, ShortTrain: true}, short)
			var line *linesim.Line
			if imp != nil {
				line = linesim.New(*imp)
			}
			gap := make([]int16, 803)
			r, bits, events := newTestReceiver(t, rate)
			run := func(what string, sent []byte, samples []int16) {
				sig := append(samples, gap...)
				if line != nil {
					sig = line.Apply(nil, sig)
				}
				*bits, *events = nil, nil
				demodulate(t, r, bits, events, sig)
				checkRun(t, what, sent, *bits, *events)
			}
			run("long train", long, a)
			if err := r.Restart(rate, true); err != nil {
				t.Fatal(err)
			}
			run("short train", short, b)
		})
	}
}

// checkRun checks that a receiver trained once and delivered exactly the
// sent bits first.
func checkRun(t *testing.T, what string, sent, got []byte, events []event) {
	t.Helper()
	var trained int
	for _, e := range events {
		if e.s == dsp.Trained {
			trained++
		}
	}
	if trained != 1 {
		t.Errorf("%s: trained %d times: %v", what, trained, events)
	}
	if e := countErrors(sent, got); e != 0 {
		errs, n, off := spandsp.BitErrors(sent, got, 500)
		t.Errorf("%s: %d errors in %d bits received (best alignment: %d errors in %d at offset %d); events %v",
			what, e, len(got), errs, n, off, events)
	}
}

// TestSpandspV17TransmitImpaired: our transmitter through an A-law line
// with a frequency and a clock offset into spandsp's receiver.
func TestSpandspV17TransmitImpaired(t *testing.T) {
	h := spandsp.Require(t)
	for _, rate := range allRates {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			bits := randomBits(uint64(rate)+6, 20000)
			line := linesim.New(linesim.Impairments{Law: g711.Alaw, FreqOffsetHz: 7, ClockPPM: -100, NoiseDBm0: linesim.Noise(-55), Seed: 2})
			sig := line.Apply(nil, append(modulate(t, Config{Rate: rate, LevelDBm0: -20}, bits), make([]int16, 803)...))
			got, events := h.Demodulate(t, spandsp.Spec{Modem: "v17", Rate: rate}, sig)
			errs, n, off := spandsp.BitErrors(bits, got, 200)
			if errs != 0 || n < len(bits) {
				t.Errorf("%d errors in %d bits (offset %d); events %v", errs, n, off, events)
			}
		})
	}
}

// TestSpandspV17RejectsOtherModems: V.29 and V.27ter signals (spandsp's)
// must never make our V.17 receiver report Trained or deliver bits.
func TestSpandspV17RejectsOtherModems(t *testing.T) {
	h := spandsp.Require(t)
	for _, spec := range []spandsp.Spec{
		{Modem: "v29", Rate: 9600}, {Modem: "v29", Rate: 7200},
		{Modem: "v27ter", Rate: 4800}, {Modem: "v27ter", Rate: 2400},
		{Modem: "v21"},
	} {
		t.Run(spec.String(), func(t *testing.T) {
			sig := h.Modulate(t, spec, randomBits(8, 4000))
			for _, rate := range allRates {
				r, bits, events := newTestReceiver(t, rate)
				demodulate(t, r, bits, events, append(sig, make([]int16, 800)...))
				for _, e := range *events {
					if e.s == dsp.Trained {
						t.Errorf("%d: trained on %v at %d", rate, spec, e.at)
					}
				}
				if len(*bits) != 0 {
					t.Errorf("%d: %d bits from %v", rate, len(*bits), spec)
				}
			}
		})
	}
}
