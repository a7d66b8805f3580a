package line

import (
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/v29"
	"github.com/softfax/softfax/iax"
)

// v29OverLossyIAX sends random bits with V.29 at 9600 bit/s through
// 20 ms ulaw frames, drops the frames listed, plays the rest out of a
// jitter buffer with the given fill policy and demodulates. It returns the
// bit errors (missing bits count as errors) and the receiver's status
// changes.
func v29OverLossyIAX(t *testing.T, fill iax.FillPolicy, drop map[int]bool, nbits int) (errs int, events []dsp.Status) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 9))
	bits := make([]int, nbits)
	for i := range bits {
		bits[i] = rng.IntN(2)
	}
	i := 0
	tx, err := v29.NewTransmitter(v29.Config{Rate: 9600}, func() (int, bool) {
		if i >= len(bits) {
			return 0, false
		}
		i++
		return bits[i-1], true
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	rx, err := v29.NewReceiver(v29.Config{Rate: 9600}, func(b int) { got = append(got, b) },
		func(s dsp.Status, _ int64) { events = append(events, s) })
	if err != nil {
		t.Fatal(err)
	}
	jb := iax.NewJitterBuffer(20, 160, 2, 16, 0xff, fill)
	samples := make([]int16, 160)
	payload := make([]byte, 0, 160)
	out := make([]byte, 160)
	dec := make([]int16, 0, 160)
	for frame := 0; ; frame++ {
		n := tx.Transmit(samples)
		clear(samples[n:])
		payload = g711.Ulaw.Encode(payload[:0], samples)
		if !drop[frame] {
			jb.Put(uint32(frame*20), payload)
		}
		jb.Get(out)
		dec = g711.Ulaw.Decode(dec[:0], out)
		rx.Receive(dec)
		if n < len(samples) {
			break
		}
	}
	for range 4 { // drain the jitter buffer
		jb.Get(out)
		rx.Receive(g711.Ulaw.Decode(dec[:0], out))
	}
	for i, b := range bits {
		if i >= len(got) || got[i] != b {
			errs++
		}
	}
	return errs, events
}

// TestFillPolicyV29 measures which fill demodulates better when a frame is
// lost in the middle of V.29 data: silence (a 20 ms dropout) or a repeat of
// the last frame (a phase jump). The endpoint's default (the zero
// FillPolicy) must be the one that loses fewer bits.
func TestFillPolicyV29(t *testing.T) {
	const nbits = 9600 * 3
	drops := map[int]bool{30: true, 55: true, 80: true, 81: true, 105: true, 130: true} // after training (~13 frames)
	clean, _ := v29OverLossyIAX(t, iax.FillSilence, nil, nbits)
	if clean != 0 {
		t.Fatalf("%d bit errors without loss", clean)
	}
	silence, evS := v29OverLossyIAX(t, iax.FillSilence, drops, nbits)
	repeat, evR := v29OverLossyIAX(t, iax.FillRepeat, drops, nbits)
	t.Logf("V.29 9600, %d bits, %d lost frames: silence fill %d bit errors (events %v); repeat fill %d bit errors (events %v)",
		nbits, len(drops), silence, evS, repeat, evR)
	var def iax.Config
	if (def.JitterFill == iax.FillSilence && silence > repeat) || (def.JitterFill == iax.FillRepeat && repeat > silence) {
		t.Errorf("the default fill policy (%v) is the worse one", def.JitterFill)
	}
}
