package v21

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/dsp/internal/modemtest"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/internal/spandsp"
)

// T.30 frames as a fax answerer sends them: CSI, DIS; and a long one.
var t30Frames = [][]byte{
	{0xFF, 0x03, 0x40, 0x20, 0x20, 0x20, 0x20, 0x33, 0x32, 0x31, 0x20, 0x35, 0x35, 0x35, 0x2B},
	{0xFF, 0x13, 0x80, 0x00, 0xCE, 0xF4, 0x80, 0x80, 0x81, 0x80, 0x80, 0x80, 0x18},
	bytes.Repeat([]byte{0x7E, 0xFF, 0x00, 0x7D, 0x3F}, 50),
}

func frameSource(frames [][]byte) hdlc.FrameSource {
	i := 0
	return func() ([]byte, bool) {
		if i == len(frames) {
			return nil, false
		}
		i++
		return frames[i-1], true
	}
}

func ourHDLC(frames [][]byte, flags int) []int16 {
	enc := hdlc.NewEncoder(frameSource(frames), flags)
	return modemtest.TransmitAll(NewTransmitter(Config{}, enc.Bit))
}

// ourHDLCReceive runs our receiver and HDLC decoder over samples.
func ourHDLCReceive(samples []int16) []spandsp.Frame {
	var got []spandsp.Frame
	dec := hdlc.NewDecoder(func(data []byte, ok bool) {
		got = append(got, spandsp.Frame{Data: append([]byte(nil), data...), OK: ok})
	})
	rx := NewReceiver(Config{}, dec.PutBit, nil)
	rx.Receive(samples)
	return got
}

// checkFrames checks that a receiver got exactly t30Frames, FCS good.
func checkFrames(t *testing.T, what string, got []spandsp.Frame) {
	t.Helper()
	if len(got) != len(t30Frames) {
		t.Errorf("%s: %d frames, want %d", what, len(got), len(t30Frames))
	}
	for i, f := range got {
		if i < len(t30Frames) && (!f.OK || !bytes.Equal(f.Data, t30Frames[i])) {
			t.Errorf("%s: frame %d = %x ok=%v, want %x", what, i, f.Data, f.OK, t30Frames[i])
		}
	}
}

func TestSpandspV21HDLCOursToSpandsp(t *testing.T) {
	h := spandsp.Require(t)
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		sig := linesim.New(linesim.Impairments{Law: law}).Apply(nil, append(ourHDLC(t30Frames, 38), make([]int16, 800)...))
		got, events := h.DemodulateHDLC(t, spandsp.Spec{Modem: "v21"}, sig)
		checkFrames(t, fmt.Sprintf("%v: spandsp", law), got)
		if t.Failed() {
			t.Fatalf("%v: spandsp's events %v", law, events)
		}
	}
}

func TestSpandspV21HDLCSpandspToOurs(t *testing.T) {
	h := spandsp.Require(t)
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		sig := h.ModulateHDLC(t, spandsp.Spec{Modem: "v21", Flags: 38}, t30Frames)
		sig = linesim.New(linesim.Impairments{Law: law}).Apply(nil, append(sig, make([]int16, 800)...))
		checkFrames(t, fmt.Sprintf("%v: ours", law), ourHDLCReceive(sig))
	}
}

// TestSpandspV21Bits: raw bits both ways, bit exact, and the carrier
// events of both receivers close together.
func TestSpandspV21Bits(t *testing.T) {
	h := spandsp.Require(t)
	bits := randomBits(3000, 11)
	spec := spandsp.Spec{Modem: "v21"}

	ours := append(modulate(Config{}, bits), make([]int16, 800)...)
	got, events := h.Demodulate(t, spec, ours)
	if errs := countErrors(bits, got); errs != 0 {
		t.Errorf("ours → spandsp: %d bit errors in %d (events %v)", errs, len(bits), events)
	}

	theirs := append(h.Modulate(t, spec, bits), make([]int16, 800)...)
	got, ourEvents := demodulate(theirs)
	if errs := countErrors(bits, got); errs != 0 {
		t.Errorf("spandsp → ours: %d bit errors in %d", errs, len(bits))
	}
	// Both receivers on the same signal: carrier up and down within 10 ms.
	_, spEvents := h.Demodulate(t, spec, theirs)
	var spUp, spDown int64 = -1, -1
	for _, e := range spEvents {
		switch e.Status {
		case dsp.CarrierUp:
			spUp = e.At
		case dsp.CarrierDown:
			spDown = e.At
		}
	}
	if len(ourEvents) != 2 || spUp < 0 || spDown < 0 {
		t.Fatalf("ours %v, spandsp %v", ourEvents, spEvents)
	}
	if d := ourEvents[0].at - spUp; d < -80 || d > 80 {
		t.Errorf("carrier up: ours at %d, spandsp at %d", ourEvents[0].at, spUp)
	}
	if d := ourEvents[1].at - spDown; d < -80 || d > 80 {
		t.Errorf("carrier down: ours at %d, spandsp at %d", ourEvents[1].at, spDown)
	}
	t.Logf("carrier up: ours %d spandsp %d; down: ours %d spandsp %d", ourEvents[0].at, spUp, ourEvents[1].at, spDown)
}

// TestSpandspV21HDLCImpaired: frames both ways through impaired lines.
func TestSpandspV21HDLCImpaired(t *testing.T) {
	h := spandsp.Require(t)
	theirs := append(h.ModulateHDLC(t, spandsp.Spec{Modem: "v21", Flags: 38}, t30Frames), make([]int16, 800)...)
	ours := append(ourHDLC(t30Frames, 38), make([]int16, 800)...)
	tests := []struct {
		name string
		imp  linesim.Impairments
	}{
		{"-43dBm0 ulaw", linesim.Impairments{GainDB: -43 - DefaultLevelDBm0, Law: g711.Ulaw}},
		{"-36dBm0 alaw", linesim.Impairments{GainDB: -36 - DefaultLevelDBm0, Law: g711.Alaw}},
		{"-3dBm0 alaw", linesim.Impairments{GainDB: -3 - DefaultLevelDBm0, Law: g711.Alaw}},
		{"+7Hz", linesim.Impairments{FreqOffsetHz: 7, Law: g711.Ulaw}},
		{"-7Hz", linesim.Impairments{FreqOffsetHz: -7, Law: g711.Alaw}},
		{"+100ppm", linesim.Impairments{ClockPPM: 100, Law: g711.Ulaw}},
		{"-100ppm", linesim.Impairments{ClockPPM: -100, Law: g711.Ulaw}},
		{"noise -40dBm0", linesim.Impairments{NoiseDBm0: linesim.Noise(-40), Law: g711.Ulaw}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.imp.Seed = uint64(i + 1)
			checkFrames(t, "spandsp → ours", ourHDLCReceive(linesim.New(tc.imp).Apply(nil, theirs)))
			if tc.imp.GainDB < -26 {
				// spandsp's fax engine cuts V.21 off at -39 dBm0.
				return
			}
			sp, _ := h.DemodulateHDLC(t, spandsp.Spec{Modem: "v21", Cutoff: spandsp.FaxCutoffV21}, linesim.New(tc.imp).Apply(nil, ours))
			checkFrames(t, "ours → spandsp", sp)
		})
	}
}
