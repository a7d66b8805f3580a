package linesim

import (
	"math"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
)

func sine(freq, dBm0 float64, n int) []int16 {
	a := dsp.SineAmplitude(dBm0)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(math.Round(a * math.Sin(2*math.Pi*freq*float64(i)/dsp.SampleRate)))
	}
	return out
}

// toneFreq estimates a pure tone's frequency by counting rising zero crossings.
func toneFreq(s []int16) float64 {
	first, last, n := -1, -1, 0
	for i := 1; i < len(s); i++ {
		if s[i-1] < 0 && s[i] >= 0 {
			if first < 0 {
				first = i
			} else {
				n++
			}
			last = i
		}
	}
	return float64(n) * dsp.SampleRate / float64(last-first)
}

func powerDBm0(s []int16) float64 {
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return dsp.PowerDBm0(sum / float64(len(s)))
}

func TestFrequencyOffset(t *testing.T) {
	for _, off := range []float64{-7, 7, 50} {
		in := sine(1000, -10, 8000)
		out := New(Impairments{FreqOffsetHz: off}).Apply(nil, in)
		if got := toneFreq(out[200:]); math.Abs(got-(1000+off)) > 0.5 {
			t.Errorf("offset %v Hz: tone at %.2f Hz, want %.2f", off, got, 1000+off)
		}
		if p := powerDBm0(out[200:]); math.Abs(p+10) > 0.3 {
			t.Errorf("offset %v Hz: level %.2f dBm0, want -10", off, p)
		}
	}
}

func TestClockOffset(t *testing.T) {
	for _, ppm := range []float64{-100, 100} {
		in := sine(1000, -10, 80000)
		out := New(Impairments{ClockPPM: ppm}).Apply(nil, in)
		wantLen := float64(len(in)) * (1 + ppm*1e-6)
		if math.Abs(float64(len(out))-wantLen) > 4 {
			t.Errorf("%v ppm: %d samples out of %d, want about %.0f", ppm, len(out), len(in), wantLen)
		}
		wantFreq := 1000 / (1 + ppm*1e-6)
		// Skip the resampler's start-up transient, as TestFrequencyOffset does.
		if got := toneFreq(out[200:]); math.Abs(got-wantFreq) > 0.02 {
			t.Errorf("%v ppm: tone at %.3f Hz, want %.3f", ppm, got, wantFreq)
		}
	}
}

func TestGainNoiseAndLaw(t *testing.T) {
	in := make([]int16, 80000)
	out := New(Impairments{NoiseDBm0: Noise(-30), Law: g711.Ulaw, Seed: 1}).Apply(nil, in)
	if p := powerDBm0(out); math.Abs(p+30) > 0.5 {
		t.Errorf("noise at %.2f dBm0, want -30", p)
	}
	out = New(Impairments{GainDB: -20}).Apply(nil, sine(1000, -3, 8000))
	if p := powerDBm0(out); math.Abs(p+23) > 0.1 {
		t.Errorf("after -20 dB: %.2f dBm0, want -23", p)
	}
}

// Blocks of any size give the same result as one long block.
func TestBlockSizeIndependent(t *testing.T) {
	imp := Impairments{FreqOffsetHz: 5, ClockPPM: 80, NoiseDBm0: Noise(-40), Law: g711.Alaw, Seed: 7}
	in := sine(1800, -10, 5000)
	whole := New(imp).Apply(nil, in)
	l := New(imp)
	var parts []int16
	for i := 0; i < len(in); {
		n := min(1+i%161, len(in)-i)
		parts = l.Apply(parts, in[i:i+n])
		i += n
	}
	if len(parts) != len(whole) {
		t.Fatalf("lengths %d and %d", len(parts), len(whole))
	}
	for i := range whole {
		if parts[i] != whole[i] {
			t.Fatalf("sample %d: %d in blocks, %d whole", i, parts[i], whole[i])
		}
	}
}
