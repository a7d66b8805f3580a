package v29

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// TestImpairments runs 10^5 random bits per case through our transmitter,
// the line simulator and our receiver, at each impairment's limit, and
// wants zero errors.
func TestImpairments(t *testing.T) {
	const nbits = 100000
	type tc struct {
		name  string
		level float64 // transmit level, dBm0
		imp   linesim.Impairments
	}
	var cases []tc
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		for _, level := range []float64{-43, -3} {
			cases = append(cases, tc{fmt.Sprintf("%s/%vdBm0", law, level), level, linesim.Impairments{Law: law}})
		}
	}
	noise := linesim.Noise(-40)
	for _, f := range []float64{-7, 7} {
		cases = append(cases, tc{fmt.Sprintf("freq%+vHz", f), 0, linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: noise, FreqOffsetHz: f}})
	}
	for _, ppm := range []float64{-100, 100} {
		cases = append(cases, tc{fmt.Sprintf("clock%+vppm", ppm), 0, linesim.Impairments{Law: g711.Alaw, NoiseDBm0: noise, ClockPPM: ppm}})
	}
	cases = append(cases, tc{"all", -30, linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-55), FreqOffsetHz: 7, ClockPPM: -100}})
	for _, rate := range []int{9600, 7200, 4800} {
		for i, c := range cases {
			t.Run(fmt.Sprintf("%d/%s", rate, c.name), func(t *testing.T) {
				t.Parallel()
				cfg := Config{Rate: rate, Level: c.level}
				bits := randomBits(nbits, uint64(rate+i))
				c.imp.Seed = uint64(i + 1)
				sig := linesim.New(c.imp).Apply(nil, modulate(t, cfg, bits))
				got, events := demodulate(t, cfg, sig)
				if trainedAt(events) < 0 {
					t.Fatalf("never trained: %v", events)
				}
				if e := countErrors(bits, got); e != 0 {
					t.Errorf("%d bit errors in %d (events %v)", e, nbits, events)
				}
			})
		}
	}
}

// TestNoiseBeforeTraining: 500 ms of noise alone must not train the
// receiver, which must then train on the signal that follows.
func TestNoiseBeforeTraining(t *testing.T) {
	for _, rate := range []int{9600, 7200, 4800} {
		for _, noiseLevel := range []float64{-40, -25, -15} {
			t.Run(fmt.Sprintf("%d/%vdBm0", rate, noiseLevel), func(t *testing.T) {
				cfg := Config{Rate: rate}
				bits := randomBits(20000, uint64(rate))
				pre := linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(noiseLevel), Seed: 3}).
					Apply(nil, make([]int16, 4000))
				sig := linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-40), Seed: 4}).
					Apply(pre, modulate(t, cfg, bits))
				got, events := demodulate(t, cfg, sig)
				at := trainedAt(events)
				if at < 4000 {
					t.Fatalf("trained at sample %d, during the noise (events %v)", at, events)
				}
				if e := countErrors(bits, got); e != 0 {
					t.Errorf("%d bit errors in %d (events %v)", e, len(bits), events)
				}
			})
		}
	}
}

// TestStatusTiming checks each status change against where the signal
// puts it.
func TestStatusTiming(t *testing.T) {
	for _, rate := range []int{9600, 7200, 4800} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			cfg := Config{Rate: rate}
			const lead = 1000
			sig := append(make([]int16, lead), modulate(t, cfg, randomBits(4800, 1))...)
			end := len(sig)
			sig = append(sig, make([]int16, 2000)...)
			sig = linesim.New(linesim.Impairments{Law: g711.Ulaw}).Apply(nil, sig)
			_, events := demodulate(t, cfg, sig)
			seg2 := int64(lead + seg1Len*10/3)
			seg4End := int64(lead + (seg1Len+seg2Len+seg3Len+seg4Len)*10/3)
			want := []struct {
				s        dsp.Status
				from, to int64
			}{
				{dsp.CarrierUp, seg2 - 20, seg2 + 40},                 // filter precursor to a few ms
				{dsp.Trained, seg4End, seg4End + 80},                  // pulse, filter and equalizer delays
				{dsp.CarrierDown, int64(end) - 100, int64(end) + 150}, // 12 dB below the trained power
			}
			t.Logf("events %v, signal end %d", events, end)
			if len(events) != len(want) {
				t.Fatalf("events %v, want %d", events, len(want))
			}
			for i, w := range want {
				e := events[i]
				if e.s != w.s || e.at < w.from || e.at > w.to {
					t.Errorf("event %d = %v at %d, want %v in [%d, %d]", i, e.s, e.at, w.s, w.from, w.to)
				}
			}
		})
	}
}

