package g711

import "testing"

// Every code decodes to a value that encodes back to the same code, except
// mu-law's negative zero (0x7F) which G.711 maps to positive zero (0xFF).
func TestCodesRoundTrip(t *testing.T) {
	for _, law := range []Law{Ulaw, Alaw} {
		for c := range 256 {
			lin := law.Decode(nil, []byte{byte(c)})
			got := law.Encode(nil, lin)[0]
			want := byte(c)
			if law == Ulaw && c == 0x7F {
				want = 0xFF
			}
			if got != want {
				t.Errorf("%v: code %#02x decodes to %d, which encodes to %#02x", law, c, lin[0], got)
			}
		}
	}
}

// Encoding is monotonic in the sample and the reconstruction error stays
// within half a quantisation step of G.711's largest segment.
func TestEncodeMonotonicAndClose(t *testing.T) {
	for _, law := range []Law{Ulaw, Alaw} {
		prev := int16(-32768)
		for s := -32768; s <= 32767; s++ {
			r := law.Decode(nil, law.Encode(nil, []int16{int16(s)}))[0]
			if r < prev {
				t.Fatalf("%v: not monotonic at %d: %d after %d", law, s, r, prev)
			}
			prev = r
			if d := int(r) - s; d > 1024 || d < -1024 {
				t.Fatalf("%v: %d reconstructs as %d", law, s, r)
			}
		}
	}
}

// Known values from G.711 Tables 2a/2b: decision and reconstruction levels.
func TestKnownCodes(t *testing.T) {
	tests := []struct {
		law  Law
		in   int16
		code byte
		out  int16
	}{
		{Ulaw, 0, 0xFF, 0},
		{Ulaw, 1000, 0xCE, 988},
		{Ulaw, -1000, 0x4E, -988},
		{Ulaw, 32767, 0x80, 32124},
		{Ulaw, -32768, 0x00, -32124},
		{Alaw, 0, 0xD5, 8},
		{Alaw, 1000, 0xFA, 1008},
		{Alaw, -1000, 0x7A, -1008},
		{Alaw, 32767, 0xAA, 32256},
		{Alaw, -32768, 0x2A, -32256},
	}
	for _, tt := range tests {
		code := tt.law.Encode(nil, []int16{tt.in})[0]
		out := tt.law.Decode(nil, []byte{code})[0]
		if code != tt.code || out != tt.out {
			t.Errorf("%v(%d) = %#02x -> %d, want %#02x -> %d", tt.law, tt.in, code, out, tt.code, tt.out)
		}
	}
}

func BenchmarkCompandingUlaw(b *testing.B) {
	buf := make([]int16, 160)
	for i := range buf {
		buf[i] = int16(i * 200)
	}
	b.SetBytes(int64(len(buf) * 2))
	for b.Loop() {
		Ulaw.Companding(buf)
	}
}
