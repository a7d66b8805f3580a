package tone

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/dsp/v21"
)

func generate(cfg GeneratorConfig, n int) []int16 {
	out := make([]int16, n)
	k := NewGenerator(cfg).Transmit(out)
	return out[:k]
}

func sine(hz, dBm0 float64, n int) []int16 {
	out := make([]int16, n)
	a := dsp.SineAmplitude(dBm0)
	for i := range out {
		out[i] = int16(a * math.Sin(2*math.Pi*hz*float64(i)/dsp.SampleRate))
	}
	return out
}

func detect(cfg DetectorConfig, in []int16) []Event {
	var ev []Event
	d := NewDetector(cfg, func(e Event) { ev = append(ev, e) })
	for len(in) > 0 {
		k := min(len(in), 160)
		d.Receive(in[:k])
		in = in[k:]
	}
	return ev
}

func TestCNGCadence(t *testing.T) {
	s := generate(CNG(-10), 8*dsp.SampleRate)
	// Bursts start at 0 and 3.5 s and last 0.5 s.
	for i, v := range s {
		pos := i % (CNGOnSamples + CNGOffSamples)
		if pos >= CNGOnSamples && v != 0 {
			t.Fatalf("sample %d in the silent part is %d", i, v)
		}
	}
	var ms float64
	for _, v := range s[:CNGOnSamples] {
		ms += float64(v) * float64(v)
	}
	if lvl := dsp.PowerDBm0(ms / CNGOnSamples); math.Abs(lvl+10) > 0.1 {
		t.Errorf("CNG level %.2f dBm0, want -10", lvl)
	}
}

func TestCEDDuration(t *testing.T) {
	if n := len(generate(CED(0), 5*dsp.SampleRate)); n != CEDSamples {
		t.Errorf("CED lasts %d samples, want %d", n, CEDSamples)
	}
}

func TestDetectOurTones(t *testing.T) {
	tests := []struct {
		name string
		cfg  DetectorConfig
		in   []int16
		want []bool // Present values reported
	}{
		{"CNG", CNGDetector(), generate(CNG(0), 8*dsp.SampleRate), []bool{true, true, true}},
		{"CED", CEDDetector(), append(generate(CED(0), 4*dsp.SampleRate), make([]int16, 800)...), []bool{true, false}},
		{"CED at -43", CEDDetector(), generate(CED(-43), 4*dsp.SampleRate), []bool{true}},
		{"CNG at -43", CNGDetector(), generate(CNG(-43), 4*dsp.SampleRate), []bool{true}},
		{"CED at -3", CEDDetector(), generate(CED(-3), 4*dsp.SampleRate), []bool{true}},
		{"CED at -50", CEDDetector(), generate(CED(-50), 4*dsp.SampleRate), nil},
		{"CED +15 Hz", CEDDetector(), sine(2115, -20, 8000), []bool{true}},
		{"CED -15 Hz", CEDDetector(), sine(2085, -20, 8000), []bool{true}},
		{"2250 Hz is not CED", CEDDetector(), sine(2250, -20, 8000), nil},
		{"CNG +38 Hz", CNGDetector(), append(sine(1138, -20, 4000), make([]int16, 800)...), []bool{true}},
		{"CNG -38 Hz", CNGDetector(), append(sine(1062, -20, 4000), make([]int16, 800)...), []bool{true}},
		{"CED too short", CEDDetector(), append(sine(2100, -10, 2400), make([]int16, 800)...), nil},
		{"CNG too long", CNGDetector(), append(sine(1100, -10, 16000), make([]int16, 800)...), nil},
		{"CNG too short", CNGDetector(), append(sine(1100, -10, 2400), make([]int16, 800)...), nil},
		{"1100 Hz is not CED", CEDDetector(), sine(1100, -10, 16000), nil},
		{"2100 Hz is not CNG", CNGDetector(), append(sine(2100, -10, 4000), make([]int16, 800)...), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := detect(tc.cfg, tc.in)
			if len(ev) != len(tc.want) {
				t.Fatalf("events %+v, want %v", ev, tc.want)
			}
			for i, e := range ev {
				if e.Present != tc.want[i] {
					t.Errorf("event %d: %+v, want present=%v", i, e, tc.want[i])
				}
			}
		})
	}
}

func TestDetectTiming(t *testing.T) {
	lead := 4000
	in := append(make([]int16, lead), generate(CED(-20), 4*dsp.SampleRate)...)
	in = append(in, make([]int16, 2000)...)
	ev := detect(CEDDetector(), in)
	if len(ev) != 2 {
		t.Fatalf("events %+v", ev)
	}
	if d := ev[0].Start - int64(lead); d < -blockLen || d > blockLen {
		t.Errorf("start at %d, tone began at %d", ev[0].Start, lead)
	}
	if d := ev[0].At - int64(lead) - 400*8; d < 0 || d > 2*blockLen {
		t.Errorf("declared at %d, %d samples after 400 ms of tone", ev[0].At, d)
	}
	end := int64(lead + CEDSamples)
	if d := ev[1].At - end; d < 0 || d > 3*blockLen {
		t.Errorf("end reported at %d, tone ended at %d", ev[1].At, end)
	}
	if math.Abs(ev[0].LevelDBm0+20) > 0.5 {
		t.Errorf("level %.2f, want -20", ev[0].LevelDBm0)
	}
}

