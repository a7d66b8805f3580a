package analyze

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/internal/spandsp"
	"github.com/softfax/softfax/line"
)

var update = flag.Bool("update", false, "record testdata/*.wav with spandsp and rewrite the golden files")

// ulawWAV writes one channel as a mu-law WAV file (format 7), the way
// telephony tools record calls.
func ulawWAV(samples []int16) []byte {
	var b bytes.Buffer
	n := uint32(len(samples))
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, 4+26+8+n)
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(18), uint16(7), uint16(1), uint32(8000), uint32(8000), uint16(1), uint16(8), uint16(0)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, n)
	for _, s := range samples {
		b.WriteByte(g711.EncodeUlaw(s))
	}
	return b.Bytes()
}

// TestGolden analyzes recordings kept in testdata and compares the timeline
// with the golden text. spandsp-ftt.wav is a spandsp-to-spandsp call (one
// page, V.17, a noise burst in the first TCF: FTT, then 12000 bit/s),
// mixed to one channel and stored as mu-law.
func TestGolden(t *testing.T) {
	if *update {
		fc := spandsp.RequireFaxCall(t)
		doc := writeTIFF(t, testPage(t, 3, 120))
		res, err := fc.Run(context.Background(), spandsp.FaxCallSpec{TIFF: doc, Modems: spandsp.ModemsV17,
			Compressions: spandsp.CompressMR, NoiseStart: 8.6, NoiseLen: 0.6, NoiseDBm0: -20})
		if err != nil {
			t.Fatal(err)
		}
		a, err := line.DecodeWAV(res.WAV)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/spandsp-ftt.wav", ulawWAV(mono(a.Channels)[0]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wavs, _ := filepath.Glob("testdata/*.wav")
	if len(wavs) == 0 {
		t.Fatal("no recordings in testdata")
	}
	for _, path := range wavs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := File(b)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := r.WriteText(&got); err != nil {
				t.Fatal(err)
			}
			golden := path[:len(path)-len(".wav")] + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from %s:\n%s", path, golden, got.String())
			}
		})
	}
}
