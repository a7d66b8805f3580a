package hdlc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// frameSource serves frames in order, then ends.
func frameSource(frames ...[]byte) FrameSource {
	i := 0
	return func() ([]byte, bool) {
		if i == len(frames) {
			return nil, false
		}
		i++
		return frames[i-1], true
	}
}

func encodeAll(e *Encoder) []int {
	var bits []int
	for {
		b, ok := e.Bit()
		if !ok {
			return bits
		}
		bits = append(bits, b)
	}
}

type got struct {
	data []byte
	ok   bool
}

func decodeAll(bits []int) ([]got, *Decoder) {
	var frames []got
	d := NewDecoder(func(data []byte, ok bool) {
		frames = append(frames, got{append([]byte(nil), data...), ok})
	})
	for _, b := range bits {
		d.PutBit(b)
	}
	return frames, d
}

func TestFCS(t *testing.T) {
	// The check value of CRC-16/X-25 (the HDLC FCS) over "123456789".
	fcs := FCS([]byte("123456789"))
	if v := uint16(fcs[0]) | uint16(fcs[1])<<8; v != 0x906E {
		t.Errorf("FCS(123456789) = %#04x, want 0x906e", v)
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		frames [][]byte
	}{
		{"DIS", [][]byte{{0xFF, 0x13, 0x80, 0x00, 0xCE, 0xF4, 0x80, 0x80, 0x81}}},
		{"CSI+DIS", [][]byte{{0xFF, 0x03, 0x40, 0x20, 0x20, 0x34, 0x33}, {0xFF, 0x13, 0x80, 0x00, 0x46}}},
		{"all ones", [][]byte{{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}}},
		{"flags inside", [][]byte{{0x7E, 0x7E, 0x7F, 0xFE, 0x3F}}},
		{"four octets", [][]byte{{0x01, 0x02}}},
		{"256 octets", [][]byte{bytes.Repeat([]byte{0xA5, 0x7E, 0xFF, 0x00}, 64)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bits := encodeAll(NewEncoder(frameSource(tc.frames...), 3))
			got, d := decodeAll(bits)
			if len(got) != len(tc.frames) {
				t.Fatalf("got %d frames, want %d (stats %+v)", len(got), len(tc.frames), d.Stats())
			}
			for i := range got {
				if !got[i].ok || !bytes.Equal(got[i].data, tc.frames[i]) {
					t.Errorf("frame %d = %x ok=%v, want %x", i, got[i].data, got[i].ok, tc.frames[i])
				}
			}
			// Never six ones inside a frame: only flags have them.
			ones, sixes := 0, 0
			for _, b := range bits {
				if b == 1 {
					ones++
					continue
				}
				if ones == 6 {
					sixes++
				}
				ones = 0
			}
			if want := d.Stats().Flags; sixes != want {
				t.Errorf("%d runs of six ones, %d flags", sixes, want)
			}
		})
	}
}

func TestRandomFrames(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var frames [][]byte
	for range 200 {
		f := make([]byte, 2+r.IntN(200))
		for i := range f {
			f[i] = byte(r.IntN(256))
		}
		frames = append(frames, f)
	}
	got, _ := decodeAll(encodeAll(NewEncoder(frameSource(frames...), 1)))
	if len(got) != len(frames) {
		t.Fatalf("got %d frames, want %d", len(got), len(frames))
	}
	for i := range got {
		if !got[i].ok || !bytes.Equal(got[i].data, frames[i]) {
			t.Fatalf("frame %d differs", i)
		}
	}
}

func TestEncoderShape(t *testing.T) {
	bits := encodeAll(NewEncoder(frameSource([]byte{0x00, 0x00}), 4))
	// 4 preamble flags, 4 octets of zeros (2 data + FCS 0x??), 2 closing flags.
	preamble := bits[:32]
	for i, b := range preamble {
		if b != flagOctet>>(i%8)&1 {
			t.Fatalf("preamble bit %d = %d", i, b)
		}
	}
	tail := bits[len(bits)-16:]
	for i, b := range tail {
		if b != flagOctet>>(i%8)&1 {
			t.Fatalf("closing flag bit %d = %d (tail %v)", i, b, tail)
		}
	}
	if len(bits) < 32+32+16 {
		t.Errorf("%d bits, too short", len(bits))
	}
}

func TestIdleFlags(t *testing.T) {
	calls := 0
	src := func() ([]byte, bool) {
		calls++
		switch {
		case calls < 4:
			return nil, true // not ready: idle
		case calls == 4:
			return []byte{1, 2, 3}, true
		}
		return nil, false
	}
	bits := encodeAll(NewEncoder(src, 1))
	got, d := decodeAll(bits)
	if len(got) != 1 || !got[0].ok {
		t.Fatalf("frames %v", got)
	}
	if d.Stats().Flags != 1+3+2 {
		t.Errorf("%d flags, want 6", d.Stats().Flags)
	}
}

