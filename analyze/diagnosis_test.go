package analyze

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/softfax/softfax/line"
	"github.com/softfax/softfax/t30"
)

// frameBytes marshals a T.30 frame; x sets the X bit (sent by the caller).
func frameBytes(t *testing.T, fcf t30.FCF, x bool, info []byte) []byte {
	t.Helper()
	if x {
		fcf |= 1
	}
	return t30.Frame{Final: true, FCF: fcf, Info: info}.Marshal()
}

// TestDiagnosis synthesizes V.21 exchanges that go wrong and checks what
// the analysis says about them.
func TestDiagnosis(t *testing.T) {
	dis, err := t30.DIS{CanReceive: true, Modems: t30.ModemsV27terV29V17, Fine: true}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	dcs, err := t30.DCS{Modulation: 145, Fine: true}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		frames func() [][]byte
		want   []string // substrings of the problems, in order
	}{
		{"DIS unanswered", func() [][]byte {
			d := frameBytes(t, t30.FCFDIS, false, dis)
			return [][]byte{d, d, d}
		}, []string{"DIS repeated", "DIS repeated", "no answer to the DIS", "without DCN"}},
		{"DCS unanswered then DCN", func() [][]byte {
			c := frameBytes(t, t30.FCFDCS, true, dcs)
			return [][]byte{frameBytes(t, t30.FCFDIS, false, dis), c, c, frameBytes(t, t30.FCFDCN, true, nil)}
		}, []string{"DCS repeated: no answer", "DCN from the caller before the document was complete (0 pages"}},
		{"FTT without TCF", func() [][]byte {
			return [][]byte{frameBytes(t, t30.FCFDIS, false, dis), frameBytes(t, t30.FCFDCS, true, dcs),
				frameBytes(t, t30.FCFFTT, false, nil), frameBytes(t, t30.FCFDCN, true, nil)}
		}, []string{"FTT: the receiver rejected the training check at V.17 14400 (no TCF was recognised)", "DCN from the caller"}},
		{"CRP", func() [][]byte {
			return [][]byte{frameBytes(t, t30.FCFDIS, false, dis), frameBytes(t, t30.FCFDCS, true, dcs),
				frameBytes(t, t30.FCFCRP, false, nil), frameBytes(t, t30.FCFDCN, false, nil)}
		}, []string{"CRP", "DCN from the called station"}},
		{"no fax", func() [][]byte { return nil }, []string{"no T.30 frame decoded"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			audio := append(make([]int16, 8000), v21Audio(tc.frames())...)
			r, err := Channels([][]int16{audio})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Problems) != len(tc.want) {
				t.Fatalf("problems %q, want %d", r.Problems, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(r.Problems[i], w) {
					t.Errorf("problem %d: %q, want it to say %q", i, r.Problems[i], w)
				}
			}
			if r.Complete || !strings.HasPrefix(r.Outcome(), "FAILED") {
				t.Errorf("outcome %q", r.Outcome())
			}
		})
	}
}

// TestTruncatedRecording cuts the golden recording after the DCS at
// 14400: the analysis must say the DCS went unanswered.
func TestTruncatedRecording(t *testing.T) {
	a := goldenAudio(t)
	r, err := Channels([][]int16{a[:8*8000]})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(r.Problems, "\n")
	for _, w := range []string{"no answer to the DCS sent at 6.870s", "without DCN"} {
		if !strings.Contains(got, w) {
			t.Errorf("problems %q lack %q", got, w)
		}
	}
}

// TestResampledRecording analyzes the golden recording resampled to
// 16 kHz and 11.025 kHz 16-bit PCM: the same frames and pages come out.
func TestResampledRecording(t *testing.T) {
	a := goldenAudio(t)
	ref, err := Channels([][]int16{a})
	if err != nil {
		t.Fatal(err)
	}
	for _, rate := range []int{16000, 11025} {
		up := line.Resample(a, 8000, rate)
		var data bytes.Buffer
		binary.Write(&data, binary.LittleEndian, up)
		r, err := File(pcmWAV(rate, data.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := summary(r), summary(ref); got != want {
			t.Errorf("%d Hz:\n got %s\nwant %s", rate, got, want)
		}
	}
}

// summary lists a report's frames and pages, without times.
func summary(r *Report) string {
	var s []string
	for _, e := range r.Events {
		switch {
		case e.Kind == KindFrame:
			s = append(s, e.Dir.Arrow()+e.Name)
		case e.Kind == KindData:
			s = append(s, fmt.Sprintf("%s %s %d/%d", e.Signal, e.Name, e.Rows, e.BadRows))
		}
	}
	return strings.Join(s, ", ") + "; " + r.Outcome()
}

func goldenAudio(t *testing.T) []int16 {
	t.Helper()
	b, err := os.ReadFile("testdata/spandsp-ftt.wav")
	if err != nil {
		t.Fatal(err)
	}
	a, err := line.DecodeWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	return a.Channels[0]
}

// pcmWAV wraps 16-bit mono samples at rate in a WAV header.
func pcmWAV(rate int, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(2 * rate), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// TestBadFCS damages the end of a DCS with a noise burst: the analysis
// shows a frame with a bad FCS where the DCS was.
func TestBadFCS(t *testing.T) {
	dcs, err := t30.DCS{Modulation: 145, Fine: true}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	audio := v21Audio([][]byte{frameBytes(t, t30.FCFDCS, true, dcs)})
	// The frame ends about 80 ms (three flags and the FCS) before the
	// transmission; 15 ms of loud noise 150 ms before the end hits the
	// information field.
	end := len(audio) - 800
	seed := uint32(1)
	for i := end - 1200; i < end-1080; i++ {
		seed = seed*1664525 + 1013904223
		audio[i] = int16(seed >> 17)
	}
	r, err := Channels([][]int16{audio})
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, e := range r.Events {
		if e.Kind == KindBadFrame {
			bad++
			if !strings.Contains(e.Detail, "looked like DCS") || e.Dir != FromCaller {
				t.Errorf("bad frame %q from %v", e.Detail, e.Dir)
			}
		}
		if e.Kind == KindFrame {
			t.Errorf("frame %s decoded through the noise", e.Name)
		}
	}
	if bad != 1 {
		t.Errorf("%d bad frames, want 1", bad)
	}
}
