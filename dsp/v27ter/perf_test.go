package v27ter

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/dsp"
)

// endless is a BitSource of alternating-ish bits that never runs dry.
func endless() dsp.BitSource {
	var x uint32 = 1
	return func() (int, bool) {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return int(x & 1), true
	}
}

// TestZeroAllocs checks that steady-state transmit and receive allocate
// nothing per block.
func TestZeroAllocs(t *testing.T) {
	for _, rate := range []int{Rate4800, Rate2400} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			tx, err := NewTransmitter(Config{Rate: rate, Level: DefaultLevel}, endless())
			if err != nil {
				t.Fatal(err)
			}
			signal := make([]int16, 4*dsp.SampleRate)
			tx.Transmit(signal) // training and data
			buf := make([]int16, 160)
			if a := testing.AllocsPerRun(100, func() { tx.Transmit(buf) }); a != 0 {
				t.Errorf("Transmit: %v allocations per block", a)
			}
			bits := 0
			rx, err := NewReceiver(Config{Rate: rate}, func(int) { bits++ }, func(dsp.Status, int64) {})
			if err != nil {
				t.Fatal(err)
			}
			rx.Receive(signal[:3*dsp.SampleRate/2])
			if rx.stage != rxData {
				t.Fatalf("receiver not trained after 1.5 s (stage %v)", rx.stage)
			}
			pos := 3 * dsp.SampleRate / 2
			if a := testing.AllocsPerRun(100, func() {
				rx.Receive(signal[pos : pos+160])
				pos += 160
			}); a != 0 {
				t.Errorf("Receive: %v allocations per block", a)
			}
			if bits == 0 {
				t.Errorf("no bits received")
			}
		})
	}
}

// cpuTime returns the process's user+system CPU time: on a shared machine
// it measures our work better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportSpeed reports audio seconds per wall second and per CPU second.
func reportSpeed(b *testing.B, audio float64, wall time.Time, cpu time.Duration) {
	b.ReportMetric(audio/time.Since(wall).Seconds(), "x-realtime")
	if c := (cpuTime() - cpu).Seconds(); c > 0 {
		b.ReportMetric(audio/c, "x-realtime-cpu")
	}
}

// BenchmarkTransmit measures modulation speed in multiples of real time.
func BenchmarkTransmit(b *testing.B) {
	for _, rate := range []int{Rate4800, Rate2400} {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			tx, err := NewTransmitter(Config{Rate: rate, Level: DefaultLevel}, endless())
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]int16, 160)
			start, cpu := time.Now(), cpuTime()
			for b.Loop() {
				tx.Transmit(buf)
			}
			reportSpeed(b, float64(b.N*len(buf))/dsp.SampleRate, start, cpu)
		})
	}
}

// BenchmarkReceive measures demodulation speed, training included (10 s
// of signal per iteration), in multiples of real time.
func BenchmarkReceive(b *testing.B) {
	for _, rate := range []int{Rate4800, Rate2400} {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			tx, err := NewTransmitter(Config{Rate: rate, Level: DefaultLevel}, endless())
			if err != nil {
				b.Fatal(err)
			}
			signal := make([]int16, 10*dsp.SampleRate)
			tx.Transmit(signal)
			start, cpu := time.Now(), cpuTime()
			for b.Loop() {
				rx, err := NewReceiver(Config{Rate: rate}, func(int) {}, nil)
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < len(signal); i += 160 {
					rx.Receive(signal[i : i+160])
				}
			}
			reportSpeed(b, float64(b.N*len(signal))/dsp.SampleRate, start, cpu)
		})
	}
}
