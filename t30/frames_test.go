package t30

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/softfax/softfax/modem"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDISGolden checks DIS fields against frames captured from spandsp
// (shared/reference/asterisk-fax.txt) and hand-built from T.30 Table 2.
func TestDISGolden(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		dis  DIS
	}{
		{
			// spandsp's DIS in the Asterisk trace: "ff 13 80 00 6e 78".
			// Bit 10 receiver; bits 11-14 = 1101 (V.27 ter, V.29, V.17);
			// bit 15 R8x7.7; bit 20 unlimited length; bits 21-23 = 111 (0 ms).
			"spandsp", "006e78",
			DIS{CanReceive: true, Modems: ModemsV27terV29V17, Fine: true, Length: LengthUnlimited, ScanTime: 0},
		},
		{
			// V.29 only (1000), MR (16), B4 (17), A4 length, 20 ms (000).
			"V.29 B4 MR", "00 86 01", DIS{CanReceive: true, Modems: ModemsV29, MR: true, Width: WidthB4, ScanTime: 20},
		},
		{
			// V.27 ter fallback only (0000), A3 (18), A4+B4 length (19),
			// 40 ms (001 → bit 23), ECM (27) and MMR (31) in octet 4.
			"ECM MMR A3", "00 02 c6 44", DIS{CanReceive: true, Modems: ModemsV27terFallback, Width: WidthA3, Length: LengthB4, ScanTime: 40, ECM: true, MMR: true},
		},
		{
			// 10 ms, T7.7 = T3.85/2 (011 → bits 22, 23); polling (9); V.27 ter
			// 4800 (0100 → bit 12).
			"half scan", "00 09 60", DIS{ReadyToTransmit: true, Modems: ModemsV27ter, ScanTime: 10, ScanTimeHalfFine: true},
		},
		{
			// Superfine (41), subaddress (49) and password (50) need octets
			// 4-7 with their extend bits (24, 32, 40, 48).
			"superfine sub pwd", "00 6e f8 80 80 81 03",
			DIS{CanReceive: true, Modems: ModemsV27terV29V17, Fine: true, Length: LengthUnlimited, Superfine: true, Subaddressing: true, Password: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, stripSpaces(tt.hex))
			var d DIS
			if err := d.Unmarshal(want); err != nil {
				t.Fatal(err)
			}
			if d != tt.dis {
				t.Errorf("Unmarshal = %+v\nwant        %+v", d, tt.dis)
			}
			got, err := tt.dis.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal = % x, want % x", got, want)
			}
		})
	}
}

func stripSpaces(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }

// TestDCSGolden: spandsp's DCS "ff 13 83 00 62 78" (V.17 14400 = 0001 in
// bits 11-14, R8x7.7, unlimited length, 0 ms) and every rate code of
// T.30 Table 2.
func TestDCSGolden(t *testing.T) {
	var d DCS
	if err := d.Unmarshal(unhex(t, "006278")); err != nil {
		t.Fatal(err)
	}
	want := DCS{Modulation: modem.V17_14400, Fine: true, Length: LengthUnlimited, ScanTime: 0}
	if d != want {
		t.Errorf("got %+v, want %+v", d, want)
	}
	rates := []struct {
		m    modem.Modulation
		bits string // bits 11, 12, 13, 14 as Table 2 prints them
	}{
		{modem.V27ter2400, "0000"}, {modem.V27ter4800, "0100"},
		{modem.V29_9600, "1000"}, {modem.V29_7200, "1100"},
		{modem.V17_14400, "0001"}, {modem.V17_12000, "0101"},
		{modem.V17_9600, "1001"}, {modem.V17_7200, "1101"},
	}
	for _, r := range rates {
		info, err := DCS{Modulation: r.m, ScanTime: 20}.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		f := fif(info)
		got := ""
		for b := 11; b <= 14; b++ {
			if f.bit(b) {
				got += "1"
			} else {
				got += "0"
			}
		}
		if got != r.bits {
			t.Errorf("%v: bits 11-14 = %s, want %s", r.m, got, r.bits)
		}
		if !f.bit(10) {
			t.Errorf("%v: DCS bit 10 (receiver fax operation) not set", r.m)
		}
		var back DCS
		if err := back.Unmarshal(info); err != nil || back.Modulation != r.m {
			t.Errorf("%v: round trip %v %v", r.m, back.Modulation, err)
		}
	}
}

func TestDCSRoundTrip(t *testing.T) {
	tests := []DCS{
		{Modulation: modem.V29_9600, MR: true, Width: WidthB4, Length: LengthB4, ScanTime: 10},
		{Modulation: modem.V17_12000, ECM: true, Frame64: true, MMR: true, Superfine: true, Width: WidthA3, Length: LengthUnlimited, ScanTime: 0},
		{Modulation: modem.V27ter4800, ScanTime: 40, Fine: true, Inch: true},
		{Modulation: modem.V17_7200, ECM: true, ScanTime: 5, Metric: true, R16: true, Res300: true},
		{Modulation: modem.V17_9600, ScanTime: 20, SubAddress: true, SenderID: true}, // bits 49, 50
	}
	for _, d := range tests {
		info, err := d.Marshal()
		if err != nil {
			t.Fatalf("%+v: %v", d, err)
		}
		var back DCS
		if err := back.Unmarshal(info); err != nil {
			t.Fatal(err)
		}
		if back != d {
			t.Errorf("round trip\n got %+v\nwant %+v (% x)", back, d, info)
		}
	}
	if _, err := (DCS{Modulation: modem.V17_14400, MMR: true}).Marshal(); err == nil {
		t.Error("MMR without ECM marshalled")
	}
	if _, err := (DCS{Modulation: modem.V17_14400Short}).Marshal(); err == nil {
		t.Error("a short-train code marshalled as a DCS rate")
	}
}

