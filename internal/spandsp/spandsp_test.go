package spandsp

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
)

func randomBits(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(2))
	}
	return b
}

// TestLoopback checks the harness itself: spandsp's transmitter into
// spandsp's receiver gives the bits back, with its status events, for every
// modem and rate.
func TestLoopback(t *testing.T) {
	h := Require(t)
	specs := []Spec{
		{Modem: "v21"},
		{Modem: "v27ter", Rate: 2400}, {Modem: "v27ter", Rate: 4800},
		{Modem: "v29", Rate: 7200}, {Modem: "v29", Rate: 9600},
		{Modem: "v17", Rate: 7200}, {Modem: "v17", Rate: 9600},
		{Modem: "v17", Rate: 12000}, {Modem: "v17", Rate: 14400},
	}
	for _, spec := range specs {
		t.Run(spec.String(), func(t *testing.T) {
			t.Parallel()
			bits := randomBits(3000, 7)
			samples := h.Modulate(t, spec, bits)
			samples = append(samples, make([]int16, 800)...)
			got, events := h.Demodulate(t, spec, samples)
			errs, n, off := BitErrors(bits, got, 400)
			if errs != 0 || n != len(bits) {
				t.Errorf("%d errors in %d bits (offset %d), want 0 in %d", errs, n, off, len(bits))
			}
			var seen []dsp.Status
			for _, e := range events {
				if e.Status != 0 {
					seen = append(seen, e.Status)
				}
				if e.At < 0 || e.At > int64(len(samples)) {
					t.Errorf("event %v outside the signal", e)
				}
			}
			if len(seen) == 0 || seen[0] != dsp.CarrierUp || seen[len(seen)-1] != dsp.CarrierDown {
				t.Errorf("events %v: want carrier up first and carrier down last", events)
			}
		})
	}
}

// TestV17ShortTrain checks a long train followed by a short train in one
// receiver.
func TestV17ShortTrain(t *testing.T) {
	h := Require(t)
	long := Spec{Modem: "v17", Rate: 14400}
	short := long
	short.ShortTrain = true
	b1, b2 := randomBits(2000, 1), randomBits(2000, 2)
	s1 := h.ModulateSegments(t, []TxSegment{{Spec: long, Bits: b1}})
	s2 := h.ModulateSegments(t, []TxSegment{{Spec: short, Bits: b2}})
	gap := make([]int16, 600)
	r := h.DemodulateSegments(t, []RxSegment{
		{Spec: long, Samples: append(s1, gap...)},
		{Spec: short, Samples: append(s2, gap...)},
	})
	trained := 0
	for _, e := range r.Events {
		if e.Status == dsp.Trained {
			trained++
		}
	}
	if trained != 2 {
		t.Fatalf("trained %d times, want 2: %v", trained, r.Events)
	}
	if len(s2) >= len(s1) {
		t.Errorf("short train transmission (%d samples) not shorter than long (%d)", len(s2), len(s1))
	}
}

func TestHDLCLoopback(t *testing.T) {
	h := Require(t)
	frames := [][]byte{{0xFF, 0x03, 0x80, 0x00, 0x46}, {0xFF, 0x13, 0x83, 0x7E, 0x7D, 0xFF, 0xFF}}
	for _, spec := range []Spec{{Modem: "v21", Flags: 40}, {Modem: "v29", Rate: 9600}} {
		samples := h.ModulateHDLC(t, spec, frames)
		samples = append(samples, make([]int16, 800)...)
		got, events := h.DemodulateHDLC(t, spec, samples)
		if len(got) != len(frames) {
			t.Fatalf("%v: got %d frames, want %d (events %v)", spec, len(got), len(frames), events)
		}
		for i, f := range got {
			if !f.OK || !bytes.Equal(f.Data, frames[i]) {
				t.Errorf("%v: frame %d = %x ok=%v, want %x", spec, i, f.Data, f.OK, frames[i])
			}
		}
	}
}

