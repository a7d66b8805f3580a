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
	r, err := NewReceiver(Config{Rate: rate}, func(b int) { *bits = append(*bits, byte(b)) },
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

// link sends a long-train transmission of nLong bits and then a
// short-train one of nShort bits through one impaired line into one
// receiver, and checks both arrive exactly.
func link(t *testing.T, rate int, level float64, imp linesim.Impairments, nLong, nShort int) {
	t.Helper()
	line := linesim.New(imp)
	long := randomBits(uint64(rate)*7+1, nLong)
	short := randomBits(uint64(rate)*7+2, nShort)
	var sig []int16
	sig = line.Apply(sig, modulate(t, Config{Rate: rate, LevelDBm0: level}, long))
	sig = line.Apply(sig, make([]int16, 1603))
	r, bits, events := newTestReceiver(t, rate)
	demodulate(t, r, bits, events, sig)
	checkRun(t, "long train", long, *bits, *events)
	if nShort == 0 {
		return
	}
	if err := r.Restart(rate, true); err != nil {
		t.Fatal(err)
	}
	*bits, *events = nil, nil
	sig = line.Apply(sig[:0], modulate(t, Config{Rate: rate, LevelDBm0: level, ShortTrain: true}, short))
	sig = line.Apply(sig, make([]int16, 1603))
	demodulate(t, r, bits, events, sig)
	checkRun(t, "short train", short, *bits, *events)
}

// TestBackToBack is the acceptance table: 10^5 random bits after a long
// train and 10^5 after a short train, every rate, zero errors, through
// G.711 with noise at -60 dBm0... and each impairment at its limit.
func TestBackToBack(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 20000
	}
	for _, tc := range []struct {
		name  string
		level float64
		imp   linesim.Impairments
	}{
		{"ulaw", -10, linesim.Impairments{Law: g711.Ulaw}},
		{"alaw", -10, linesim.Impairments{Law: g711.Alaw}},
		{"ulaw-noise", -10, linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-40)}},
		{"level-3", -3, linesim.Impairments{Law: g711.Ulaw}},
		{"level-43", -43, linesim.Impairments{Law: g711.Ulaw}},
		{"alaw-level-43", -43, linesim.Impairments{Law: g711.Alaw}},
		{"freq+7", -10, linesim.Impairments{Law: g711.Ulaw, FreqOffsetHz: 7}},
		{"freq-7", -10, linesim.Impairments{Law: g711.Ulaw, FreqOffsetHz: -7}},
		{"clock+100ppm", -10, linesim.Impairments{Law: g711.Ulaw, ClockPPM: 100}},
		{"clock-100ppm", -10, linesim.Impairments{Law: g711.Ulaw, ClockPPM: -100}},
		{"all", -20, linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-50), FreqOffsetHz: 7, ClockPPM: -100, GainDB: -6}},
	} {
		for _, rate := range allRates {
			t.Run(fmt.Sprintf("%s/%d", tc.name, rate), func(t *testing.T) {
				imp := tc.imp
				imp.Seed = uint64(rate)
				link(t, rate, tc.level, imp, n, n)
			})
		}
	}
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

// TestNoiseBeforeTraining: half a second of noise alone must not train the
// receiver, which must then train on the signal that follows.
func TestNoiseBeforeTraining(t *testing.T) {
	for _, noise := range []float64{-50, -40, -30, -20} {
		for _, rate := range []int{Rate7200, Rate14400} {
			t.Run(fmt.Sprintf("%v/%d", noise, rate), func(t *testing.T) {
				sent := randomBits(9, 5000)
				sig := make([]int16, 4000) // 500 ms
				sig = append(sig, modulate(t, Config{Rate: rate, LevelDBm0: -10}, sent)...)
				sig = append(sig, make([]int16, 800)...)
				// The signal-to-noise ratio at -20 dBm0 noise is 10 dB: too
				// little for data, but the noise must still not train.
				sig = linesim.New(linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(noise), Seed: 5}).Apply(nil, sig)
				r, bits, events := newTestReceiver(t, rate)
				demodulate(t, r, bits, events, sig[:4000])
				for _, e := range *events {
					if e.s == dsp.Trained {
						t.Fatalf("trained on noise alone at sample %d", e.at)
					}
				}
				demodulate(t, r, bits, events, sig[4000:])
				if noise > -30 {
					return
				}
				checkRun(t, "after noise", sent, *bits, *events)
			})
		}
	}
}

