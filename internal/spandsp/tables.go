package spandsp

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"
)

// G711Tables are spandsp's G.711 conversions (spandsp/g711.h).
type G711Tables struct {
	LinearToUlaw [65536]byte // indexed by uint16(sample)
	LinearToAlaw [65536]byte
	UlawToLinear [256]int16
	AlawToLinear [256]int16
}

// G711 returns spandsp's G.711 tables.
func (h *Helper) G711(t testing.TB) *G711Tables {
	t.Helper()
	out, err := h.run(context.Background(), nil, "g711")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2*65536+2*512 {
		t.Fatalf("spandsp g711: %d bytes, want %d", len(out), 2*65536+2*512)
	}
	var g G711Tables
	for i := range 65536 {
		x := int16(i - 32768)
		g.LinearToUlaw[uint16(x)] = out[i]
		g.LinearToAlaw[uint16(x)] = out[65536+i]
	}
	for c := range 256 {
		g.UlawToLinear[c] = int16(binary.LittleEndian.Uint16(out[131072+2*c:]))
		g.AlawToLinear[c] = int16(binary.LittleEndian.Uint16(out[131072+512+2*c:]))
	}
	return &g
}

// Tone names a connect tone of spandsp's modem_connect_tones.
type Tone string

// Connect tones.
const (
	CNG   Tone = "cng"   // fax calling tone, 1100 Hz 0.5 s on, 3 s off
	CED   Tone = "ced"   // fax answer tone / V.25 ANS, 2100 Hz
	ANSam Tone = "ansam" // V.8 ANSam, 2100 Hz amplitude modulated at 15 Hz (generation only)
)

// spandsp's MODEM_CONNECT_TONES_* values (spandsp/modem_connect_tones.h).
const (
	ToneNone        = 0
	ToneCNG         = 1
	ToneANS         = 2 // CED
	ToneFaxPreamble = 6 // V.21 HDLC flags heard while looking for CED
)

// ToneReport is a change reported by spandsp's connect tone detector.
type ToneReport struct {
	Tone  int   // MODEM_CONNECT_TONES_* value; ToneNone when the tone ends
	Level int   // dBm0 as spandsp reports it
	At    int64 // sample index
}

// ToneTransmit returns n samples of spandsp's generator for tone.
func (h *Helper) ToneTransmit(t testing.TB, tone Tone, n int) []int16 {
	t.Helper()
	out, err := h.run(context.Background(), nil, "tonetx", string(tone), strconv.Itoa(n))
	if err != nil {
		t.Fatal(err)
	}
	return bytesToSamples(out)
}

// ToneDetect runs spandsp's detector for tone (CNG or CED) over samples.
func (h *Helper) ToneDetect(t testing.TB, tone Tone, samples []int16) []ToneReport {
	t.Helper()
	out, err := h.run(context.Background(), appendSamples(nil, samples), "tonerx", string(tone))
	if err != nil {
		t.Fatal(err)
	}
	var r []ToneReport
	for len(out) > 0 {
		if out[0] != 4 || len(out) < 17 {
			t.Fatal(fmt.Errorf("spandsp tonerx: bad record"))
		}
		r = append(r, ToneReport{
			Tone:  int(int32(binary.LittleEndian.Uint32(out[1:]))),
			Level: int(int32(binary.LittleEndian.Uint32(out[5:]))),
			At:    int64(binary.LittleEndian.Uint64(out[9:])),
		})
		out = out[17:]
	}
	return r
}
