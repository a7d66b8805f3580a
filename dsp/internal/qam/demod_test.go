package qam

import (
	"math"
	"testing"
)

// TestDemodulatorMatchesMixThenFilter checks the folded demodulator (real
// input through carrier-turned taps, the carrier removed per output)
// against the textbook order: every sample mixed down by e^(-jωn), then
// filtered by the real pulse at the same fractional instants, across
// history slides, timing adjustments and a reset.
func TestDemodulatorMatchesMixThenFilter(t *testing.T) {
	for _, tt := range []struct {
		carrier, baud, beta float64
		span                int
	}{
		{1800, 2400, 0.25, 6}, {1700, 2400, 0.5, 6}, {1800, 1600, 0.5, 5}, {1800, 1200, 0.5, 5},
	} {
		d := NewDemodulator(NewMatchedFilter(tt.carrier, tt.baud, tt.beta, tt.span))
		w := 2 * math.Pi * tt.carrier / 8000
		sps := 8000 / tt.baud
		n := d.n
		c := float64(n-1) / 2
		var xs []float64
		start := 0 // index of the first sample since the reset
		step := sps / 2
		next := step
		outputs := 0
		for i := range 30000 {
			if i == 20000 {
				d.Reset()
				next, start = step, i
			}
			x := 1000*math.Sin(float64(i)*0.37) + 300*math.Cos(float64(i)*1.91)
			xs = append(xs, x)
			due := d.Push(x)
			next--
			if due != (next <= 0) {
				t.Fatalf("%v: sample %d: output %v, want %v", tt, i, due, next <= 0)
			}
			if !due {
				continue
			}
			y := d.Output()
			mu := -next
			next += step
			p := float64(int(mu*interpPhases+0.5)) / interpPhases
			var want Complex
			var sum float64
			for k := range n {
				h := taperedRRC((float64(k)-c-p)/sps, tt.beta, tt.span)
				sum += h
				if m := i - k; m >= start {
					want = want.Add(Expj(-w * float64(m)).Scale(xs[m] * h))
				}
			}
			want = want.Scale(1 / sum)
			if e := y.Sub(want).Abs(); e > 1e-9*(1+want.Abs()) {
				t.Fatalf("%v: sample %d: got %v, want %v", tt, i, y, want)
			}
			outputs++
			if outputs%2 == 0 {
				dt := 0.2 * math.Sin(float64(outputs)*0.1)
				d.AdjustTiming(dt)
				next += dt
			}
		}
	}
}
