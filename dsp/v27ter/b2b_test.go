package v27ter

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// event is a status change seen by a test.
type event struct {
	s  dsp.Status
	at int64
}

// receiveAll runs our receiver over samples in 160-sample blocks and returns
// the bits and status changes.
func receiveAll(t testing.TB, rate int, samples []int16) ([]byte, []event) {
	t.Helper()
	var bits []byte
	var events []event
	rx, err := NewReceiver(Config{Rate: rate},
		func(b int) { bits = append(bits, byte(b)) },
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

// bitsAfterTraining compares the bits delivered after Trained with sent.
func checkBits(t testing.TB, sent, got []byte, events []event) {
	t.Helper()
	trained := 0
	for _, e := range events {
		if e.s == dsp.Trained {
			trained++
		}
	}
	if trained != 1 {
		t.Fatalf("trained %d times, want 1: %v", trained, events)
	}
	if len(got) < len(sent) {
		t.Fatalf("got %d bits, want at least %d; events %v", len(got), len(sent), events)
	}
	errs := 0
	first := -1
	for i := range sent {
		if sent[i] != got[i] {
			errs++
			if first < 0 {
				first = i
			}
		}
	}
	if errs != 0 {
		t.Errorf("%d bit errors in %d bits, first at %d; events %v", errs, len(sent), first, events)
	}
}

func TestBackToBack(t *testing.T) {
	const nbits = 100000
	type tc struct {
		name  string
		level float64
		imp   linesim.Impairments
	}
	var cases []tc
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		cases = append(cases, tc{fmt.Sprintf("nominal/%v", law), DefaultLevel, linesim.Impairments{Law: law}})
		for _, level := range []float64{-3, -20, -30, -38, -43} {
			cases = append(cases, tc{fmt.Sprintf("level%v/%v", level, law), level, linesim.Impairments{Law: law}})
		}
	}
	for _, f := range []float64{-7, 7} {
		cases = append(cases, tc{fmt.Sprintf("offset%+vHz", f), DefaultLevel, linesim.Impairments{Law: g711.Ulaw, FreqOffsetHz: f}})
	}
	for _, ppm := range []float64{-100, 100} {
		cases = append(cases, tc{fmt.Sprintf("clock%+vppm", ppm), DefaultLevel, linesim.Impairments{Law: g711.Alaw, ClockPPM: ppm}})
	}
	cases = append(cases,
		tc{"noise-30dBm0", DefaultLevel, linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-30), Seed: 3}},
		tc{"all", -20, linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-45), FreqOffsetHz: 7, ClockPPM: -100, Seed: 4}},
	)
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%d/%s", rate, c.name), func(t *testing.T) {
				bits := randomBits(nbits, 1)
				tx := transmit(t, Config{Rate: rate, Level: c.level}, bits)
				line := linesim.New(c.imp)
				rxs := line.Apply(nil, append(tx, make([]int16, 800)...))
				got, events := receiveAll(t, rate, rxs)
				checkBits(t, bits, got, events)
				t.Logf("events %v", events)
			})
		}
	}
}