func noise(dBm0 float64, n int, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, n)
	sigma := dsp.SineAmplitude(dBm0) / math.Sqrt2
	for i := range out {
		out[i] = int16(max(-32768, min(32767, r.NormFloat64()*sigma)))
	}
	return out
}

// speech is a crude voiced-speech model: harmonics of a gliding pitch,
// shaped by two moving formants and syllable-rate amplitude modulation.
func speech(n int, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([]int16, n)
	var ph float64
	f1, f2 := 500.0, 1500.0
	for i := range out {
		tt := float64(i) / dsp.SampleRate
		f0 := 120 + 40*math.Sin(2*math.Pi*0.7*tt)
		if i%800 == 0 {
			f1, f2 = 300+r.Float64()*600, 900+r.Float64()*1500
		}
		ph += 2 * math.Pi * f0 / dsp.SampleRate
		var v float64
		for k := 1; k*int(f0) < 3400; k++ {
			f := float64(k) * f0
			g := 1/(1+math.Pow((f-f1)/150, 2)) + 0.5/(1+math.Pow((f-f2)/200, 2))
			v += g * math.Sin(float64(k)*ph)
		}
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*tt)
		out[i] = int16(3000 * env * v)
	}
	return out
}

func v21Signal(n int) []int16 {
	r := rand.New(rand.NewPCG(3, 3))
	tx := v21.NewTransmitter(v21.Config{LevelDBm0: -10}, func() (int, bool) { return r.IntN(2), true })
	out := make([]int16, n)
	tx.Transmit(out)
	return out
}

func TestNoFalseDetection(t *testing.T) {
	inputs := map[string][]int16{
		"silence":     make([]int16, 5*dsp.SampleRate),
		"noise -20":   noise(-20, 5*dsp.SampleRate, 1),
		"noise -40":   noise(-40, 5*dsp.SampleRate, 2),
		"speech":      speech(10*dsp.SampleRate, 3),
		"V.21":        v21Signal(10 * dsp.SampleRate),
		"V.21 flags":  v21Flags(5 * dsp.SampleRate),
		"V.21 + CNG?": mix(v21Signal(5*dsp.SampleRate), generate(CNG(-30), 5*dsp.SampleRate)),
	}
	for name, in := range inputs {
		for _, cfg := range []DetectorConfig{CNGDetector(), CEDDetector()} {
			if ev := detect(cfg, in); len(ev) != 0 {
				t.Errorf("%s: %v Hz detector reports %+v", name, cfg.Hz, ev)
			}
		}
	}
}

func v21Flags(n int) []int16 {
	i := 0
	tx := v21.NewTransmitter(v21.Config{LevelDBm0: -10}, func() (int, bool) {
		i++
		return 0x7E >> (i % 8) & 1, true
	})
	out := make([]int16, n)
	tx.Transmit(out)
	return out
}

func mix(a, b []int16) []int16 {
	out := make([]int16, min(len(a), len(b)))
	for i := range out {
		out[i] = int16(max(-32768, min(32767, int(a[i])+int(b[i]))))
	}
	return out
}

func TestDetectInNoiseAndCompanding(t *testing.T) {
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		line := linesim.New(linesim.Impairments{Law: law, NoiseDBm0: linesim.Noise(-35), FreqOffsetHz: 7, Seed: 4})
		in := line.Apply(nil, generate(CED(-25), 4*dsp.SampleRate))
		if ev := detect(CEDDetector(), in); len(ev) == 0 || !ev[0].Present {
			t.Errorf("%v: CED at -25 dBm0 with -35 dBm0 noise not detected: %+v", law, ev)
		}
		in = line.Apply(nil, generate(CNG(-25), 4*dsp.SampleRate))
		if ev := detect(CNGDetector(), in); len(ev) == 0 {
			t.Errorf("%v: CNG at -25 dBm0 with -35 dBm0 noise not detected", law)
		}
	}
}

func TestPowerMeter(t *testing.T) {
	for _, lvl := range []float64{-3, -20, -43} {
		m := NewPowerMeter(6)
		m.Process(sine(1000, lvl, 4000))
		if got := m.DBm0(); math.Abs(got-lvl) > 0.3 {
			t.Errorf("%v dBm0 sine reads %.2f", lvl, got)
		}
	}
	m := NewPowerMeter(5)
	if !math.IsInf(m.DBm0(), -1) {
		t.Error("silence is not -inf")
	}
	for _, v := range sine(1000, -10, 100) {
		m.Update(v)
	}
	if m.MeanSquare() <= 0 {
		t.Error("Update does not accumulate")
	}
}

func TestNoAllocs(t *testing.T) {
	g := NewGenerator(CNG(0))
	d := NewDetector(CNGDetector(), func(Event) {})
	m := NewPowerMeter(5)
	buf := make([]int16, 160)
	if n := testing.AllocsPerRun(100, func() {
		g.Transmit(buf)
		d.Receive(buf)
		m.Process(buf)
	}); n != 0 {
		t.Errorf("%v allocations per block", n)
	}
}

func BenchmarkDetector(b *testing.B) {
	in := generate(CED(0), 4*dsp.SampleRate)
	d := NewDetector(CEDDetector(), nil)
	for b.Loop() {
		d.Receive(in)
	}
	b.ReportMetric(float64(len(in))*float64(b.N)/dsp.SampleRate/b.Elapsed().Seconds(), "x-realtime")
}
