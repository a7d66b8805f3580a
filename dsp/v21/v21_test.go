package v21

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/internal/modemtest"
	"github.com/softfax/softfax/dsp/linesim"
)

func randomBits(n int, seed uint64) []byte { return modemtest.RandomBits[byte](n, seed, 3) }

func sliceSource(bits []byte) dsp.BitSource { return modemtest.Source(bits) }

type event struct {
	s  dsp.Status
	at int64
}

// modulate returns our transmission of bits, with lead-in flags.
func modulate(cfg Config, bits []byte) []int16 {
	lead := make([]byte, 0, 64+len(bits))
	for range 8 {
		lead = append(lead, 0, 1, 1, 1, 1, 1, 1, 0)
	}
	return modemtest.TransmitAll(NewTransmitter(cfg, sliceSource(append(lead, bits...))))
}

func demodulate(samples []int16) ([]byte, []event) {
	var bits []byte
	var events []event
	rx := NewReceiver(Config{}, func(b int) { bits = append(bits, byte(b)) },
		func(s dsp.Status, at int64) { events = append(events, event{s, at}) })
	for len(samples) > 0 {
		n := min(len(samples), 160)
		rx.Receive(samples[:n])
		samples = samples[n:]
	}
	return bits, events
}

// countErrors aligns got on sent (search within the first 200 bits) and
// counts errors over all of sent; bits missing at the end count as errors.
func countErrors(sent, got []byte) int {
	best, bestErr := -1, len(sent)+1
	for off := 0; off < 200 && off+64 <= len(got); off++ {
		e := 0
		for i := range 64 {
			if sent[i] != got[off+i] {
				e++
			}
		}
		if e < bestErr {
			best, bestErr = off, e
		}
	}
	if best < 0 {
		return len(sent)
	}
	errs := 0
	for i := range sent {
		if best+i >= len(got) || sent[i] != got[best+i] {
			errs++
		}
	}
	return errs
}

func TestBackToBack(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 10000
	}
	noise := linesim.Noise(-60)
	tests := []struct {
		name string
		imp  linesim.Impairments
	}{
		{"ulaw", linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: noise}},
		{"alaw", linesim.Impairments{Law: g711.Alaw, NoiseDBm0: noise}},
		{"-43dBm0 ulaw", linesim.Impairments{GainDB: -43 - DefaultLevelDBm0, Law: g711.Ulaw}},
		{"-43dBm0 alaw", linesim.Impairments{GainDB: -43 - DefaultLevelDBm0, Law: g711.Alaw}},
		{"-3dBm0 ulaw", linesim.Impairments{GainDB: -3 - DefaultLevelDBm0, Law: g711.Ulaw, NoiseDBm0: noise}},
		{"+7Hz", linesim.Impairments{FreqOffsetHz: 7, Law: g711.Ulaw, NoiseDBm0: noise}},
		{"-7Hz", linesim.Impairments{FreqOffsetHz: -7, Law: g711.Ulaw, NoiseDBm0: noise}},
		{"+100ppm", linesim.Impairments{ClockPPM: 100, Law: g711.Ulaw, NoiseDBm0: noise}},
		{"-100ppm", linesim.Impairments{ClockPPM: -100, Law: g711.Ulaw, NoiseDBm0: noise}},
		{"SNR 15dB", linesim.Impairments{NoiseDBm0: linesim.Noise(DefaultLevelDBm0 - 15), Law: g711.Ulaw}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bits := randomBits(n, uint64(i))
			tc.imp.Seed = uint64(i + 1)
			line := linesim.New(tc.imp)
			rxIn := line.Apply(nil, append(modulate(Config{}, bits), make([]int16, 400)...))
			got, events := demodulate(rxIn)
			if errs := countErrors(bits, got); errs != 0 {
				t.Errorf("%d bit errors in %d", errs, n)
			}
			// Noise above the off threshold (-48 dBm0) keeps the carrier up.
			loudNoise := tc.imp.NoiseDBm0 != nil && *tc.imp.NoiseDBm0 > -50
			switch {
			case len(events) == 0 || events[0].s != dsp.CarrierUp:
				t.Errorf("events %v, want carrier up first", events)
			case !loudNoise && (len(events) != 2 || events[1].s != dsp.CarrierDown):
				t.Errorf("events %v, want carrier up then down", events)
			}
		})
	}
}

