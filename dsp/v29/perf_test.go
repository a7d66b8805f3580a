package v29

import (
	"fmt"
	"testing"
	"time"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

// endlessSource is a bit source that never runs dry and never allocates.
func endlessSource() func() (int, bool) {
	var lfsr uint32 = 1
	return func() (int, bool) {
		lfsr = lfsr>>1 ^ -(lfsr&1)&0xd0000001
		return int(lfsr & 1), true
	}
}

func TestZeroAllocs(t *testing.T) {
	for _, rate := range []int{9600, 7200, 4800} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			cfg := Config{Rate: rate}
			tx, err := NewTransmitter(cfg, endlessSource())
			if err != nil {
				t.Fatal(err)
			}
			rx, err := NewReceiver(cfg, func(int) {}, nil)
			if err != nil {
				t.Fatal(err)
			}
			block := make([]int16, 160)
			// Past the training, into steady-state data.
			for range 40 {
				tx.Transmit(block)
				rx.Receive(block)
			}
			if a := testing.AllocsPerRun(200, func() { tx.Transmit(block) }); a != 0 {
				t.Errorf("Transmit: %v allocations per block", a)
			}
			if a := testing.AllocsPerRun(200, func() {
				tx.Transmit(block)
				rx.Receive(block)
			}); a != 0 {
				t.Errorf("Receive: %v allocations per block", a)
			}
		})
	}
}

func reportRealtime(b *testing.B, samples int) {
	b.Helper()
	audio := time.Duration(samples) * time.Second / 8000
	b.ReportMetric(float64(audio)*float64(b.N)/float64(b.Elapsed()), "x-realtime")
}

func BenchmarkTransmit(b *testing.B) {
	for _, rate := range []int{9600, 7200, 4800} {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			tx, _ := NewTransmitter(Config{Rate: rate}, endlessSource())
			block := make([]int16, 8000)
			b.ResetTimer()
			for b.Loop() {
				tx.Transmit(block)
			}
			reportRealtime(b, len(block))
		})
	}
}

// BenchmarkReceive demodulates a whole transmission (training and 10 s of
// data) through mu-law.
func BenchmarkReceive(b *testing.B) {
	for _, rate := range []int{9600, 7200, 4800} {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			cfg := Config{Rate: rate}
			sig := modulate(b, cfg, randomBits(rate*10, 1))
			sig = linesim.New(linesim.Impairments{Law: g711.Ulaw}).Apply(nil, sig)
			b.ResetTimer()
			for b.Loop() {
				rx, _ := NewReceiver(cfg, func(int) {}, nil)
				for i := 0; i < len(sig); i += 160 {
					rx.Receive(sig[i:min(i+160, len(sig))])
				}
			}
			reportRealtime(b, len(sig))
		})
	}
}
