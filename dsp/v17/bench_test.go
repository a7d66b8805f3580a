package v17

import (
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/internal/qam"
	"github.com/softfax/softfax/dsp/internal/scrambler"
)

// prbsSource is an endless pseudo-random bit source that allocates nothing.
func prbsSource() dsp.BitSource {
	var s scrambler.V29
	return func() (int, bool) { return s.Scramble(0) ^ 1, true }
}

// dataModeTransmitter returns a transmitter that has finished its training.
func dataModeTransmitter(tb testing.TB, rate int) (*Transmitter, []int16) {
	tx, err := NewTransmitter(Config{Rate: rate}, prbsSource())
	if err != nil {
		tb.Fatal(err)
	}
	buf := make([]int16, 160)
	for tx.stage != qam.TxData {
		tx.Transmit(buf)
	}
	return tx, buf
}

// dataModeReceiver returns a receiver trained on a signal and the next
// block of that signal, in data mode.
func dataModeReceiver(tb testing.TB, rate int) (*Receiver, []int16) {
	buf := make([]int16, 160)
	tx2, err := NewTransmitter(Config{Rate: rate}, prbsSource())
	if err != nil {
		tb.Fatal(err)
	}
	r, err := NewReceiver(Config{Rate: rate}, func(int) {}, func(dsp.Status, int64) {})
	if err != nil {
		tb.Fatal(err)
	}
	for r.stage != rxData {
		tx2.Transmit(buf)
		r.Receive(buf)
	}
	tx2.Transmit(buf)
	return r, buf
}

func TestZeroAllocs(t *testing.T) {
	for _, rate := range allRates {
		tx, buf := dataModeTransmitter(t, rate)
		if a := testing.AllocsPerRun(100, func() { tx.Transmit(buf) }); a != 0 {
			t.Errorf("%d: Transmit allocates %v times per block", rate, a)
		}
		r, block := dataModeReceiver(t, rate)
		if a := testing.AllocsPerRun(100, func() { r.Receive(block) }); a != 0 {
			t.Errorf("%d: Receive allocates %v times per block", rate, a)
		}
	}
}

func BenchmarkTransmit(b *testing.B) {
	for _, rate := range allRates {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			tx, buf := dataModeTransmitter(b, rate)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tx.Transmit(buf)
			}
			reportRealtime(b, len(buf))
		})
	}
}

func BenchmarkReceive(b *testing.B) {
	for _, rate := range allRates {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			// Ten seconds of data after a long train, then silence, received
			// again and again; each pass retrains.
			sig := modulate(b, Config{Rate: rate}, randomBits(1, 10*rate))
			sig = append(sig, make([]int16, 800)...)
			r, err := NewReceiver(Config{Rate: rate}, func(int) {}, func(dsp.Status, int64) {})
			if err != nil {
				b.Fatal(err)
			}
			const block = 160
			pos := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if pos+block > len(sig) {
					pos = 0
				}
				r.Receive(sig[pos : pos+block])
				pos += block
			}
			reportRealtime(b, block)
		})
	}
}

// reportRealtime reports how many times faster than real time one
// iteration of n samples runs.
func reportRealtime(b *testing.B, n int) {
	perIter := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(n)/dsp.SampleRate/perIter, "x-realtime")
}
