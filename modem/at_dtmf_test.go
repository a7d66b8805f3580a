package modem

import "testing"

// TestDTMFFromFarEnd: DTMF digits from the far end reach a DTE in command
// state as "DTMF=<digit>" lines, '*', '#' and A-D as themselves (iaxmodem
// shows '*' as "DTMF=-6" and '#' as "DTMF=-13"); online they are not shown,
// nor without a call; digits that are no DTMF are ignored.
func TestDTMFFromFarEnd(t *testing.T) {
	runTranscripts(t, []transcript{
		{"ringing, on hook", `
			-> ATE0+FCLASS=1\r
			<- ATE0+FCLASS=1\r\r\nOK\r\n
			! offer Jane_Roe 8005551313 1234
			<- \r\nRING\r\n
			! dtmf *12#
			<- \r\nDTMF=*\r\n\r\nDTMF=1\r\n\r\nDTMF=2\r\n\r\nDTMF=#\r\n
			! dtmf ABCDabcd09
			<- \r\nDTMF=A\r\n\r\nDTMF=B\r\n\r\nDTMF=C\r\n\r\nDTMF=D\r\n\r\nDTMF=A\r\n\r\nDTMF=B\r\n\r\nDTMF=C\r\n\r\nDTMF=D\r\n\r\nDTMF=0\r\n\r\nDTMF=9\r\n
			# Not DTMF: ignored.
			! dtmf xE!,
			! ended
			# No call: nothing to report.
			! dtmf 5
		`},
		{"numeric results", `
			-> ATE0V0+FCLASS=1\r
			<- ATE0V0+FCLASS=1\r0\r
			! offer a b c
			<- 2\r
			! dtmf #7
			<- DTMF=#\r\nDTMF=7\r\n
		`},
		{"off hook, command state after ATD;", `
			-> ATE0+FCLASS=1\r
			<- ATE0+FCLASS=1\r\r\nOK\r\n
			-> ATDT5551234;\r
			= dial 5551234 /
			# Dialling: online, not shown.
			! dtmf 1
			! answered
			<- \r\nOK\r\n
			! dtmf *
			<- \r\nDTMF=*\r\n
			# In a Class 1 operation the DTE reads frames: not shown.
			-> AT+FRH=3\r
			! dtmf #
			-> x
			~20
			<- \r\nOK\r\n
			! dtmf #
			<- \r\nDTMF=#\r\n
			-> ATH\r
			= hangup
			<- \r\nOK\r\n
		`},
	})
}

// TestDTMFReport checks DTMF's result: shown or not, by state.
func TestDTMFReport(t *testing.T) {
	d, _ := newTestDCE(DefaultIdentity)
	if d.DTMF('1') {
		t.Error("a digit without a call was shown")
	}
	d.Offer(CallerID{})
	if !d.DTMF('#') || !d.DTMF('d') {
		t.Error("digits during ringing were not shown")
	}
	if d.DTMF('E') || d.DTMF(0) || d.DTMF(-1) {
		t.Error("a non-DTMF digit was shown")
	}
}