func TestDISIgnoresMMRWithoutECM(t *testing.T) {
	info, _ := DIS{Modems: ModemsV29, MMR: true, ECM: true}.Marshal()
	f := fif(info)
	f[3] &^= 1 << 2 // clear bit 27 (ECM)
	var d DIS
	if err := d.Unmarshal(info); err != nil {
		t.Fatal(err)
	}
	if d.MMR || d.ECM {
		t.Errorf("MMR=%v ECM=%v, want both false (T.30: MMR needs ECM)", d.MMR, d.ECM)
	}
}

// TestDISExtend: octets after one whose extend bit is 0 are not part of
// the field.
func TestDISExtend(t *testing.T) {
	var d DIS
	if err := d.Unmarshal(unhex(t, "006e78ff")); err != nil {
		t.Fatal(err)
	}
	if d.ECM || d.MMR {
		t.Errorf("bits of an octet past the extend bit were read: %+v", d)
	}
	if err := d.Unmarshal([]byte{0, 0x6e}); err == nil {
		t.Error("a 2-octet DIS was accepted")
	}
}

func TestFrame(t *testing.T) {
	tests := []struct {
		raw   string
		frame Frame
		name  string
	}{
		{"ff1380006e78", Frame{Final: true, FCF: FCFDIS, Info: []byte{0, 0x6e, 0x78}}, "DIS 00 6E 78"},
		{"ff1384", Frame{Final: true, FCF: FCFCFR}, "CFR"},
		{"ff13fb", Frame{Final: true, FCF: FCFDCN | 1}, "DCN+X"},
		{"ff032f", Frame{FCF: FCFEOP | 1}, "EOP+X"},
		{"ff1381", Frame{Final: true, FCF: FCFDTC}, "DTC"},
	}
	for _, tt := range tests {
		raw := unhex(t, tt.raw)
		var f Frame
		if err := f.Unmarshal(raw); err != nil {
			t.Fatal(err)
		}
		if f.Final != tt.frame.Final || f.FCF != tt.frame.FCF || !bytes.Equal(f.Info, tt.frame.Info) {
			t.Errorf("%s: got %+v", tt.raw, f)
		}
		if f.String() != tt.name {
			t.Errorf("%s: String = %q, want %q", tt.raw, f.String(), tt.name)
		}
		if got := f.Marshal(); !bytes.Equal(got, raw) {
			t.Errorf("Marshal = % x, want % x", got, raw)
		}
	}
	for _, bad := range []string{"", "ff", "ff13", "fe1380", "ff2380"} {
		var f Frame
		if err := f.Unmarshal(unhex(t, bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if FCFDTC.Code() != FCFDTC || (FCFMCF|1).Code() != FCFMCF {
		t.Error("Code() mixes the X bit and the DTC group bit")
	}
}

// TestID: identities are sent last character first, padded with spaces
// (T.30 §5.3.6.2.4), as the spandsp trace shows for "+1 555 0100".
func TestID(t *testing.T) {
	want := unhex(t, "303031302035353520312b202020202020202020")
	if got := MarshalID("+1 555 0100"); !bytes.Equal(got, want) {
		t.Errorf("MarshalID = % x, want % x", got, want)
	}
	id, err := UnmarshalID(want)
	if err != nil || id != "+1 555 0100" {
		t.Errorf("UnmarshalID = %q, %v", id, err)
	}
	if got := MarshalID("123456789012345678901234"); len(got) != IDLen {
		t.Errorf("long id: %d octets", len(got))
	}
	if _, err := UnmarshalID(make([]byte, 21)); err == nil {
		t.Error("21-octet identity accepted")
	}
}

// TestFlagsRoundTrip sets each one-bit field of DIS and DCS alone: it
// goes on the line as its Table 2 bit and comes back, and no other field
// changes.
func TestFlagsRoundTrip(t *testing.T) {
	for i := range (&DIS{}).flags() {
		d := DIS{Modems: ModemsV29}
		fl := d.flags()[i]
		*fl.v = true
		if fl.bit == bitMMR {
			d.ECM = true // MMR is read only with ECM
		}
		info, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var back DIS
		if err := back.Unmarshal(info); err != nil || back != d || !fif(info).bit(fl.bit) {
			t.Errorf("DIS bit %d: % x, back %+v, %v", fl.bit, info, back, err)
		}
	}
	for i := range (&DCS{}).flags() {
		d := DCS{Modulation: modem.V29_9600}
		fl := d.flags()[i]
		*fl.v = true
		if fl.bit == bitMMR {
			d.ECM = true
		}
		info, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var back DCS
		if err := back.Unmarshal(info); err != nil || back != d || !fif(info).bit(fl.bit) {
			t.Errorf("DCS bit %d: % x, back %+v, %v", fl.bit, info, back, err)
		}
	}
}
