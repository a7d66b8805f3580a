package v17

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/internal/spandsp"
)

// cpuTime returns the CPU time this process has used; on a machine shared
// with other work it measures speed more fairly than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSpandspV17Speed compares CPU time per second of audio with
// spandsp's modem on the same work: transmitting 10 s of data after a long
// train, and receiving our transmission of it. Run it once:
//
//	go test -run '^$' -bench SpandspV17Speed -benchtime 1x ./dsp/v17
func BenchmarkSpandspV17Speed(b *testing.B) {
	h := spandsp.Require(b)
	const reps = 5
	for _, rate := range allRates {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			for b.Loop() {
				bits := randomBits(1, 10*rate)
				sig := modulate(b, Config{Rate: rate}, bits)
				audio := float64(len(sig)) / dsp.SampleRate

				spec := spandsp.Spec{Modem: "v17", Rate: rate}
				st, n, err := h.TimeTransmit(context.Background(), spec, len(bits), reps)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n)/dsp.SampleRate*reps/st.Seconds(), "spandsp-tx-x-realtime")
				sr, err := h.TimeReceive(context.Background(), spec, sig, reps)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(audio*reps/sr.Seconds(), "spandsp-rx-x-realtime")

				buf := make([]int16, 160)
				t0 := cpuTime()
				for range reps {
					i := 0
					tx, _ := NewTransmitter(Config{Rate: rate}, func() (int, bool) {
						if i == len(bits) {
							return 0, false
						}
						i++
						return int(bits[i-1]), true
					})
					for tx.Transmit(buf) == len(buf) {
					}
				}
				b.ReportMetric(audio*reps/(cpuTime()-t0).Seconds(), "ours-tx-x-realtime")
				r, _ := NewReceiver(Config{Rate: rate}, func(int) {}, nil)
				t0 = cpuTime()
				for range reps {
					r.Restart(rate, false)
					for i := 0; i < len(sig); i += 160 {
						r.Receive(sig[i:min(i+160, len(sig))])
					}
				}
				b.ReportMetric(audio*reps/(cpuTime()-t0).Seconds(), "ours-rx-x-realtime")
			}
		})
	}
}
