package iax

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// callPairs sets up n answered calls between two endpoints on loopback.
func callPairs(tb testing.TB, n int) (a, b *Endpoint, out, in []*Call) {
	tb.Helper()
	ctx := context.Background()
	var err error
	cfg := Config{AcceptGuests: true, IncomingQueue: n, PingInterval: -1, LagInterval: -1}
	if a, err = Listen(ctx, "127.0.0.1:0", cfg); err != nil {
		tb.Fatal(err)
	}
	if b, err = Listen(ctx, "127.0.0.1:0", cfg); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close(); b.Close() })
	for i := range n {
		c, err := a.Dial(DialParams{Addr: b.Addr(), Called: strconv.Itoa(i)})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, c)
	}
	for range n {
		select {
		case c := <-b.Incoming():
			c.Accept()
			c.Answer()
			in = append(in, c)
		case <-time.After(10 * time.Second):
			tb.Fatalf("only %d of %d calls arrived", len(in), n)
		}
	}
	for _, c := range out {
		for c.State() != StateAnswered {
			time.Sleep(time.Millisecond)
		}
	}
	return a, b, out, in
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestLoad runs 200 simultaneous calls between two endpoints on loopback,
// each sending and playing out one 20 ms frame per tick in both
// directions, and requires that no voice frame is lost at the IAX layer.
// CI runs 3 s; SOFTFAX_LOAD_SECONDS=30 runs the full acceptance load.
func TestLoad(t *testing.T) {
	calls, seconds := 200, 3.0
	if s := os.Getenv("SOFTFAX_LOAD_SECONDS"); s != "" {
		seconds, _ = strconv.ParseFloat(s, 64)
	}
	if s := os.Getenv("SOFTFAX_LOAD_CALLS"); s != "" {
		calls, _ = strconv.Atoi(s)
	}
	heap0 := heapInUse()
	a, b, out, in := callPairs(t, calls)
	heap1 := heapInUse()
	frames := int(seconds * 50)
	payload := make([]byte, 160)
	dst := make([]byte, 160)
	cpu0, wall0 := cpuTime(), time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	for range frames {
		<-tick.C
		for i := range out {
			out[i].SendAudio(payload)
			in[i].SendAudio(payload)
			out[i].ReadAudio(dst)
			in[i].ReadAudio(dst)
		}
	}
	tick.Stop()
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	time.Sleep(200 * time.Millisecond) // let the last frames land
	var lost, lostB int
	for i := range out {
		so, si := out[i].Stats(), in[i].Stats()
		lost += int(so.SentFull+so.SentMini) - int(si.RecvFull+si.RecvMini)
		lostB += int(si.SentFull+si.SentMini) - int(so.RecvFull+so.RecvMini)
		if so.SentFull+so.SentMini != uint64(frames) {
			t.Fatalf("call %d sent %d frames, want %d", i, so.SentFull+so.SentMini, frames)
		}
	}
	corePct := 100 * cpu.Seconds() / wall.Seconds() / float64(calls)
	t.Logf("%d calls x %.0f s: CPU %.3f%% of a core per call (both ends, both directions), heap %.1f KB per call (both ends); endpoints %+v / %+v",
		calls, seconds, corePct, float64(heap1-heap0)/1024/float64(calls), a.Stats(), b.Stats())
	if lost != 0 || lostB != 0 {
		t.Errorf("lost %d frames a->b and %d b->a of %d each way", lost, lostB, calls*frames)
	}
	if a.Stats().Malformed+b.Stats().Malformed != 0 {
		t.Errorf("malformed frames on loopback")
	}
	for i := range out {
		out[i].Hangup(CauseNormalClearing)
	}
	for i := range in {
		select {
		case <-in[i].Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("call %d did not hang up", i)
		}
	}
}

// BenchmarkVoiceFrame measures the whole-process CPU cost of one 20 ms
// voice frame through the IAX layer (send on one endpoint, receive and
// jitter-buffer on the other, play out), with 200 calls up. It reports the
// cost per call as a share of one core at 50 frames/s in both directions.
func BenchmarkVoiceFrame(b *testing.B) {
	const calls = 200
	_, _, out, in := callPairs(b, calls)
	payload := make([]byte, 160)
	dst := make([]byte, 160)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		for i := range out {
			out[i].SendAudio(payload)
			in[i].ReadAudio(dst)
		}
		// Pace loosely so the receiving side keeps up (a burst larger than
		// the socket buffer is not what a PBX sends).
		time.Sleep(100 * time.Microsecond)
	}
	b.StopTimer()
	time.Sleep(50 * time.Millisecond)
	cpu := cpuTime() - cpu0
	perFrame := float64(cpu.Nanoseconds()) / float64(b.N*calls)
	b.ReportMetric(perFrame, "cpu-ns/frame")
	// One call: 50 frames/s each way.
	b.ReportMetric(100*perFrame*100/1e9, "%core/call")
}

// BenchmarkCallMemory reports the heap held per answered call (both ends).
func BenchmarkCallMemory(b *testing.B) {
	for b.Loop() {
		h0 := heapInUse()
		_, _, out, in := callPairs(b, 100)
		h1 := heapInUse()
		b.ReportMetric(float64(h1-h0)/100/1024, "KB/call")
		runtime.KeepAlive(out)
		runtime.KeepAlive(in)
	}
}

// TestVoicePathAllocs: steady-state voice (mini frame out, in through the
// reader, jitter buffer, play-out) allocates nothing.
func TestVoicePathAllocs(t *testing.T) {
	_, _, out, in := callPairs(t, 1)
	payload := make([]byte, 160)
	dst := make([]byte, 160)
	for range 10 { // first (full) frame and warm-up
		out[0].SendAudio(payload)
		time.Sleep(time.Millisecond)
		in[0].ReadAudio(dst)
	}
	allocs := testing.AllocsPerRun(200, func() {
		out[0].SendAudio(payload)
		time.Sleep(200 * time.Microsecond) // the reader goroutine runs in the window
		in[0].ReadAudio(dst)
	})
	if st := in[0].Stats(); st.RecvMini < 150 {
		t.Fatalf("only %d mini frames arrived", st.RecvMini)
	}
	if allocs > 0.1 {
		t.Errorf("%.2f allocations per voice frame", allocs)
	}
}
