package v17

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

type event struct {
	s  dsp.Status
	at int64
}

// demodulate runs our receiver over samples in blocks of 160 and returns
// the bits and status events.
func demodulate(t testing.TB, r *Receiver, bits *[]byte, events *[]event, samples []int16) {
	t.Helper()
	for len(samples) > 0 {
		n := min(160, len(samples))
		r.Receive(samples[:n])
		samples = samples[n:]
	}
}

func newTestReceiver(t testing.TB, rate int) (*Receiver, *[]byte, *[]event) {
	t.Helper()
	bits := &[]byte{}
	events := &[]event{}
	r, err := NewReceiver(rate, func(b int) { *bits = append(*bits, byte(b)) },
		func(s dsp.Status, at int64) { *events = append(*events, event{s, at}) })
	if err != nil {
		t.Fatal(err)
	}
	return r, bits, events
}

func countErrors(sent, got []byte) (errs int) {
	n := min(len(sent), len(got))
	for i := 0; i < n; i++ {
		if sent[i] != got[i] {
			errs++
		}
	}
	return errs + len(sent) - n
}

func TestBackToBackClean(t *testing.T) {
	for _, rate := range allRates {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			sent := randomBits(uint64(rate), 20000)
			sig := modulate(t, Config{Rate: rate}, sent)
			sig = linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-60)}).Apply(nil, sig)
			sig = append(sig, make([]int16, 800)...)
			r, bits, events := newTestReceiver(t, rate)
			demodulate(t, r, bits, events, sig)
			t.Logf("events %v, %d bits", *events, len(*bits))
			if e := countErrors(sent, *bits); e != 0 {
				t.Errorf("%d errors (got %d bits)", e, len(*bits))
			}
		})
	}
}
