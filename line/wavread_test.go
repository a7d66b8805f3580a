package line

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
)

// rawWAV builds a WAV file with the given fmt fields and data.
func rawWAV(format, channels, rate, bits int, data []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(4+24+8+len(data)))
	b.WriteString("WAVEfmt ")
	block := channels * bits / 8
	for _, v := range []any{uint32(16), uint16(format), uint16(channels), uint32(rate), uint32(rate * block), uint16(block), uint16(bits)} {
		binary.Write(&b, le, v)
	}
	b.WriteString("data")
	binary.Write(&b, le, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestDecodeWAVStereoFromWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWAVWriter(f, 2)
	if err != nil {
		t.Fatal(err)
	}
	rx, tx := []int16{1, -2, 300, -32768}, []int16{32767, 5, -6, 7}
	if err := w.Write(rx, tx); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, _ := os.ReadFile(path)
	a, err := DecodeWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Channels) != 2 || a.Rate != 8000 || a.Format != "PCM 16-bit" {
		t.Fatalf("%d channels, %d Hz, %s", len(a.Channels), a.Rate, a.Format)
	}
	for i := range rx {
		if a.Channels[0][i] != rx[i] || a.Channels[1][i] != tx[i] {
			t.Fatalf("sample %d: %d %d, want %d %d", i, a.Channels[0][i], a.Channels[1][i], rx[i], tx[i])
		}
	}
}

func TestDecodeWAVCodings(t *testing.T) {
	want := []int16{0, 1000, -1000, 8000, -30000}
	var ulaw, alaw, pcm8 []byte
	for _, s := range want {
		ulaw = append(ulaw, g711.EncodeUlaw(s))
		alaw = append(alaw, g711.EncodeAlaw(s))
		pcm8 = append(pcm8, byte(int(s>>8)+128))
	}
	cases := []struct {
		name   string
		file   []byte
		decode func(int16) int16
	}{
		{"mu-law", rawWAV(7, 1, 8000, 8, ulaw), func(s int16) int16 { return g711.DecodeUlaw(g711.EncodeUlaw(s)) }},
		{"A-law", rawWAV(6, 1, 8000, 8, alaw), func(s int16) int16 { return g711.DecodeAlaw(g711.EncodeAlaw(s)) }},
		{"PCM 8-bit", rawWAV(1, 1, 8000, 8, pcm8), func(s int16) int16 { return s >> 8 << 8 }},
	}
	for _, tc := range cases {
		a, err := DecodeWAV(tc.file)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if a.Format != tc.name {
			t.Errorf("format %q, want %q", a.Format, tc.name)
		}
		for i, s := range want {
			if got := a.Channels[0][i]; got != tc.decode(s) {
				t.Errorf("%s sample %d: %d, want %d", tc.name, i, got, tc.decode(s))
			}
		}
	}
}

// A 1000 Hz tone recorded at 16 kHz and 44.1 kHz arrives at 8 kHz with
// its frequency and level; a 5 kHz tone (above 4 kHz) is filtered out.
func TestDecodeWAVResample(t *testing.T) {
	for _, rate := range []int{16000, 44100, 11025} {
		for _, hz := range []float64{1000, 5000} {
			n := rate / 2
			data := make([]byte, 2*n)
			for i := range n {
				v := 10000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate))
				binary.LittleEndian.PutUint16(data[2*i:], uint16(int16(v)))
			}
			a, err := DecodeWAV(rawWAV(1, 1, rate, 16, data))
			if err != nil {
				t.Fatal(err)
			}
			x := a.Channels[0]
			if len(x) < 3999 || len(x) > 4000 {
				t.Fatalf("%d Hz: %d samples, want 4000", rate, len(x))
			}
			// Goertzel-free check: correlate with the expected tone
			// over the middle of the signal.
			var c, s, p float64
			for i := 500; i < 3500; i++ {
				w := 2 * math.Pi * 1000 * float64(i) / 8000
				c += float64(x[i]) * math.Cos(w)
				s += float64(x[i]) * math.Sin(w)
				p += float64(x[i]) * float64(x[i])
			}
			amp := 2 * math.Hypot(c, s) / 3000
			rms := math.Sqrt(p / 3000)
			switch hz {
			case 1000:
				if math.Abs(amp-10000) > 200 {
					t.Errorf("%d Hz: 1000 Hz tone amplitude %.0f, want 10000", rate, amp)
				}
			default:
				if rms > 300 {
					t.Errorf("%d Hz: 5000 Hz tone leaks through at rms %.0f", rate, rms)
				}
			}
		}
	}
}

func TestDecodeWAVErrors(t *testing.T) {
	cases := map[string][]byte{
		"not riff":    []byte("RIFX\x00\x00\x00\x00WAVE"),
		"no data":     []byte("RIFF\x04\x00\x00\x00WAVE"),
		"float":       rawWAV(3, 1, 8000, 32, make([]byte, 8)),
		"24-bit":      rawWAV(1, 1, 8000, 24, make([]byte, 6)),
		"no channels": rawWAV(1, 0, 8000, 16, make([]byte, 4)),
		"rate 0":      rawWAV(1, 1, 0, 16, make([]byte, 4)),
		"data no fmt": []byte("RIFF\x0c\x00\x00\x00WAVEdata\x00\x00\x00\x00"),
		"short fmt":   []byte("RIFF\x10\x00\x00\x00WAVEfmt \x04\x00\x00\x00\x01\x00\x01\x00"),
		"many chans":  rawWAV(1, 9, 8000, 16, make([]byte, 18)),
		"huge rate":   rawWAV(1, 1, 1<<30, 16, make([]byte, 4)),
	}
	for name, b := range cases {
		if _, err := DecodeWAV(b); !errors.Is(err, ErrWAVFormat) {
			t.Errorf("%s: %v, want ErrWAVFormat", name, err)
		}
	}
}
