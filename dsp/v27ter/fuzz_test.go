package v27ter

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
	"github.com/softfax/softfax/dsp/internal/modemtest"
	"github.com/softfax/softfax/dsp/linesim"
)

// FuzzReceiver feeds arbitrary audio to a receiver: the first byte picks
// the rate and block size, the rest are little-endian samples. Besides not
// panicking, the receiver must keep its status reports consistent: no
// Trained without a carrier, no bits before Trained, indices in order.
func FuzzReceiver(f *testing.F) {
	// The seeds (fuzzSeeds) are committed in testdata/fuzz/FuzzReceiver.
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		rate := Rate4800
		if data[0]&1 != 0 {
			rate = Rate2400
		}
		block := 1 + int(data[0]>>1)*13
		// 1.5 s is enough to reach data mode after a long training at
		// either rate; longer inputs only slow the fuzzer down.
		in := make([]int16, min((len(data)-1)/2, 12000))
		for i := range in {
			in[i] = int16(binary.LittleEndian.Uint16(data[1+2*i:]))
		}
		up, trained := false, false
		last := int64(-1)
		rx, err := NewReceiver(Config{Rate: rate},
			func(b int) {
				if !trained {
					t.Fatalf("bit delivered before Trained")
				}
				if b != 0 && b != 1 {
					t.Fatalf("bit %d", b)
				}
			},
			func(s dsp.Status, at int64) {
				if at < last || at >= int64(len(in)) {
					t.Fatalf("%v at %d after %d (of %d samples)", s, at, last, len(in))
				}
				last = at
				switch s {
				case dsp.CarrierUp:
					if up {
						t.Fatalf("carrier up twice")
					}
					up = true
				case dsp.CarrierDown:
					if !up {
						t.Fatalf("carrier down without carrier up")
					}
					up, trained = false, false
				case dsp.Trained, dsp.TrainingFailed:
					if !up || trained {
						t.Fatalf("%v with up=%v trained=%v", s, up, trained)
					}
					trained = s == dsp.Trained
				}
			})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(in); i += block {
			rx.Receive(in[i:min(i+block, len(in))])
		}
	})
}

// fuzzSeeds are the starting inputs: silence, noise, speech-like sound,
// V.21-like FSK, and our own signals, whole and cut.
func fuzzSeeds() [][]byte {
	enc := func(head byte, s []int16) []byte {
		b := []byte{head}
		for _, v := range s {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
		return b
	}
	r := rand.New(rand.NewPCG(1, 2))
	tx := func(cfg Config, nbits int) []int16 {
		n := 0
		t, _ := NewTransmitter(cfg, func() (int, bool) {
			n++
			return r.IntN(2), n <= nbits
		})
		return modemtest.TransmitAll(t)
	}
	speech := make([]int16, 6000)
	fsk := make([]int16, 4000)
	var ph float64
	for i := range speech {
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*float64(i)/8000)
		var v float64
		for h := 1; h <= 12; h++ {
			v += math.Sin(2*math.Pi*140*float64(h)*float64(i)/8000+float64(h)) / float64(h)
		}
		speech[i] = int16(6000 * env * v)
	}
	bit := 0
	for i := range fsk {
		if i%27 == 0 {
			bit = r.IntN(2)
		}
		ph += 2 * math.Pi * (1650 + 200*float64(bit)) / 8000
		fsk[i] = int16(8000 * math.Sin(ph))
	}
	noise := linesim.New(linesim.Impairments{NoiseDBm0: linesim.Noise(-15), Seed: 5}).Apply(nil, make([]int16, 4000))
	long4800 := tx(Config{Rate: Rate4800, Level: DefaultLevel}, 3000)
	long2400 := tx(Config{Rate: Rate2400, Level: -30}, 600)
	short4800 := tx(Config{Rate: Rate4800, Level: -3, ShortTrain: true}, 600)
	short2400 := linesim.New(linesim.Impairments{Law: g711.Alaw, FreqOffsetHz: 7}).
		Apply(nil, tx(Config{Rate: Rate2400, Level: DefaultLevel, ShortTrain: true}, 600))
	return [][]byte{
		enc(0, make([]int16, 2000)),
		enc(2, noise),
		enc(3, speech),
		enc(4, fsk),
		enc(12, long4800),
		enc(24, long4800[:3000]), // cut in the training
		enc(1, long2400),
		enc(7, long2400[:len(long2400)-3000]), // cut in the data
		enc(160, short4800),
		enc(33, short2400),
		enc(5, append(noise[:2000:2000], short4800...)),
		enc(9, []int16{32767, -32768, 32767, -32768, 0, 0, 32767}),
	}
}

// TestWriteFuzzCorpus writes the seeds to testdata/fuzz/FuzzReceiver when
// V27TER_WRITE_CORPUS=1, so the committed corpus can be regenerated.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("V27TER_WRITE_CORPUS") != "1" {
		t.Skip("set V27TER_WRITE_CORPUS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReceiver")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds() {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