func TestBadFCSAndAbort(t *testing.T) {
	enc := encodeAll(NewEncoder(frameSource([]byte{0xFF, 0x13, 0x80, 0x00, 0x46}), 2))
	// Flip a data bit in the first frame octet after the preamble.
	bad := append([]int(nil), enc...)
	bad[16+1] ^= 1
	got, d := decodeAll(bad)
	if len(got) != 1 || got[0].ok || d.Stats().Bad != 1 {
		t.Errorf("corrupted frame: got %v, stats %+v", got, d.Stats())
	}

	// Abort: flags, some frame bits, seven ones, flags, a good frame.
	var bits []int
	bits = append(bits, enc[:16]...)
	bits = append(bits, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0)
	bits = append(bits, 1, 1, 1, 1, 1, 1, 1, 1)
	bits = append(bits, enc...)
	got, d = decodeAll(bits)
	if len(got) != 1 || !got[0].ok || d.Stats().Aborts != 1 {
		t.Errorf("abort: got %v, stats %+v", got, d.Stats())
	}
	aborts := 0
	d = NewDecoder(nil)
	d.OnAbort(func() { aborts++ })
	for _, b := range bits {
		d.PutBit(b)
	}
	if aborts != 1 {
		t.Errorf("OnAbort called %d times, want 1", aborts)
	}
}

func TestEncoderAbort(t *testing.T) {
	e := NewEncoder(frameSource(bytes.Repeat([]byte{0x55}, 20), []byte{1, 2, 3, 4}), 1)
	var bits []int
	for range 8 + 40 {
		b, _ := e.Bit()
		bits = append(bits, b)
	}
	e.Abort()
	bits = append(bits, encodeAll(e)...)
	got, d := decodeAll(bits)
	if len(got) != 1 || !bytes.Equal(got[0].data, []byte{1, 2, 3, 4}) || d.Stats().Aborts != 1 {
		t.Errorf("got %v, stats %+v", got, d.Stats())
	}
}

func TestRuntsAndMisalignment(t *testing.T) {
	f := []int{0, 1, 1, 1, 1, 1, 1, 0}
	var bits []int
	bits = append(bits, f...)
	bits = append(bits, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0)
	bits = append(bits, f...)
	got, d := decodeAll(bits)
	if len(got) != 0 || d.Stats().TooShort != 1 {
		t.Errorf("runt: got %v stats %+v", got, d.Stats())
	}
	bits = append([]int(nil), f...)
	for range 37 {
		bits = append(bits, 0)
	}
	bits = append(bits, f...)
	got, _ = decodeAll(bits)
	if len(got) != 1 || got[0].ok {
		t.Errorf("37-bit frame: got %v, want one bad frame", got)
	}
}

func TestTooLong(t *testing.T) {
	long := bytes.Repeat([]byte{0x11}, DefaultMaxFrameLen+10)
	got, d := decodeAll(encodeAll(NewEncoder(frameSource(long, []byte{9, 9, 9}), 1)))
	if len(got) != 1 || d.Stats().TooLong != 1 {
		t.Errorf("got %d frames, stats %+v", len(got), d.Stats())
	}
}

func TestFraming(t *testing.T) {
	var events []string
	d := NewDecoder(func(data []byte, ok bool) { events = append(events, fmt.Sprintf("frame %v", ok)) })
	d.OnFraming(3, func() { events = append(events, "framing") })
	for _, b := range encodeAll(NewEncoder(frameSource([]byte{1, 2, 3}, []byte{4, 5, 6}), 5)) {
		d.PutBit(b)
	}
	want := "[framing frame true frame true]"
	if fmt.Sprint(events) != want {
		t.Errorf("events %v, want %s", events, want)
	}
}

func TestDecoderNoAllocs(t *testing.T) {
	bits := encodeAll(NewEncoder(frameSource(bytes.Repeat([]byte{0x3C}, 100)), 2))
	d := NewDecoder(func([]byte, bool) {})
	if n := testing.AllocsPerRun(10, func() {
		for _, b := range bits {
			d.PutBit(b)
		}
	}); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

func BenchmarkEncodeDecode(b *testing.B) {
	frame := bytes.Repeat([]byte{0x3C, 0xFF}, 128)
	d := NewDecoder(func([]byte, bool) {})
	e := NewEncoder(nil, 1)
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		e.Restart(frameSource(frame), 1)
		for {
			bit, ok := e.Bit()
			if !ok {
				break
			}
			d.PutBit(bit)
		}
	}
}

// TestSharedZeroFlags: flags may share their zero (011111101111110), as
// ISO 13239 allows; each still counts, and frames between them decode.
func TestSharedZeroFlags(t *testing.T) {
	var bits []int
	bits = append(bits, 0)
	for range 5 {
		bits = append(bits, 1, 1, 1, 1, 1, 1, 0)
	}
	frame := encodeAll(NewEncoder(frameSource([]byte{0xA1, 0xB2, 0xC3}), 1))
	// Drop the encoder's leading flag: the shared-zero flags above open it.
	bits = append(bits, frame[8:]...)
	got, d := decodeAll(bits)
	if len(got) != 1 || !got[0].ok {
		t.Fatalf("got %v", got)
	}
	if d.Stats().Flags != 5+2 {
		t.Errorf("%d flags, want 7", d.Stats().Flags)
	}
}
