package modem

import (
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp/linesim"
)

// signal returns what a far engine sends for op, through a mu-law line:
// the audio of seconds of transmission.
func signal(seconds float64, op func(e *Engine)) []int16 {
	e := NewEngine(Config{})
	op(e)
	line := linesim.New(mulaw())
	out := make([]int16, block)
	var audio []int16
	for range int(seconds * 8000 / block) {
		e.Transmit(out)
		audio = line.Apply(audio, out)
		for _, ok := e.Poll(); ok; _, ok = e.Poll() {
		}
	}
	return audio
}

func pageData(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	d := make([]byte, n)
	for i := range d {
		d[i] = byte(rng.Uint32())
	}
	return d
}

// BenchmarkReceive14400 measures +FRM=145 reception: training and 5 s of
// data, reported as samples per second of CPU.
func BenchmarkReceive14400(b *testing.B) {
	audio := signal(7, func(e *Engine) {
		e.TransmitData(V17_14400)
		e.WriteData(pageData(5 * 14400 / 8))
		e.EndData()
	})
	e := NewEngine(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.Hangup()
		if err := e.ReceiveData(V17_14400, true); err != nil {
			b.Fatal(err)
		}
		got := 0
		for i := 0; i+block <= len(audio); i += block {
			e.Receive(audio[i : i+block])
			for ev, ok := e.Poll(); ok; ev, ok = e.Poll() {
				got += len(ev.Data)
			}
		}
		if got < 5*14400/8 {
			b.Fatalf("received %d bytes", got)
		}
	}
	b.ReportMetric(float64(len(audio))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(len(audio))*float64(b.N)/b.Elapsed().Seconds()/8000, "x-realtime")
}

// BenchmarkTransmit14400 measures +FTM=145 with the DTE keeping the buffer
// full.
func BenchmarkTransmit14400(b *testing.B) {
	e := NewEngine(Config{})
	data := pageData(4096)
	out := make([]int16, block)
	if err := e.TransmitData(V17_14400); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if e.Buffered() < 2048 {
			e.WriteData(data[:2048])
		}
		e.Transmit(out)
		for _, ok := e.Poll(); ok; _, ok = e.Poll() {
		}
	}
	b.ReportMetric(float64(block)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// TestSteadyStateAllocs: once an operation runs, a 20 ms block in and out
// allocates nothing.
func TestSteadyStateAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a normal build")
	}
	rx := signal(4, func(e *Engine) {
		e.TransmitData(V17_14400)
		e.WriteData(pageData(3 * 14400 / 8))
		e.EndData()
	})
	hd := signal(4, func(e *Engine) {
		e.TransmitHDLC(V21)
		for range 6 {
			e.SendFrame(frameCSI, false)
		}
	})
	tests := []struct {
		name  string
		audio []int16
		start func(e *Engine) error
		skip  int // blocks before steady state
	}{
		{"+FRM=145", rx, func(e *Engine) error { return e.ReceiveData(V17_14400, false) }, 100},
		{"+FRH=3", hd, func(e *Engine) error { return e.ReceiveHDLC(V21) }, 60},
		{"idle", hd, func(e *Engine) error { return nil }, 120},
	}
	for _, tt := range tests {
		e := NewEngine(Config{})
		must(t, tt.start(e))
		i := 0
		feed := func() {
			e.Receive(tt.audio[i*block : (i+1)*block])
			for _, ok := e.Poll(); ok; _, ok = e.Poll() {
			}
			if e.State() == StateIdle && tt.name == "+FRH=3" {
				e.ReceiveHDLC(V21)
				for _, ok := e.Poll(); ok; _, ok = e.Poll() {
				}
			}
			i++
		}
		for range tt.skip {
			feed()
		}
		if a := testing.AllocsPerRun(50, feed); a != 0 {
			t.Errorf("%s: %.1f allocations per block", tt.name, a)
		}
	}
	// Transmitting: +FTM=145 with the buffer topped up, and +FTH=3.
	e := NewEngine(Config{})
	must(t, e.TransmitData(V17_14400))
	data, out := pageData(1024), make([]int16, block)
	send := func() {
		if e.Buffered() < 512 {
			e.WriteData(data[:512])
		}
		e.Transmit(out)
		for _, ok := e.Poll(); ok; _, ok = e.Poll() {
		}
	}
	for range 100 {
		send()
	}
	if a := testing.AllocsPerRun(50, send); a != 0 {
		t.Errorf("+FTM=145: %.1f allocations per block", a)
	}
	e = NewEngine(Config{})
	must(t, e.TransmitHDLC(V21))
	frame := func() {
		for ev, ok := e.Poll(); ok; ev, ok = e.Poll() {
			if ev.Kind == Connect {
				e.SendFrame(frameCSI, false)
			}
		}
		e.Transmit(out)
	}
	for range 100 {
		frame()
	}
	if a := testing.AllocsPerRun(100, frame); a != 0 {
		t.Errorf("+FTH=3: %.1f allocations per block", a)
	}
}
