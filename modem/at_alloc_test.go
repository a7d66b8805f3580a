package modem

import (
	"testing"
)

// TestDCEAudioAllocs: the 20 ms audio calls allocate nothing in steady
// state, idle in a call and while receiving (the line runner calls them 50
// times a second for every modem).
func TestDCEAudioAllocs(t *testing.T) {
	d, _ := newDCEInCall(t)
	buf := make([]int16, 160)
	step := func() {
		d.Receive(buf)
		d.Transmit(buf)
	}
	for range 100 {
		step()
	}
	if n := testing.AllocsPerRun(200, step); n != 0 {
		t.Errorf("idle in a call: %.1f allocations per 20 ms", n)
	}
	d.Write([]byte("AT+FRM=96\r"))
	d.Pending()
	for range 100 {
		step()
	}
	if n := testing.AllocsPerRun(200, step); n != 0 {
		t.Errorf("+FRM waiting for training: %.1f allocations per 20 ms", n)
	}
}

func BenchmarkDCEAudio(b *testing.B) {
	d, _ := newTestDCE(DefaultIdentity)
	d.Write([]byte("ATE0+FCLASS=1;S0=1\r"))
	d.Offer(CallerID{})
	buf := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		d.Receive(buf)
		d.Transmit(buf)
		d.Pending()
	}
}
