package line

import (
	"bytes"
	"testing"
)

// FuzzReadWAV: any file given to --play must be read or refused, never
// panic; what is read round-trips through WAVWriter.
func FuzzReadWAV(f *testing.F) {
	var m memWS
	w, _ := NewWAVWriter(&m, 1)
	w.Write([]int16{1, 2, 3, -4})
	w.Close()
	f.Add(m.b)
	f.Add([]byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\xff\xff\xff\xff\x01\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			return
		}
		var m memWS
		w, _ := NewWAVWriter(&m, 1)
		w.Write(s)
		w.Close()
		s2, err := ReadWAV(bytes.NewReader(m.b))
		if err != nil || len(s2) != len(s) {
			t.Fatalf("round trip: %v, %d vs %d samples", err, len(s2), len(s))
		}
	})
}