// TestStatusTiming checks that status reports carry the sample where the
// change happens.
func TestStatusTiming(t *testing.T) {
	for _, short := range []bool{false, true} {
		t.Run(fmt.Sprint("short=", short), func(t *testing.T) {
			const lead = 1000
			sent := randomBits(11, 2400)
			tx := modulate(t, Config{Rate: Rate9600, ShortTrain: short}, sent)
			sig := append(append(make([]int16, lead), tx...), make([]int16, 2000)...)
			r, bits, events := newTestReceiver(t, Rate9600)
			if short {
				// Learn a long train first.
				demodulate(t, r, bits, events, append(modulate(t, Config{Rate: Rate9600}, sent), make([]int16, 1000)...))
				r.Restart(Rate9600, true)
				*events, *bits = nil, nil
				r.sample = 0
			}
			demodulate(t, r, bits, events, sig)
			train := seg1Len + seg2LongLen + seg3Len + seg4Len
			if short {
				train = seg1Len + seg2ShortLen + seg4Len
			}
			// Trained comes when the last symbol of segment 4 reaches the
			// decision point: after the transmit and receive filters and
			// the equalizer's centre tap.
			delay := float64(txSpan+1)/2 + rxSpan/2.0 + (eqTaps/2)/2.0 // symbols
			wantTrained := lead + int64((float64(train)+delay)*10/3)
			end := int64(lead + len(tx))
			want := []struct {
				s      dsp.Status
				lo, hi int64
			}{
				{dsp.CarrierUp, lead, lead + 40},
				{dsp.Trained, wantTrained - 10, wantTrained + 10},
				{dsp.CarrierDown, end - 40, end + 400},
			}
			t.Logf("events %v (Trained expected near %d)", *events, wantTrained)
			if len(*events) != len(want) {
				t.Fatalf("events %v, want %d", *events, len(want))
			}
			for i, w := range want {
				e := (*events)[i]
				if e.s != w.s || e.at < w.lo || e.at > w.hi {
					t.Errorf("event %d: %v at %d, want %v in [%d, %d]", i, e.s, e.at, w.s, w.lo, w.hi)
				}
			}
			if e := countErrors(sent, *bits); e != 0 {
				t.Errorf("%d bit errors", e)
			}
		})
	}
}

// TestTrainingFailed: on a line too noisy for 14400 bit/s the receiver
// recognises segment 1 but reports TrainingFailed at the end of segment 2,
// and delivers no bits.
func TestTrainingFailed(t *testing.T) {
	sent := randomBits(3, 3000)
	sig := modulate(t, Config{Rate: Rate14400, LevelDBm0: -10}, sent)
	sig = linesim.New(linesim.Impairments{NoiseDBm0: linesim.Noise(-20), Seed: 9}).Apply(nil, sig)
	r, bits, events := newTestReceiver(t, Rate14400)
	demodulate(t, r, bits, events, sig)
	var failed []int64
	for _, e := range *events {
		switch e.s {
		case dsp.Trained:
			t.Fatalf("trained at %d on a 10 dB line", e.at)
		case dsp.TrainingFailed:
			failed = append(failed, e.at)
		}
	}
	// Segment 2 of the long train ends 3232 symbols after the start.
	end := int64((seg1Len + seg2LongLen) * 10 / 3)
	if len(failed) != 1 || failed[0] < end-100 || failed[0] > end+100 {
		t.Errorf("TrainingFailed at %v, want once near sample %d; events %v", failed, end, *events)
	}
	if len(*bits) != 0 {
		t.Errorf("%d bits delivered without training", len(*bits))
	}
}

// TestTalkerEchoProtection: the optional TEP signal before the training
// must not stop the receiver from training.
func TestTalkerEchoProtection(t *testing.T) {
	for _, rate := range allRates {
		sent := randomBits(4, 5000)
		sig := modulate(t, Config{Rate: rate, TEP: true}, sent)
		if plain := modulate(t, Config{Rate: rate}, sent); len(sig)-len(plain) != (tepToneLen+tepSilenceLen)*10/3 {
			t.Errorf("TEP adds %d samples, want 1760", len(sig)-len(plain))
		}
		sig = linesim.New(linesim.Impairments{Law: g711.Ulaw}).Apply(nil, append(sig, make([]int16, 800)...))
		r, bits, events := newTestReceiver(t, rate)
		demodulate(t, r, bits, events, sig)
		checkRun(t, fmt.Sprint(rate), sent, *bits, *events)
	}
}

// TestLoudBurstDuringTraining: a full-scale square wave after a quiet
// segment 1 drives the equalizer far off; the receiver must report
// TrainingFailed and hunt again instead of training on garbage.
func TestLoudBurstDuringTraining(t *testing.T) {
	sig := modulate(t, Config{Rate: Rate14400, LevelDBm0: -44}, randomBits(1, 20000))
	const burst = 3000
	for i := burst; i < len(sig); i++ {
		sig[i] = 32767
		if i%7 < 3 {
			sig[i] = -32768
		}
	}
	r, bits, events := newTestReceiver(t, Rate14400)
	demodulate(t, r, bits, events, sig)
	want := []dsp.Status{dsp.CarrierUp, dsp.TrainingFailed}
	if len(*events) != len(want) {
		t.Fatalf("events %v, want carrier up then training failed", *events)
	}
	for i, e := range *events {
		if e.s != want[i] {
			t.Errorf("event %d: %v, want %v", i, e.s, want[i])
		}
	}
	if at := (*events)[1].at; at < burst || at > burst+100 {
		t.Errorf("training failed at %d, want just after the burst at %d", at, burst)
	}
	if len(*bits) != 0 {
		t.Errorf("%d bits delivered", len(*bits))
	}
}

// TestShortTrainWithoutLongTrain: on a clean line a receiver can train on a
// short train alone.
func TestShortTrainWithoutLongTrain(t *testing.T) {
	for _, rate := range allRates {
		sent := randomBits(2, 5000)
		sig := modulate(t, Config{Rate: rate, ShortTrain: true}, sent)
		sig = linesim.New(linesim.Impairments{Law: g711.Alaw}).Apply(nil, append(sig, make([]int16, 800)...))
		r, bits, events := newTestReceiver(t, rate)
		if err := r.Restart(rate, true); err != nil {
			t.Fatal(err)
		}
		demodulate(t, r, bits, events, sig)
		checkRun(t, fmt.Sprint(rate), sent, *bits, *events)
	}
}
