package v17

import (
	"fmt"
	"math"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/modemtest"
)

// TestTransmitLevel: the data signal comes out at the configured level.
func TestTransmitLevel(t *testing.T) {
	for _, rate := range allRates {
		for _, level := range []float64{-3, -10, -43} {
			t.Run(fmt.Sprintf("%d/%v", rate, level), func(t *testing.T) {
				sig := modulate(t, Config{Rate: rate, LevelDBm0: level}, randomBits(1, 5*rate))
				// Measure the data only: after the long train, before the trailer.
				start := (seg1Len + seg2LongLen + seg3Len + seg4Len + 20) * 10 / 3
				data := sig[start : len(sig)-(trailerLen+txSpan+11)*10/3]
				var sum float64
				for _, v := range data {
					sum += float64(v) * float64(v)
				}
				got := dsp.PowerDBm0(sum / float64(len(data)))
				if math.Abs(got-level) > 0.3 {
					t.Errorf("level %.2f dBm0, want %v", got, level)
				}
			})
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, rate := range []int{0, 4800, 9601, 16800} {
		if _, err := NewTransmitter(Config{Rate: rate}, nil); err == nil {
			t.Errorf("NewTransmitter accepted %d bit/s", rate)
		}
		if _, err := NewReceiver(Config{Rate: rate}, nil, nil); err == nil {
			t.Errorf("NewReceiver accepted %d bit/s", rate)
		}
	}
	r, err := NewReceiver(Config{Rate: Rate9600}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Restart(1200, false) == nil {
		t.Error("Restart accepted 1200 bit/s")
	}
}

// TestTransmitterRestart: a restarted transmitter sends exactly what a new
// one would, without allocating.
func TestTransmitterRestart(t *testing.T) {
	bits := randomBits(3, 3000)
	src := func() dsp.BitSource { return modemtest.Source(bits) }
	want := modulate(t, Config{Rate: Rate12000, ShortTrain: true}, bits)
	tx, err := NewTransmitter(Config{Rate: Rate7200, LevelDBm0: -20}, src())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, 1000)
	tx.Transmit(buf) // part of another transmission
	s := src()
	if a := testing.AllocsPerRun(1, func() {
		if err := tx.Restart(Config{Rate: Rate12000, ShortTrain: true}, s); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("Restart allocates %v times", a)
	}
	got := modemtest.TransmitAll(tx)
	if len(got) != len(want) {
		t.Fatalf("%d samples after restart, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d: %d, want %d", i, got[i], want[i])
		}
	}
}
