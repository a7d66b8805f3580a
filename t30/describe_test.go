package t30

import (
	"testing"

	"github.com/softfax/softfax/modem"
)

func TestDescribeDIS(t *testing.T) {
	cases := []struct {
		dis  DIS
		want string
	}{
		{DIS{CanReceive: true, Modems: ModemsV27terV29V17, Fine: true, Superfine: true, MR: true, MMR: true, ECM: true,
			Width: WidthA4, Length: LengthUnlimited, ScanTime: 0},
			"V.17/V.29/V.27ter, standard/fine/superfine, MH/MR/MMR, ECM, up to A4, unlimited length, scan time 0 ms"},
		{DIS{CanReceive: true, Modems: ModemsV27ter, Width: WidthB4, Length: LengthB4, ScanTime: 20, ScanTimeHalfFine: true,
			Frame64: true, ECM: true, Subaddressing: true, Password: true},
			"V.27ter, standard, MH, ECM (64-octet frames preferred), up to B4, B4 length, scan time 20 ms (half at fine), subaddressing, password"},
		{DIS{ReadyToTransmit: true, Modems: ModemsV29, Length: LengthA4, ScanTime: 40},
			"V.29, standard, MH, no ECM, up to A4, A4 length, scan time 40 ms, cannot receive, has a document to poll"},
	}
	for _, tc := range cases {
		if got := tc.dis.Describe(); got != tc.want {
			t.Errorf("Describe:\n got %q\nwant %q", got, tc.want)
		}
		// What is described survives the wire.
		b, err := tc.dis.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var back DIS
		if err := back.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if got := back.Describe(); got != tc.want {
			t.Errorf("after Marshal/Unmarshal:\n got %q\nwant %q", got, tc.want)
		}
	}
}

func TestDescribeDCS(t *testing.T) {
	cases := []struct {
		dcs  DCS
		want string
	}{
		{DCS{Modulation: modem.V17_14400, Fine: true, ECM: true, MMR: true, Length: LengthUnlimited},
			"V.17 14400, fine, MMR, ECM 256-octet frames, A4, unlimited length, scan time 0 ms"},
		{DCS{Modulation: modem.V29_7200, MR: true, ECM: true, Frame64: true, Width: WidthB4, ScanTime: 10},
			"V.29 7200, standard, MR, ECM 64-octet frames, B4, A4 length, scan time 10 ms"},
		{DCS{Modulation: modem.V27ter2400, Superfine: true, ScanTime: 20},
			"V.27ter 2400, superfine, MH, no ECM, A4, A4 length, scan time 20 ms"},
		{DCS{Modulation: modem.V17_9600, SubAddress: true, SenderID: true},
			"V.17 9600, standard, MH, no ECM, A4, A4 length, scan time 0 ms, SUB follows, SID follows"},
	}
	for _, tc := range cases {
		if got := tc.dcs.Describe(); got != tc.want {
			t.Errorf("Describe:\n got %q\nwant %q", got, tc.want)
		}
	}
}

func TestDescribeNames(t *testing.T) {
	for v, want := range map[string]string{
		LengthA4.String(): "A4 length", LengthB4.String(): "B4 length", LengthUnlimited.String(): "unlimited length",
		Length(9).String(): "length(9)", ModemsV27terFallback.String(): "V.27ter 2400", ModemsV27terV29.String(): "V.29/V.27ter",
		ModemSet(9).String(): "modems(9)",
	} {
		if v != want {
			t.Errorf("%q, want %q", v, want)
		}
	}
}
