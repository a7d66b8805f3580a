package line

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/softfax/softfax/iax"
)

func TestWAVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWAVWriter(f, 2)
	if err != nil {
		t.Fatal(err)
	}
	left := []int16{1, -2, 32767, -32768}
	right := []int16{5, 6, 7, 8}
	w.Write(left, right)
	w.Write(left, right)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, _ := os.ReadFile(path)
	if len(b) != 44+8*4 {
		t.Fatalf("file is %d bytes", len(b))
	}
	got, err := ReadWAV(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]int16{}, left...), left...)
	if len(got) != len(want) {
		t.Fatalf("read %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("read %v want %v", got, want)
		}
	}
	if _, err := ReadWAV(bytes.NewReader([]byte("RIFF\x00\x00\x00\x00WAVEjunk"))); err == nil {
		t.Error("garbage accepted")
	}
}

func TestCodecs(t *testing.T) {
	in := []int16{0, 1000, -1000, 8000, -8000}
	for _, f := range []iax.Format{iax.FormatULaw, iax.FormatALaw, iax.FormatSLinear} {
		c, err := newCodec(f)
		if err != nil {
			t.Fatal(err)
		}
		p := c.encode(nil, in)
		if len(p) != len(in)*f.BytesPerSample() {
			t.Fatalf("%v: %d bytes", f, len(p))
		}
		out := c.decode(nil, p)
		for i := range in {
			if d := math.Abs(float64(out[i] - in[i])); d > float64(abs(in[i]))/16+8 {
				t.Errorf("%v: %d -> %d", f, in[i], out[i])
			}
		}
	}
	// slinear is big-endian on the wire.
	c, _ := newCodec(iax.FormatSLinear)
	if p := c.encode(nil, []int16{0x1234}); p[0] != 0x12 || p[1] != 0x34 {
		t.Errorf("slinear %x", p)
	}
	if _, err := newCodec(iax.FormatGSM); err == nil {
		t.Error("gsm accepted")
	}
}

func abs(x int16) int16 {
	if x < 0 {
		return -x
	}
	return x
}

// TestPacerFollowsFarEndClock simulates, in virtual time, a far end whose
// clock is off by -3000..+3000 ppm: our ticks must settle at its rate and
// keep the jitter buffer near its target instead of starving or overflowing.
func TestPacerFollowsFarEndClock(t *testing.T) {
	for _, ppm := range []float64{-3000, -200, 0, 200, 3000} {
		var p pacer
		p.maxSkew = 0.005
		const target = 3
		farPeriod := float64(Period) / (1 + ppm/1e6)
		var now, farNext float64
		depth := target
		minD, maxD := depth, depth
		for tick := range 60000 { // 20 minutes
			// The far end delivers every frame due before our tick.
			for farNext <= now {
				depth++
				farNext += farPeriod
			}
			if depth > 0 {
				depth--
			}
			if tick > 15000 {
				minD, maxD = min(minD, depth), max(maxD, depth)
			}
			now += float64(p.period(depth, target))
		}
		if minD < 1 || maxD > target+4 {
			t.Errorf("%+.0f ppm: depth ranged %d..%d after settling", ppm, minD, maxD)
		}
		if math.Abs(p.skew*1e6-ppm) > 300 {
			t.Errorf("%+.0f ppm: skew settled at %.0f ppm", ppm, p.skew*1e6)
		}
	}
}

// tone is an engine that sends a 1000 Hz tone and measures what it hears.
type tone struct {
	phase  float64
	energy float64
	n      int
}

func (e *tone) Receive(in []int16) {
	for _, s := range in {
		e.energy += float64(s) * float64(s)
	}
	e.n += len(in)
}

func (e *tone) Transmit(out []int16) int {
	for i := range out {
		out[i] = int16(8000 * math.Sin(e.phase))
		e.phase += 2 * math.Pi * 1000 / 8000
	}
	return len(out)
}

func (e *tone) rms() float64 { return math.Sqrt(e.energy / float64(max(1, e.n))) }