// TestCarrierTiming checks that carrier up and down are reported within a
// few milliseconds of the signal's start and end.
func TestCarrierTiming(t *testing.T) {
	lead := make([]int16, 4000)
	sig := modulate(Config{}, randomBits(300, 1))
	in := append(append(lead, sig...), make([]int16, 4000)...)
	_, events := demodulate(in)
	if len(events) != 2 {
		t.Fatalf("events %v", events)
	}
	if up := events[0].at - 4000; up < 0 || up > 80 {
		t.Errorf("carrier up %d samples after the signal starts", up)
	}
	if down := events[1].at - int64(4000+len(sig)); down < 0 || down > 200 {
		t.Errorf("carrier down %d samples after the signal ends", down)
	}
}

// TestCarrierThreshold: on at -43 dBm0, off below -48 dBm0 (V.21 §6).
func TestCarrierThreshold(t *testing.T) {
	for _, c := range []struct {
		level float64
		up    bool
	}{{-40, true}, {-43, true}, {-48.5, false}, {-55, false}} {
		sig := modulate(Config{LevelDBm0: c.level}, randomBits(200, 2))
		_, events := demodulate(sig)
		if got := len(events) > 0; got != c.up {
			t.Errorf("%v dBm0: carrier up = %v, want %v", c.level, got, c.up)
		}
	}
}

func TestNoCarrierOnNoiseAndTones(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	in := make([]int16, 8000)
	for i := range in {
		in[i] = int16(r.NormFloat64() * dsp.SineAmplitude(-52) / math.Sqrt2)
	}
	if _, ev := demodulate(in); len(ev) != 0 {
		t.Errorf("-52 dBm0 noise: events %v", ev)
	}
	// 1100 Hz CNG at -10 dBm0 is out of band.
	for i := range in {
		in[i] = int16(dsp.SineAmplitude(-10) * math.Sin(2*math.Pi*1100*float64(i)/dsp.SampleRate))
	}
	if _, ev := demodulate(in); len(ev) != 0 {
		t.Errorf("1100 Hz tone: events %v", ev)
	}
}

func TestTransmitLevel(t *testing.T) {
	for _, level := range []float64{-3, -14, -43} {
		sig := modulate(Config{LevelDBm0: level}, randomBits(600, 3))
		var ms float64
		for _, s := range sig {
			ms += float64(s) * float64(s)
		}
		got := dsp.PowerDBm0(ms / float64(len(sig)))
		if math.Abs(got-level) > 0.2 {
			t.Errorf("level %v dBm0: measured %.2f", level, got)
		}
	}
}

func TestTransmitterEnds(t *testing.T) {
	tx := NewTransmitter(Config{}, sliceSource(randomBits(3, 1)))
	buf := make([]int16, 1000)
	if n := tx.Transmit(buf); n != 80 {
		t.Errorf("3 bits took %d samples, want 80", n)
	}
	if n := tx.Transmit(buf); n != 0 {
		t.Errorf("after the end: %d samples", n)
	}
}

func TestNoAllocs(t *testing.T) {
	bits := randomBits(1000, 4)
	i := 0
	tx := NewTransmitter(Config{}, func() (int, bool) { i++; return int(bits[i%len(bits)]), true })
	rx := NewReceiver(Config{}, func(int) {}, func(dsp.Status, int64) {})
	buf := make([]int16, 160)
	if n := testing.AllocsPerRun(100, func() {
		tx.Transmit(buf)
		rx.Receive(buf)
	}); n != 0 {
		t.Errorf("%v allocations per block", n)
	}
}

func benchSignal() []int16 {
	return modulate(Config{}, randomBits(3000, 9)) // 10 s
}

func BenchmarkTransmit(b *testing.B) {
	bits := randomBits(3000, 9)
	buf := make([]int16, 160)
	samples := 0
	for b.Loop() {
		tx := NewTransmitter(Config{}, sliceSource(bits))
		for {
			n := tx.Transmit(buf)
			samples += n
			if n < len(buf) {
				break
			}
		}
	}
	b.ReportMetric(float64(samples)/dsp.SampleRate/b.Elapsed().Seconds(), "x-realtime")
}

func BenchmarkReceive(b *testing.B) {
	sig := benchSignal()
	rx := NewReceiver(Config{}, func(int) {}, nil)
	samples := 0
	for b.Loop() {
		rx.Reset()
		for k := 0; k < len(sig); k += 160 {
			rx.Receive(sig[k:min(k+160, len(sig))])
		}
		samples += len(sig)
	}
	b.ReportMetric(float64(samples)/dsp.SampleRate/b.Elapsed().Seconds(), "x-realtime")
}

func ExampleReceiver() {
	var bits []int
	rx := NewReceiver(Config{}, func(b int) { bits = append(bits, b) }, func(s dsp.Status, at int64) {
		fmt.Println(s)
	})
	rx.Receive(modulate(Config{}, make([]byte, 30)))
	rx.Receive(make([]int16, 400))
	// Output:
	// carrier up
	// carrier down
}