func TestTones(t *testing.T) {
	h := Require(t)
	for _, c := range []struct {
		tone Tone
		want int
	}{{CNG, ToneCNG}, {CED, ToneANS}} {
		s := h.ToneTransmit(t, c.tone, 4*dsp.SampleRate)
		if len(s) != 4*dsp.SampleRate {
			t.Fatalf("%s: %d samples", c.tone, len(s))
		}
		r := h.ToneDetect(t, c.tone, s)
		if len(r) == 0 || r[0].Tone != c.want {
			t.Errorf("%s: spandsp detects %v, want tone %d", c.tone, r, c.want)
		}
	}
}

func TestTiming(t *testing.T) {
	h := Require(t)
	spec := Spec{Modem: "v29", Rate: 9600}
	d, n, err := h.TimeTransmit(context.Background(), spec, 9600, 2)
	if err != nil || n < 8000 || d <= 0 {
		t.Fatalf("TimeTransmit = %v, %d, %v", d, n, err)
	}
	if _, err := h.TimeReceive(context.Background(), spec, h.Modulate(t, spec, randomBits(9600, 3)), 2); err != nil {
		t.Fatal(err)
	}
}

func TestBadSpec(t *testing.T) {
	h := Require(t)
	if _, err := h.Transmit(context.Background(), []TxSegment{{Spec: Spec{Modem: "v29", Rate: 14400}}}); err == nil {
		t.Error("V.29 at 14400 accepted")
	}
	if _, err := h.Transmit(context.Background(), []TxSegment{{Spec: Spec{Modem: "v29", Rate: 9600, ShortTrain: true}, Bits: []byte{1}}}); err == nil {
		t.Error("V.29 short train transmit did not fail")
	}
}

func TestBitErrors(t *testing.T) {
	sent := randomBits(500, 9)
	got := append([]byte{1, 1, 1}, sent...)
	got[100] ^= 1
	errs, n, off := BitErrors(sent, got, 10)
	if errs != 1 || n != 500 || off != 3 {
		t.Errorf("BitErrors = %d, %d, %d; want 1, 500, 3", errs, n, off)
	}
}

// TestCutoff: spandsp's V.21 receiver ignores -35 dBm0 by default and
// hears it with the fax engine's cutoff.
func TestCutoff(t *testing.T) {
	h := Require(t)
	spec := Spec{Modem: "v21", Level: -35}
	bits := randomBits(600, 4)
	sig := append(h.Modulate(t, spec, bits), make([]int16, 400)...)
	if got, _ := h.Demodulate(t, Spec{Modem: "v21"}, sig); len(got) > 0 {
		t.Errorf("default cutoff: %d bits at -35 dBm0", len(got))
	}
	got, _ := h.Demodulate(t, Spec{Modem: "v21", Cutoff: FaxCutoffV21}, sig)
	if errs, n, _ := BitErrors(bits, got, 100); errs != 0 || n != len(bits) {
		t.Errorf("fax cutoff: %d errors in %d bits", errs, n)
	}
}

func TestBitErrorsShortOverlap(t *testing.T) {
	sent := randomBits(1000, 9)
	got := append([]byte{1, 1}, sent...)
	got[500] ^= 1
	if errs, n, off := BitErrors(sent, got, 2000); errs != 1 || n != 1000 || off != 2 {
		t.Errorf("BitErrors = %d, %d, %d; want 1, 1000, 2", errs, n, off)
	}
}

func TestBitErrorRate(t *testing.T) {
	h := Require(t)
	spec := Spec{Modem: "v29", Rate: 7200}
	bits := randomBits(5000, 6)
	sig := append(h.Modulate(t, spec, bits), make([]int16, 400)...)
	ber, r, err := h.BitErrorRate(context.Background(), spec, sig, bits)
	if err != nil || ber != 0 || len(r.Bits) < len(bits) {
		t.Errorf("clean V.29: BER %v, %d bits, %v", ber, len(r.Bits), err)
	}
	ber, _, err = h.BitErrorRate(context.Background(), spec, make([]int16, 8000), bits)
	if err != nil || ber != 1 {
		t.Errorf("silence: BER %v, %v; want 1", ber, err)
	}
}