// TestTrainingFailed: a 7200 bit/s training is not a 9600 one, and a cut
// in the middle of the training fails it.
func TestTrainingFailed(t *testing.T) {
	sig7200 := modulate(t, Config{Rate: 7200}, randomBits(2000, 1))
	sig9600 := modulate(t, Config{Rate: 9600}, randomBits(2000, 1))
	sig4800 := modulate(t, Config{Rate: 4800}, randomBits(2000, 1))
	cut := append(append([]int16(nil), sig9600[:1200]...), make([]int16, 2000)...)
	tests := []struct {
		name string
		rate int
		in   []int16
	}{
		{"7200 into 9600", 9600, sig7200},
		{"9600 into 7200", 7200, sig9600},
		{"4800 into 9600", 9600, sig4800},
		{"9600 into 4800", 4800, sig9600},
		{"4800 into 7200", 7200, sig4800},
		{"7200 into 4800", 4800, sig7200},
		{"cut in segment 3", 9600, cut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bits, events := demodulate(t, Config{Rate: tt.rate}, tt.in)
			if trainedAt(events) >= 0 || len(bits) != 0 {
				t.Fatalf("trained on %s: %v, %d bits", tt.name, events, len(bits))
			}
			failed := false
			for _, e := range events {
				failed = failed || e.s == dsp.TrainingFailed
			}
			if !failed {
				t.Errorf("no TrainingFailed: %v", events)
			}
			if testing.Verbose() {
				t.Logf("events %v", events)
			}
		})
	}
}

// TestSNR checks the receiver's decision SNR estimate on a clean mu-law
// line and with white noise 20 dB below the signal (about 22 dB in band).
func TestSNR(t *testing.T) {
	tests := []struct {
		noise    *float64
		min, max float64
	}{
		{nil, 30, 40},
		{linesim.Noise(-33), 19, 25},
	}
	for _, tt := range tests {
		cfg := Config{Rate: 9600}
		sig := linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: tt.noise}).Apply(nil, modulate(t, cfg, randomBits(20000, 1)))
		rx, err := NewReceiver(cfg, func(int) {}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rx.Receive(sig)
		if snr := rx.SNR(); snr < tt.min || snr > tt.max {
			t.Errorf("noise %v: SNR %.1f dB, want [%v, %v]", tt.noise != nil, snr, tt.min, tt.max)
		}
	}
}

// TestLoudBurstAfterQuietTraining: the loops may diverge on a full-scale
// burst in the data of a -43 dBm0 signal; the receiver must neither panic
// nor report nonsense, and must train on the next transmission.
func TestLoudBurstAfterQuietTraining(t *testing.T) {
	sig := burstAfterQuietTraining()
	sig = append(sig, make([]int16, 800)...)
	bits := randomBits(3000, 5)
	sig = append(sig, modulate(t, Config{Rate: 9600}, bits)...)
	got, events := demodulate(t, Config{Rate: 9600}, sig)
	last := events[len(events)-1]
	if last.s != dsp.Trained {
		t.Fatalf("events %v: want the last to be Trained on the second signal", events)
	}
	if !contains(got, bits) {
		t.Errorf("second transmission not found error free in the output (events %v)", events)
	}
}

// TestCarrierDownOnNoisyLine: with line noise above the carrier-off level,
// the carrier still ends when the signal does, because a trained receiver
// raises its off level relative to the signal it trained on.
func TestCarrierDownOnNoisyLine(t *testing.T) {
	for _, noise := range []float64{-40, -35} {
		cfg := Config{Rate: 9600}
		sig := modulate(t, cfg, randomBits(4800, 1))
		end := int64(len(sig))
		sig = append(sig, make([]int16, 2000)...)
		sig = linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(noise), Seed: 2}).Apply(nil, sig)
		_, events := demodulate(t, cfg, sig)
		down := int64(-1)
		for _, e := range events {
			if e.s == dsp.CarrierDown {
				down = e.at
				break
			}
		}
		if down < end || down > end+200 {
			t.Errorf("noise %v dBm0: CarrierDown at %d, want within 200 samples after the signal ends at %d (events %v)", noise, down, end, events)
		}
	}
}

// TestAfterV21: in T.30 a V.29 TCF or page follows V.21 frames after 75 ms
// of silence. The receiver, listening from the start of the V.21 signal on
// a line with noise, must ignore the FSK and train on V.29.
func TestAfterV21(t *testing.T) {
	for _, rate := range []int{9600, 7200, 4800} {
		cfg := Config{Rate: rate}
		var sig []int16
		var ph float64
		rng := rand.New(rand.NewPCG(4, 4))
		bit := 0
		for i := range 8000 { // 1 s of V.21 channel 2 at 300 bit/s, -13 dBm0
			if i%27 == 0 {
				bit = rng.IntN(2)
			}
			ph += 2 * math.Pi * float64(1650+200*bit) / 8000
			sig = append(sig, int16(dsp.SineAmplitude(-13)*math.Sin(ph)))
		}
		sig = append(sig, make([]int16, 600)...) // 75 ms
		bits := randomBits(9600, 3)
		sig = append(sig, modulate(t, cfg, bits)...)
		sig = linesim.New(linesim.Impairments{Law: g711.Alaw, NoiseDBm0: linesim.Noise(-50), Seed: 5}).Apply(nil, sig)
		got, events := demodulate(t, cfg, sig)
		if at := trainedAt(events); at < 8600 {
			t.Fatalf("%d: trained at %d, want on the V.29 signal after 8600 (events %v)", rate, at, events)
		}
		if !contains(got, bits) {
			t.Errorf("%d: data not found error free (events %v)", rate, events)
		}
	}
}