func TestRunOverIAXAndBusy(t *testing.T) {
	ctx := context.Background()
	srv, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{AcceptGuests: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cli, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Formats: []iax.Format{iax.FormatSLinear}})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	var out, in Line
	c, err := out.Dial(cli, iax.DialParams{Addr: srv.Addr(), Called: "5551234"})
	if err != nil {
		t.Fatal(err)
	}
	inc := <-srv.Incoming()
	if err := in.Offer(inc); err != nil {
		t.Fatal(err)
	}
	inc.Answer()
	for ev := range c.Events() {
		if ev.Kind == iax.EventAnswered {
			break
		}
	}
	// A second call to the busy line is refused with cause 17.
	c2, _ := cli.Dial(iax.DialParams{Addr: srv.Addr(), Called: "5551234"})
	if err := in.Offer(<-srv.Incoming()); err != ErrBusy {
		t.Errorf("second offer: %v", err)
	}
	<-c2.Done()
	if cause, _ := c2.Cause(); cause != iax.CauseUserBusy {
		t.Errorf("second call cause %v", cause)
	}
	if _, err := out.Dial(cli, iax.DialParams{Addr: srv.Addr()}); err != ErrBusy {
		t.Errorf("dial on busy line: %v", err)
	}

	rec := &memWS{}
	w, _ := NewWAVWriter(rec, 2)
	a, b := &tone{}, &tone{}
	done := make(chan RunStats)
	go func() {
		st, _ := Run(ctx, inc, b, Options{MaxFrames: 50})
		done <- st
	}()
	st, err := Run(ctx, c, a, Options{MaxFrames: 50, Record: w})
	if err != nil {
		t.Fatal(err)
	}
	stB := <-done
	w.Close()
	if st.Frames != 50 || st.Received < 30 || stB.Received < 30 {
		t.Errorf("stats a %+v b %+v", st, stB)
	}
	// Each side heard the other's tone (8000 peak: rms ~5657) after the
	// jitter buffer's delay.
	if a.rms() < 3000 || b.rms() < 3000 {
		t.Errorf("rms heard: a %.0f b %.0f", a.rms(), b.rms())
	}
	if rec.Len() != 44+50*160*4 {
		t.Errorf("recording is %d bytes", rec.Len())
	}
	c.Hangup(iax.CauseNormalClearing)
	<-inc.Done()
	time.Sleep(10 * time.Millisecond)
	if in.Busy() || out.Busy() {
		t.Error("line still busy after hangup")
	}
}

// memWS is an in-memory io.WriteSeeker.
type memWS struct {
	b   []byte
	pos int
}

func (m *memWS) Write(p []byte) (int, error) {
	if need := m.pos + len(p); need > len(m.b) {
		m.b = append(m.b, make([]byte, need-len(m.b))...)
	}
	copy(m.b[m.pos:], p)
	m.pos += len(p)
	return len(p), nil
}

func (m *memWS) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		m.pos = int(off)
	case io.SeekCurrent:
		m.pos += int(off)
	case io.SeekEnd:
		m.pos = len(m.b) + int(off)
	}
	return int64(m.pos), nil
}

func (m *memWS) Len() int { return len(m.b) }

// fakeVoice is a call whose far end sends a frame every tick.
type fakeVoice struct {
	f    iax.Format
	done chan struct{}
	sent int
}

func (f *fakeVoice) Format() iax.Format { return f.f }
func (f *fakeVoice) ReadAudio(dst []byte) iax.GetResult {
	for i := range dst {
		dst[i] = byte(i)
	}
	return iax.GetFrame
}
func (f *fakeVoice) SendAudio(p []byte) error { f.sent += len(p); return nil }
func (f *fakeVoice) JitterDepth() (int, int)  { return 3, 3 }
func (f *fakeVoice) Done() <-chan struct{}    { return f.done }

func TestStepAllocatesNothing(t *testing.T) {
	for _, format := range []iax.Format{iax.FormatULaw, iax.FormatALaw, iax.FormatSLinear} {
		v := &fakeVoice{f: format}
		w, _ := NewWAVWriter(&memWS{}, 2)
		r, err := newRunner(v, &tone{}, Options{Record: w})
		if err != nil {
			t.Fatal(err)
		}
		r.step()
		if a := testing.AllocsPerRun(100, func() { r.step() }); a != 0 {
			t.Errorf("%v: %v allocations per frame", format, a)
		}
		if v.sent != 102*160*format.BytesPerSample() { // AllocsPerRun runs once more to warm up
			t.Errorf("%v: sent %d bytes", format, v.sent)
		}
	}
}
