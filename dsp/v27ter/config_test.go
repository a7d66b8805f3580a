package v27ter

import (
	"math"
	"testing"

	"github.com/softfax/softfax/dsp"
)

func TestConfigErrors(t *testing.T) {
	src := func() (int, bool) { return 0, false }
	for _, cfg := range []Config{
		{Rate: 9600, Level: -10},
		{Rate: 0, Level: -10},
		{Rate: 4800, Level: 3},
		{Rate: 4800, Level: 0.5},
		{Rate: 4800, Level: -70},
		{Rate: 4800, Level: math.NaN()},
	} {
		if _, err := NewTransmitter(cfg, src); err == nil {
			t.Errorf("NewTransmitter(%+v): no error", cfg)
		}
	}
	if _, err := NewTransmitter(Config{Rate: 2400, Level: -10}, nil); err == nil {
		t.Errorf("NewTransmitter with nil source: no error")
	}
	sink := func(int) {}
	for _, cfg := range []Config{
		{Rate: 7200},
		{Rate: 4800, CarrierOn: -50, CarrierOff: -40},
	} {
		if _, err := NewReceiver(cfg, sink, nil); err == nil {
			t.Errorf("NewReceiver(%+v): no error", cfg)
		}
	}
	if _, err := NewReceiver(Config{Rate: 4800}, nil, nil); err == nil {
		t.Errorf("NewReceiver with nil sink: no error")
	}
}

// TestTransmitLevel checks the data signal's power against the configured
// level.
func TestTransmitLevel(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, level := range []float64{-3, -10, -43} {
			tx, err := NewTransmitter(Config{Rate: rate, Level: level}, endless())
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]int16, 4*dsp.SampleRate)
			tx.Transmit(buf)
			var ms float64
			data := buf[2*dsp.SampleRate:] // past the training
			for _, s := range data {
				ms += float64(s) * float64(s)
			}
			got := dsp.PowerDBm0(ms / float64(len(data)))
			if math.Abs(got-level) > 0.3 {
				t.Errorf("%d bit/s at %v dBm0: measured %.2f dBm0", rate, level, got)
			}
		}
	}
}

// TestEchoProtection sends the optional talker-echo protection segments
// (unmodulated carrier, silence) before the training; the receiver must
// still train, and the carrier must not drop in the 20 ms gap.
func TestEchoProtection(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		bits := randomBits(3000, 4)
		in := transmit(t, Config{Rate: rate, Level: DefaultLevel, TEP: true}, bits)
		// 185-200 ms of carrier, then 20 ms of silence, precede the
		// reversals.
		tone, gap := -1, 0
		for i, run := 0, 0; i < len(in); i++ {
			if in[i] != 0 {
				if run >= 100 {
					tone, gap = i-run, run
					break
				}
				run = 0
				continue
			}
			run++
		}
		// The filter's tail spreads the tone by about half the pulse span.
		baud := 1600.0
		if rate == Rate2400 {
			baud = 1200
		}
		if ms := float64(tone) / 8; ms < 185 || ms > 200+txSpan/2*1000/baud {
			t.Errorf("%d: protection tone lasts %.1f ms", rate, ms)
		}
		if ms := float64(gap) / 8; ms < 20-txSpan*1000/baud-0.5 || ms > 20 {
			t.Errorf("%d: silence lasts %.1f ms", rate, ms)
		}
		got, events := receiveAll(t, rate, append(in, make([]int16, 800)...))
		checkBits(t, bits, got, events)
		if len(events) != 3 {
			t.Errorf("%d: events %v, want carrier up, trained, carrier down", rate, events)
		}
	}
}
