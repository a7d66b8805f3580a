package v29

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// FuzzReceiver feeds arbitrary audio to a receiver at any rate, in blocks
// of any size: it must never panic, emit only 0 and 1 bits, and report
// status changes in order at samples it has seen.
func FuzzReceiver(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s.rate, s.block, s.data)
	}
	f.Fuzz(func(t *testing.T, rateSel, block byte, data []byte) {
		rate := []int{4800, 7200, 9600}[int(rateSel)%3]
		samples := make([]int16, len(data)/2)
		for i := range samples {
			samples[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		total := int64(len(samples))
		var last int64
		up, trained := false, false
		rx, err := NewReceiver(Config{Rate: rate}, func(b int) {
			if b != 0 && b != 1 {
				t.Fatalf("bit %d", b)
			}
			if !trained {
				t.Fatal("bit before Trained")
			}
		}, func(s dsp.Status, at int64) {
			if at < last || at >= total {
				t.Fatalf("%v at %d after %d, of %d samples", s, at, last, total)
			}
			last = at
			switch s {
			case dsp.CarrierUp:
				up, trained = true, false
			case dsp.Trained:
				// Again without a new carrier only after the loops
				// diverged and the receiver went back to searching.
				if !up {
					t.Fatalf("Trained at %d without carrier", at)
				}
				trained = true
			case dsp.TrainingFailed:
				if !up {
					t.Fatalf("TrainingFailed at %d without carrier", at)
				}
				trained = false
			case dsp.CarrierDown:
				if !up {
					t.Fatalf("CarrierDown at %d without CarrierUp", at)
				}
				up, trained = false, false
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		n := int(block) + 1
		for len(samples) > 0 {
			k := min(n, len(samples))
			rx.Receive(samples[:k])
			samples = samples[k:]
		}
	})
}

type fuzzSeed struct {
	name        string
	rate, block byte
	data        []byte
}

func toLE(s []int16) []byte {
	b := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// fuzzSeeds are the committed seed corpus: silence, noise, speech-like
// sound, V.21 FSK, our signals at every rate (also fed to the wrong
// rate), and a signal cut in the middle of its training.
func fuzzSeeds() []fuzzSeed {
	rng := rand.New(rand.NewPCG(5, 6))
	noise := linesim.New(linesim.Impairments{NoiseDBm0: linesim.Noise(-20), Law: g711.Alaw, Seed: 9}).
		Apply(nil, make([]int16, 4000))
	speech := make([]int16, 6000)
	for i := range speech {
		t := float64(i) / 8000
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t) // syllables
		v := 3000*math.Sin(2*math.Pi*140*t) + 1500*math.Sin(2*math.Pi*700*t) + 800*math.Sin(2*math.Pi*1900*t)
		speech[i] = int16(env*v + 200*rng.NormFloat64())
	}
	fsk := make([]int16, 4000)
	var ph float64
	for i := range fsk {
		f := 1650.0
		if (i/27)%3 == 0 { // 300 bit/s
			f = 1850
		}
		ph += 2 * math.Pi * f / 8000
		fsk[i] = int16(8000 * math.Sin(ph))
	}
	v9600 := modulate(&testing.T{}, Config{Rate: 9600}, randomBits(1500, 1))
	v7200 := modulate(&testing.T{}, Config{Rate: 7200}, randomBits(1000, 2))
	v4800 := modulate(&testing.T{}, Config{Rate: 4800}, randomBits(600, 3))
	cut := append(append([]int16(nil), v9600[:1500]...), make([]int16, 500)...)
	burst := burstAfterQuietTraining()
	return []fuzzSeed{
		{"silence", 2, 159, make([]byte, 1000)},
		{"noise", 2, 0, toLE(noise)},
		{"speech", 1, 99, toLE(speech)},
		{"v21", 2, 159, toLE(fsk)},
		{"v29-9600", 2, 159, toLE(v9600)},
		{"v29-7200", 1, 7, toLE(v7200)},
		{"v29-4800", 0, 255, toLE(v4800)},
		{"v29-7200-into-9600", 2, 160, toLE(v7200)},
		{"cut", 2, 31, toLE(cut)},
		{"burst", 2, 159, toLE(burst)},
	}
}

// TestWriteFuzzSeeds rewrites testdata/fuzz/FuzzReceiver when
// SOFTFAX_WRITE_SEEDS=1; otherwise it checks the committed corpus exists.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReceiver")
	seeds := fuzzSeeds()
	if os.Getenv("SOFTFAX_WRITE_SEEDS") != "1" {
		for _, s := range seeds {
			if _, err := os.Stat(filepath.Join(dir, s.name)); err != nil {
				t.Errorf("seed %s missing (regenerate with SOFTFAX_WRITE_SEEDS=1): %v", s.name, err)
			}
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		body := fmt.Sprintf("go test fuzz v1\nbyte(%q)\nbyte(%q)\n[]byte(%s)\n", s.rate, s.block, strconv.Quote(string(s.data)))
		if err := os.WriteFile(filepath.Join(dir, s.name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// burstAfterQuietTraining is a 9600 bit/s signal at -43 dBm0 with a
// full-scale noise burst in its data.
func burstAfterQuietTraining() []int16 {
	sig := modulate(&testing.T{}, Config{Rate: 9600, Level: -43}, randomBits(3000, 4))
	rng := rand.New(rand.NewPCG(8, 8))
	for i := 2400; i < 2800 && i < len(sig); i++ {
		sig[i] = int16(rng.IntN(65536) - 32768)
	}
	return sig
}