func TestFrequencyOffsetEstimate(t *testing.T) {
	for _, f := range []float64{-7, 0, 7, 15} {
		cfg := Config{Rate: 9600}
		sig := linesim.New(linesim.Impairments{Law: g711.Ulaw, FreqOffsetHz: f}).Apply(nil, modulate(t, cfg, randomBits(20000, 1)))
		rx, err := NewReceiver(cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		rx.Receive(sig)
		if got := rx.FrequencyOffset(); math.Abs(got-f) > 0.2 {
			t.Errorf("offset %v Hz: estimated %.3f Hz", f, got)
		}
	}
}

// TestLinearDistortion passes the signal through FIR channels with echoes
// (intersymbol interference the equalizer must remove) before mu-law.
func TestLinearDistortion(t *testing.T) {
	channels := []struct {
		name string
		h    []float64
	}{
		{"echo 0.3 at 3", []float64{1, 0, 0, 0.3}},
		{"two echoes", []float64{0.9, 0, 0.25, 0, 0, -0.15, 0, 0, 0, 0.08}},
		{"lowpass tilt", []float64{0.25, 0.5, 0.25}},
	}
	for _, ch := range channels {
		for _, rate := range []int{9600, 7200} {
			cfg := Config{Rate: rate}
			bits := randomBits(30000, 9)
			clean := modulate(t, cfg, bits)
			dist := make([]int16, len(clean))
			for n := range clean {
				var v float64
				for k, h := range ch.h {
					if n-k >= 0 {
						v += h * float64(clean[n-k])
					}
				}
				dist[n] = int16(max(-32768, min(32767, v)))
			}
			sig := linesim.New(linesim.Impairments{Law: g711.Ulaw}).Apply(nil, dist)
			rx, err := NewReceiver(cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			rx, _ = NewReceiver(cfg, func(b int) { got = append(got, b) }, nil)
			rx.Receive(sig)
			if e := countErrors(bits, got); e != 0 {
				t.Errorf("%s, %d: %d errors, SNR %.1f dB", ch.name, rate, e, rx.SNR())
			} else {
				t.Logf("%s, %d: SNR %.1f dB", ch.name, rate, rx.SNR())
			}
		}
	}
}

// TestNoFalseTraining: seconds of signals that are not V.29 must never
// produce Trained (or data bits): noise at several levels, the fax tones,
// an unmodulated carrier, speech-like sound and V.21 FSK.
func TestNoFalseTraining(t *testing.T) {
	const n = 5 * 8000
	tone := func(hz, dBm0 float64) []int16 {
		s := make([]int16, n)
		for i := range s {
			s[i] = int16(dsp.SineAmplitude(dBm0) * math.Sin(2*math.Pi*hz*float64(i)/8000))
		}
		return s
	}
	rng := rand.New(rand.NewPCG(6, 6))
	speech := make([]int16, n)
	for i := range speech {
		x := float64(i) / 8000
		env := 0.5 + 0.5*math.Sin(2*math.Pi*3*x)
		speech[i] = int16(env*(4000*math.Sin(2*math.Pi*120*x)+2000*math.Sin(2*math.Pi*800*x)+
			1000*math.Sin(2*math.Pi*2200*x)) + 300*rng.NormFloat64())
	}
	fsk := make([]int16, n)
	var ph float64
	bit := 0
	for i := range fsk {
		if i%27 == 0 {
			bit = rng.IntN(2)
		}
		ph += 2 * math.Pi * float64(1650+200*bit) / 8000
		fsk[i] = int16(dsp.SineAmplitude(-13) * math.Sin(ph))
	}
	inputs := map[string][]int16{
		"CNG 1100 Hz":     tone(1100, -13),
		"CED 2100 Hz":     tone(2100, -13),
		"carrier 1700 Hz": tone(1700, -13),
		"500 Hz":          tone(500, -13),
		"2900 Hz":         tone(2900, -13),
		"speech-like":     speech,
		"V.21 channel 2":  fsk,
		"noise -40 dBm0":  linesim.New(linesim.Impairments{NoiseDBm0: linesim.Noise(-40), Seed: 1}).Apply(nil, make([]int16, n)),
		"noise -20 dBm0":  linesim.New(linesim.Impairments{NoiseDBm0: linesim.Noise(-20), Seed: 2}).Apply(nil, make([]int16, n)),
		"noise -5 dBm0":   linesim.New(linesim.Impairments{NoiseDBm0: linesim.Noise(-5), Seed: 3}).Apply(nil, make([]int16, n)),
		"silence":         make([]int16, n),
	}
	for name, in := range inputs {
		for _, rate := range []int{9600, 7200, 4800} {
			bits, events := demodulate(t, Config{Rate: rate}, in)
			if trainedAt(events) >= 0 || len(bits) != 0 {
				t.Errorf("%s, %d: trained (%d bits, events %v)", name, rate, len(bits), events)
			}
		}
	}
}
