package modem

import "testing"

func TestModulations(t *testing.T) {
	tests := []struct {
		m     Modulation
		rate  int
		short bool
		str   string
	}{
		{V21, 300, false, "V.21 300"},
		{V27ter2400, 2400, false, "V.27ter 2400"},
		{V27ter4800, 4800, false, "V.27ter 4800"},
		{V29_7200, 7200, false, "V.29 7200"},
		{V17_7200, 7200, false, "V.17 7200"},
		{V17_7200Short, 7200, true, "V.17 7200 short train"},
		{V29_9600, 9600, false, "V.29 9600"},
		{V17_9600, 9600, false, "V.17 9600"},
		{V17_9600Short, 9600, true, "V.17 9600 short train"},
		{V17_12000, 12000, false, "V.17 12000"},
		{V17_12000Short, 12000, true, "V.17 12000 short train"},
		{V17_14400, 14400, false, "V.17 14400"},
		{V17_14400Short, 14400, true, "V.17 14400 short train"},
		{Modulation(0), 0, false, "modulation(0)"},
		{Modulation(144), 0, false, "modulation(144)"},
	}
	for _, tt := range tests {
		if got := tt.m.BitRate(); got != tt.rate {
			t.Errorf("%d: BitRate %d, want %d", int(tt.m), got, tt.rate)
		}
		if got := tt.m.ShortTrain(); got != tt.short {
			t.Errorf("%d: ShortTrain %v, want %v", int(tt.m), got, tt.short)
		}
		if got := tt.m.String(); got != tt.str {
			t.Errorf("%d: String %q, want %q", int(tt.m), got, tt.str)
		}
		if got := tt.m.Valid(); got != (tt.rate != 0) {
			t.Errorf("%d: Valid %v", int(tt.m), got)
		}
	}
	// The +FTM=? answer iaxmodem gives HylaFAX.
	var s []int
	for _, m := range Modulations() {
		s = append(s, int(m))
	}
	want := []int{24, 48, 72, 73, 74, 96, 97, 98, 121, 122, 145, 146}
	if len(s) != len(want) {
		t.Fatalf("Modulations() = %v", s)
	}
	for i := range want {
		if s[i] != want[i] {
			t.Fatalf("Modulations() = %v, want %v", s, want)
		}
	}
	if h := HDLCModulations(); h[0] != V21 || len(h) != 13 {
		t.Errorf("HDLCModulations() = %v", h)
	}
}
