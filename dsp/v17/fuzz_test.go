package v17

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
)

// maxFuzzSamples caps the audio of one fuzz input (0.75 s), so the fuzzer
// runs many inputs; a short train and its data fit in it.
const maxFuzzSamples = 6000

// FuzzReceiver feeds arbitrary audio (little-endian int16 samples after a
// mode byte) to a receiver twice, the second time after a restart for a
// short train. The mode byte's low two bits pick the rate, bit 2 whether
// the first pass expects a short train too. The receiver must never panic,
// and statuses must come in order at sample indices within the input.
func FuzzReceiver(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		rate := allRates[int(data[0])%len(allRates)]
		in := make([]int16, min((len(data)-1)/2, maxFuzzSamples))
		for i := range in {
			in[i] = int16(binary.LittleEndian.Uint16(data[1+2*i:]))
		}
		var last int64 = -1
		r, err := NewReceiver(Config{Rate: rate}, func(b int) {
			if b != 0 && b != 1 {
				t.Fatalf("bit %d", b)
			}
		}, func(s dsp.Status, at int64) {
			if at < last || at >= int64(2*len(in)) {
				t.Fatalf("status %v at %d after %d (input %d samples)", s, at, last, len(in))
			}
			last = at
		})
		if err != nil {
			t.Fatal(err)
		}
		if data[0]&4 != 0 {
			r.Restart(rate, true)
		}
		r.Receive(in)
		r.Restart(rate, true)
		r.Receive(in)
	})
}

func int16Bytes(rateIndex byte, s []int16) []byte {
	b := []byte{rateIndex}
	for _, v := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// fuzzSeeds returns the seed inputs: our own signal (whole and cut in the
// middle), noise, silence, a speech-like signal, and tones.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	rng := rand.New(rand.NewPCG(1, 2))
	for i, rate := range allRates {
		bits := make([]byte, 300)
		for j := range bits {
			bits[j] = byte(rng.IntN(2))
		}
		for _, short := range []bool{true, false} {
			k := 0
			tx, _ := NewTransmitter(Config{Rate: rate, ShortTrain: short}, func() (int, bool) {
				if k == len(bits) {
					return 0, false
				}
				k++
				return int(bits[k-1]), true
			})
			var sig []int16
			buf := make([]int16, 160)
			for len(sig) < maxFuzzSamples {
				n := tx.Transmit(buf)
				sig = append(sig, buf[:n]...)
				if n < len(buf) {
					break
				}
			}
			mode := byte(i)
			if short {
				mode |= 4
				seeds = append(seeds, int16Bytes(mode, sig[:len(sig)*2/3])) // cut
			}
			seeds = append(seeds, int16Bytes(mode, sig[:min(len(sig), maxFuzzSamples)]))
		}
	}
	noise := make([]int16, 3000)
	for i := range noise {
		noise[i] = int16(rng.NormFloat64() * 3000)
	}
	seeds = append(seeds, int16Bytes(0, noise), int16Bytes(3, make([]int16, 2000)))
	// Speech-like: a few harmonics with a syllabic envelope.
	speech := make([]int16, 3000)
	for i := range speech {
		t := float64(i) / dsp.SampleRate
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
		v := math.Sin(2*math.Pi*140*t) + 0.6*math.Sin(2*math.Pi*420*t) + 0.3*math.Sin(2*math.Pi*1130*t)
		speech[i] = int16(6000 * env * v)
	}
	seeds = append(seeds, int16Bytes(1, speech))
	// Another modem's signal: V.21 channel 2 style FSK (1650/1850 Hz) and
	// an 1800 Hz unmodulated carrier, and a full-scale square wave.
	fsk := make([]int16, 3000)
	ph := 0.0
	for i := range fsk {
		f := 1650.0
		if (i/27)%3 == 0 {
			f = 1850
		}
		ph += 2 * math.Pi * f / dsp.SampleRate
		fsk[i] = int16(8000 * math.Sin(ph))
	}
	seeds = append(seeds, int16Bytes(2, fsk))
	tone := make([]int16, 3000)
	sq := make([]int16, 2000)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*1800*float64(i)/dsp.SampleRate))
	}
	for i := range sq {
		sq[i] = 32767
		if i%7 < 3 {
			sq[i] = -32768
		}
	}
	seeds = append(seeds, int16Bytes(3, tone), int16Bytes(0, sq))
	return seeds
}
