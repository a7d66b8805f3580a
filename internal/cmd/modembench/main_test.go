package main

import (
	"slices"
	"testing"
)

func TestParseRange(t *testing.T) {
	got, err := parseRange("10:30:5")
	if err != nil || !slices.Equal(got, []float64{10, 15, 20, 25, 30}) {
		t.Errorf("parseRange = %v, %v", got, err)
	}
	for _, bad := range []string{"10:30", "a:b:c", "10:30:0"} {
		if _, err := parseRange(bad); err == nil {
			t.Errorf("parseRange(%q) accepted", bad)
		}
	}
}

func TestRateAndFormat(t *testing.T) {
	sent := randomBits(1000, 1)
	got := append([]byte{1, 1}, sent...)
	got[500] ^= 1
	if r := rate(sent, got); r != 1.0/1000 {
		t.Errorf("rate = %v, want 0.001", r)
	}
	if r := rate(sent, got[:502]); r < 0.49 {
		t.Errorf("missing bits not counted: rate %v", r)
	}
	if s := fmtBER(0, 100000, 100000); s != "<1e-05" {
		t.Errorf("fmtBER(0) = %q", s)
	}
	if s := fmtBER(1, 100000, 5); s != "no train" {
		t.Errorf("fmtBER(no bits) = %q", s)
	}
}

// TestRows checks every row builds its modems and they agree with each
// other on a short transmission, so a broken row fails here rather than in
// bench/modems.sh.
func TestRows(t *testing.T) {
	for _, r := range rows() {
		bits := randomBits(4*bitRate(r), 3)
		sig, err := transmit(r, withLeadIn(bits))
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		got, err := receive(r, append(sig, make([]int16, 800)...))
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		if br := rate(bits, got); br != 0 {
			t.Errorf("%s: back to back BER %v", r.Name, br)
		}
		if n, err := receiveCount(r, append(sig, make([]int16, 800)...)); err != nil || n != len(got) {
			t.Errorf("%s: receiveCount = %d, %v; receive delivered %d bits", r.Name, n, err, len(got))
		}
	}
}
