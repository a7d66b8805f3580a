package analyze

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/dsp/v21"
	"github.com/softfax/softfax/line"
)

// maxFuzzAudio bounds the samples analyzed per input, so the time per run
// stays bounded (the analysis is linear in the audio's length);
// maxFuzzFile keeps inputs small enough for the fuzzer to stay fast.
const (
	maxFuzzAudio = 8000 * 6
	maxFuzzFile  = 48 << 10
)

// FuzzFile feeds arbitrary files to the analysis: any WAV (header fields,
// formats, rates, channel counts) or garbage. It must never panic and
// must finish in time proportional to the audio.
func FuzzFile(f *testing.F) {
	golden, err := os.ReadFile("testdata/spandsp-ftt.wav")
	if err != nil {
		f.Fatal(err)
	}
	// The header and the first 5 s: CNG, CED, CSI, DIS.
	f.Add(golden[:46+5000*8])
	f.Add(golden[:46])
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	var stereo bytes.Buffer
	w, _ := line.NewWAVWriter(nopSeeker{&stereo}, 2)
	w.Write(make([]int16, 800), make([]int16, 800))
	f.Add(stereo.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzFile {
			return
		}
		a, err := line.DecodeWAV(b)
		if err != nil {
			return
		}
		chans := a.Channels
		for i := range chans {
			chans[i] = chans[i][:min(len(chans[i]), maxFuzzAudio/len(chans))]
		}
		start := time.Now()
		r, err := Channels(chans)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := r.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%d samples took %v", len(chans[0]), d)
		}
	})
}

// FuzzFrames modulates arbitrary T.30 frames on V.21, as a terminal would
// send them, and analyzes the audio: every frame type with any
// information field (DIS, DCS, PPS, PPR, identifications...) goes through
// the interpretation. The input is a list of frames, each one length
// octet then the frame's octets after the address (control, of which
// only the final bit counts, FCF, info).
func FuzzFrames(f *testing.F) {
	f.Add([]byte("\x0a\x13\x80\x00\xee\xf8\x80\x80\x91\x80\x80"))                     // DIS
	f.Add([]byte("\x06\x13\x83\x00\xe2\x78\x00\x02\x13\x8f\x02\x13\x8c\x02\x13\xfb")) // DCS EOM MCF DCN
	f.Add([]byte("\x06\x13\xbf\x2e\x00\x00\x10\x05\x13\xbc\xff\x00\x00\x02\x13\x85")) // PPS-EOP PPR CFR
	f.Add([]byte("\x04\x13\x83\x00\x00\x02\x13\x44"))                                 // short DCS, FTT
	f.Fuzz(func(t *testing.T, in []byte) {
		var frames [][]byte
		for len(in) > 0 && len(frames) < 8 {
			n := int(in[0])
			in = in[1:]
			n = min(n, len(in), 40)
			if n >= 2 {
				ctl := byte(0x03)
				if in[0]&0x10 != 0 {
					ctl = 0x13
				}
				frames = append(frames, append([]byte{0xFF, ctl}, in[1:n]...))
			}
			in = in[n:]
		}
		if len(frames) == 0 {
			return
		}
		audio := v21Audio(frames)
		r, err := Channels([][]int16{audio})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.WriteText(&bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, e := range r.Events {
			if e.Kind == KindFrame {
				got++
			}
		}
		if got != len(frames) {
			t.Errorf("%d frames sent, %d analyzed", len(frames), got)
		}
	})
}

// v21Audio sends each frame as its own V.21 transmission (preamble, frame,
// closing flags), with 100 ms of silence after each.
func v21Audio(frames [][]byte) []int16 {
	var audio []int16
	buf := make([]int16, 160)
	for _, fr := range frames {
		sent := false
		enc := hdlc.NewEncoder(func() ([]byte, bool) {
			if sent {
				return nil, false
			}
			sent = true
			return fr, true
		}, 10)
		tx := v21.NewTransmitter(v21.Config{}, enc.Bit)
		for {
			n := tx.Transmit(buf)
			audio = append(audio, buf[:n]...)
			if n < len(buf) {
				break
			}
		}
		audio = append(audio, make([]int16, 800)...)
	}
	return audio
}

// nopSeeker lets line.WAVWriter write into a buffer (Close is not called).
type nopSeeker struct{ *bytes.Buffer }

func (nopSeeker) Seek(int64, int) (int64, error) { return 0, nil }
