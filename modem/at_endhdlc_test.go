package modem

import "testing"

// TestDCEEndHDLCAlone: <DLE><ETX> with no frame after +FTH CONNECT ends
// the transmission with closing flags (the far +FRH=3 hears CONNECT, then
// NO CARRIER), not with an abort that would cut the carrier at once.
func TestDCEEndHDLCAlone(t *testing.T) {
	x := newExchange()
	ok := "\r\nOK\r\n"
	sender := &scriptedDTE{name: "sender", d: x.a, steps: []dteStep{
		{"", "ATE0+FCLASS=1\r"}, {ok, "ATDT5550200\r"},
		{"\r\nCONNECT\r\n", ""}, {string(frameCSI), ""}, {"\x10\x03" + ok, "AT+FRH=3\r"},
		{"\r\nCONNECT\r\n", ""}, {string(frameDIS), ""}, {"\x10\x03" + ok, "AT+FTH=3\r"},
		{"\r\nCONNECT\r\n", "\x10\x03"}, {ok, "ATH0\r"}, {ok, ""},
	}}
	receiver := &scriptedDTE{name: "receiver", d: x.b, steps: []dteStep{
		{"", "ATE0+FCLASS=1;S0=1\r"}, {ok, ""},
		{"\r\nRING\r\n", ""}, {"\r\nCONNECT\r\n", shielded(frameCSI)}, {"\r\nCONNECT\r\n", shielded(frameDIS)},
		{ok, "AT+FRH=3\r"}, {"\r\nCONNECT\r\n", ""}, {"\r\nNO CARRIER\r\n", ""},
	}}
	runPair(t, x, sender, receiver, 30)
}
