package spandsp

import (
	"context"
	"encoding/binary"
	"strconv"
	"testing"
)

// HDLCBits returns the bit stream (one bit per byte) spandsp's HDLC
// transmitter makes of frames, with flags preamble flag octets (0 means
// 32), up to its end: no modem involved.
func (h *Helper) HDLCBits(t testing.TB, frames [][]byte, flags int) []byte {
	t.Helper()
	if flags <= 0 {
		flags = 32
	}
	in := binary.LittleEndian.AppendUint32(nil, uint32(len(frames)))
	for _, f := range frames {
		in = binary.LittleEndian.AppendUint32(in, uint32(len(f)))
		in = append(in, f...)
	}
	out, err := h.run(context.Background(), in, "hdlcbits", "-f", strconv.Itoa(flags))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// HDLCDecode runs spandsp's HDLC receiver over bits (one per byte); a
// frame's At is the index of the bit that completed its closing flag.
func (h *Helper) HDLCDecode(t testing.TB, bits []byte) ([]Frame, []Event) {
	t.Helper()
	out, err := h.run(context.Background(), bits, "hdlcbitsrx")
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseRecords(out)
	if err != nil {
		t.Fatal(err)
	}
	return r.Frames, r.Events
}
