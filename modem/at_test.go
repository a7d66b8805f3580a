package modem

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakePhone records what the DCE asks of the telephone side.
type fakePhone struct {
	log []string
}

func (p *fakePhone) Dial(r DialRequest) {
	p.log = append(p.log, "dial "+r.Number+" "+r.CallerName+"/"+r.CallerNumber)
}
func (p *fakePhone) Answer()             { p.log = append(p.log, "answer") }
func (p *fakePhone) Hangup()             { p.log = append(p.log, "hangup") }
func (p *fakePhone) SendDTMF(digit rune) { p.log = append(p.log, "dtmf "+string(digit)) }

// runTranscript plays a transcript against d. Lines are
//
//	-> bytes the DTE writes (Go string escapes, e.g. "ATZ\r")
//	<- the exact bytes the DCE has answered since the previous "<-"
//	!  an action on the telephone side: "offer NAME NUMBER DID",
//	   "ring", "answered", "busy", "rejected", "noanswer", "ended",
//	   "dtmf DIGITS" (each sent by the far end)
//	=  a check of the phone log: "= dial 1234 /"
//	~N run N ms of silent audio through the engine
func runTranscript(t *testing.T, d *DCE, ph *fakePhone, script string) {
	t.Helper()
	unq := func(s string) string {
		u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
		if err != nil {
			t.Fatalf("bad transcript line %q: %v", s, err)
		}
		return u
	}
	phoneSeen := 0
	for n, raw := range strings.Split(strings.TrimSpace(script), "\n") {
		l := strings.TrimSpace(raw)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		switch {
		case strings.HasPrefix(l, "->"):
			if _, err := d.Write([]byte(unq(strings.TrimPrefix(l[2:], " ")))); err != nil {
				t.Fatalf("line %d: write: %v", n+1, err)
			}
		case strings.HasPrefix(l, "<-"):
			want := unq(strings.TrimPrefix(l[2:], " "))
			if got := string(d.Pending()); got != want {
				t.Fatalf("line %d: after %q\n got %q\nwant %q", n+1, l, got, want)
			}
		case strings.HasPrefix(l, "!"):
			f := strings.Fields(l[1:])
			switch f[0] {
			case "offer":
				cid := CallerID{Time: time.Date(2026, 11, 26, 4, 59, 0, 0, time.UTC)}
				if len(f) > 3 {
					cid.Name, cid.Number, cid.DID = strings.ReplaceAll(f[1], "_", " "), f[2], f[3]
					if cid.Name == "-" {
						cid.Name = ""
					}
				}
				if !d.Offer(cid) {
					t.Fatalf("line %d: call refused", n+1)
				}
			case "refused":
				if d.Offer(CallerID{}) {
					t.Fatalf("line %d: call accepted, want refused", n+1)
				}
			case "ring":
				d.Ring()
			case "answered":
				d.Progress(CallAnswered)
			case "busy":
				d.Progress(CallBusy)
			case "rejected":
				d.Progress(CallRejected)
			case "noanswer":
				d.Progress(CallNoAnswer)
			case "ended":
				d.Progress(CallEnded)
			case "dtmf":
				for _, c := range f[1] {
					d.DTMF(c)
				}
			default:
				t.Fatalf("line %d: unknown action %q", n+1, f[0])
			}
		case strings.HasPrefix(l, "="):
			want := strings.TrimSpace(l[1:])
			var got string
			if phoneSeen < len(ph.log) {
				got = ph.log[phoneSeen]
				phoneSeen++
			}
			if got != want {
				t.Fatalf("line %d: phone did %q, want %q (log %q)", n+1, got, want, ph.log)
			}
		case strings.HasPrefix(l, "~"):
			ms, _ := strconv.Atoi(l[1:])
			buf := make([]int16, 160)
			for i := 0; i < ms/20; i++ {
				clear(buf)
				d.Receive(buf)
				d.Transmit(buf)
			}
		default:
			t.Fatalf("line %d: bad transcript line %q", n+1, l)
		}
	}
	if rest := d.Pending(); len(rest) != 0 {
		t.Fatalf("unexpected output at the end: %q", rest)
	}
}

func newTestDCE(id Identity) (*DCE, *fakePhone) {
	ph := &fakePhone{}
	d := NewDCE(DCEConfig{Identity: id, Phone: ph})
	d.SetAttached(true)
	return d, ph
}

// TestHylaFAXInit reproduces faxgetty's initialisation of iaxmodem byte for
// byte (shared/reference/hylafax-class1-recv.txt, section 2: the re-init
// after a call, and the first init of hylafax-class1-init.txt), command and
// CR written separately as HylaFAX does.
func TestHylaFAXInit(t *testing.T) {
	d, ph := newTestDCE(IaxmodemIdentity)
	runTranscript(t, d, ph, `
		-> ATZ
		-> \r
		<- ATZ\r\r\nOK\r\n
		-> AT+VCID=1
		-> \r
		<- AT+VCID=1\r\r\nOK\r\n
		-> ATS0=0
		-> \r
		<- ATS0=0\r\r\nOK\r\n
		-> ATE0
		-> \r
		<- ATE0\r\r\nOK\r\n
		-> ATV1
		-> \r
		<- \r\nOK\r\n
		-> ATQ0
		-> \r
		<- \r\nOK\r\n
		-> ATS8=2
		-> \r
		<- \r\nOK\r\n
		-> ATS7=60
		-> \r
		<- \r\nOK\r\n
		-> AT+FCLASS=?
		-> \r
		<- \r\n0,1,1.0\r\n\r\nOK\r\n
		-> AT+FCLASS=1
		-> \r
		<- \r\nOK\r\n
		-> ATI3
		-> \r
		<- \r\nwww.soft-switch.org\r\n\r\nOK\r\n
		-> ATI0
		-> \r
		<- \r\nspandsp\r\n\r\nOK\r\n
		-> AT+FTM=?
		-> \r
		<- \r\n24,48,72,73,74,96,97,98,121,122,145,146\r\n\r\nOK\r\n
		-> AT+FRM=?
		-> \r
		<- \r\n24,48,72,73,74,96,97,98,121,122,145,146\r\n\r\nOK\r\n
		-> ATM0
		-> \r
		<- \r\nOK\r\n
		-> AT+FAR=1
		-> \r
		<- \r\nOK\r\n
		# A second init after a call: ATZ is not echoed (E0 still on when
		# it arrives), then echo is back on.
		-> ATZ
		-> \r
		<- \r\nOK\r\n
		-> AT+VCID=1
		-> \r
		<- AT+VCID=1\r\r\nOK\r\n
		-> ATH0\r
		<- ATH0\r\r\nOK\r\n
	`)
	if !d.st.echo || d.st.vcid != 1 || d.st.far {
		t.Errorf("settings after ATZ, AT+VCID=1: %+v", d.st)
	}
}

// TestEfaxInit is efax's dialogue (shared/reference/efax-class1.txt).
func TestEfaxInit(t *testing.T) {
	d, ph := newTestDCE(IaxmodemIdentity)
	runTranscript(t, d, ph, `
		-> ATQ0V1\r
		<- ATQ0V1\r\r\nOK\r\n
		-> ATZ\r
		<- ATZ\r\r\nOK\r\n
		-> AT&FE0&D2S7=120\r
		<- AT&FE0&D2S7=120\r\r\nOK\r\n
		-> AT&C0\r
		<- \r\nOK\r\n
		-> ATM1L0\r
		<- \r\nOK\r\n
		-> ATE0\r
		<- \r\nOK\r\n
		-> ATI3\r
		<- \r\nwww.soft-switch.org\r\n\r\nOK\r\n
		-> AT+FCLASS=1\r
		<- \r\nOK\r\n
		-> AT+FTM=?\r
		<- \r\n24,48,72,73,74,96,97,98,121,122,145,146\r\n\r\nOK\r\n
		-> ATS0=1\r
		<- \r\nOK\r\n
	`)
	if d.st.s[7] != 120 || d.st.s[0] != 1 {
		t.Errorf("S7=%d S0=%d", d.st.s[7], d.st.s[0])
	}
}

// TestCommands covers queries, numeric results and errors.
func TestCommands(t *testing.T) {
	tests := []struct{ name, script string }{
		{"queries", `
			-> ATE0\r
			<- ATE0\r\r\nOK\r\n
			-> AT+FCLASS?\r
			<- \r\n0\r\n\r\nOK\r\n
			-> AT+FTH=3\r
			<- \r\nERROR\r\n
			-> AT+FCLASS=1.0;+FCLASS?\r
			<- \r\n1.0\r\n\r\nOK\r\n
			-> AT+FTH=?\r
			<- \r\n3\r\n\r\nOK\r\n
			-> AT+FRH=?;+FTS=?;+FRS=?\r
			<- \r\n3\r\n\r\n0-255\r\n\r\n0-255\r\n\r\nOK\r\n
			-> AT+FAR=?\r
			<- \r\n0,1\r\n\r\nOK\r\n
			-> AT+FAR=1;+FAR?\r
			<- \r\n1\r\n\r\nOK\r\n
			-> ATS0?\r
			<- \r\n000\r\n\r\nOK\r\n
			-> ats0=1s0?\r
			<- \r\n001\r\n\r\nOK\r\n
			-> AT+VCID=?;+VRID=?\r
			<- \r\n0,1\r\n\r\n0,1\r\n\r\nOK\r\n
			-> AT+IPR?\r
			<- \r\n+IPR:0\r\n\r\nOK\r\n
			-> AT+FPR=?\r
			<- \r\n115200\r\n\r\nOK\r\n
			-> AT+FMI?;+FMM?;+FMR?\r
			<- \r\nwww.soft-switch.org\r\n\r\nspandsp\r\n\r\n0.0.5\r\n\r\nOK\r\n
			-> AT+FCLASS=2\r
			<- \r\nERROR\r\n
			-> AT+FCLASS=8\r
			<- \r\nERROR\r\n
			-> ATI1\r
			<- \r\n0.0.5\r\n\r\nOK\r\n
			-> ATI10\r
			<- \r\nERROR\r\n
			-> AT&K3&C1&D2+IFC=2,2;+FLO=2;X4M0L0\r
			<- \r\nOK\r\n
			-> AT+IFC?\r
			<- \r\n+IFC:2,2\r\n\r\nOK\r\n
			-> ATBOGUS\r
			<- \r\nERROR\r\n
			-> AT+BOGUS\r
			<- \r\nERROR\r\n
			-> AT+FCL=20;+FCL?;+FIT=30,1;+FIT?;+FDD=1\r
			<- \r\n20\r\n\r\n30,1\r\n\r\nOK\r\n
		`},
		{"numeric and quiet", `
			-> ATE0V0\r
			<- ATE0V0\r0\r
			-> ATO\r
			<- 4\r
			-> ATI3\r
			<- softfax\r\n0\r
			-> ATQ1\r
			<- 
			-> ATQ0V1\r
			<- \r\nOK\r\n
		`},
		{"line editing and repeat", `
			-> ATE0\r
			<- ATE0\r\r\nOK\r\n
			-> junk\nAT S7=3\x0845\r
			<- \r\nOK\r\n
			-> A/
			<- \r\nOK\r\n
			-> AT\r
			<- \r\nOK\r\n
			-> at+fclass=1\r
			<- \r\nOK\r\n
			-> AT+FTM=96\r
			<- \r\nERROR\r\n
			-> AT+FTM=3\r
			<- \r\nERROR\r\n
			-> AT+FTM=147\r
			<- \r\nERROR\r\n
			-> ATO\r
			<- \r\nERROR\r\n
			-> ATA\r
			<- \r\nERROR\r\n
		`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := IaxmodemIdentity
			if tt.name == "numeric and quiet" {
				id = DefaultIdentity
			}
			d, ph := newTestDCE(id)
			runTranscript(t, d, ph, tt.script)
		})
	}
}

// TestCalls covers caller ID presentation, RING cadence, auto-answer,
// ATH1 busy-out and the results of call progress.
func TestCalls(t *testing.T) {
	runTranscripts(t, []transcript{
		{"caller id and ATA", `
			-> ATE0+FCLASS=1;+VCID=1\r
			<- ATE0+FCLASS=1;+VCID=1\r\r\nOK\r\n
			! offer Jane_Roe 8005551313 1234
			<- \r\nDATE=1126\r\n\r\nTIME=0459\r\n\r\nNAME=Jane Roe\r\n\r\nNMBR=8005551313\r\n\r\nNDID=1234\r\n\r\nRING\r\n
			! ring
			<- \r\nRING\r\n
			-> ATA\r
			= answer
			~3000
			~700
			<- \r\nCONNECT\r\n
			! ended
			<- \r\nNO CARRIER\r\n
			! ring
		`},
		{"no caller id, auto-answer on second ring", `
			-> ATE0+FCLASS=1;S0=2\r
			<- ATE0+FCLASS=1;S0=2\r\r\nOK\r\n
			! offer Jane_Roe 8005551313 1234
			<- \r\nRING\r\n
			! ring
			<- \r\nRING\r\n
			= answer
			-> AT\r
			= hangup
			<- \r\nNO CARRIER\r\n
		`},
		{"caller gives up", `
			-> ATE0+VCID=1\r
			<- ATE0+VCID=1\r\r\nOK\r\n
			! offer - 5551000 5550200
			<- \r\nDATE=1126\r\n\r\nTIME=0459\r\n\r\nNAME=<NONE>\r\n\r\nNMBR=5551000\r\n\r\nNDID=5550200\r\n\r\nRING\r\n
			! ended
			! ring
			-> AT+VRID=0\r
			<- \r\nDATE=1126\r\n\r\nTIME=0459\r\n\r\nNAME=<NONE>\r\n\r\nNMBR=5551000\r\n\r\nNDID=5550200\r\n\r\nOK\r\n
		`},
		{"busy-out", `
			-> ATE0H1\r
			<- ATE0H1\r\r\nOK\r\n
			! refused
			-> ATH0\r
			<- \r\nOK\r\n
			! offer a b c
			<- \r\nRING\r\n
		`},
		{"dial busy", `
			-> ATE0+FCLASS=1\r
			<- ATE0+FCLASS=1\r\r\nOK\r\n
			-> ATDT5551234\r
			= dial 5551234 /
			! busy
			= hangup
			<- \r\nBUSY\r\n
		`},
		{"dial rejected, no answer", `
			-> ATE0+FCLASS=1;+VSID="Fax","5550100"\r
			<- ATE0+FCLASS=1;+VSID="Fax","5550100"\r\r\nOK\r\n
			-> ATD 555-1234\r
			= dial 5551234 Fax/5550100
			! rejected
			= hangup
			<- \r\nNO DIALTONE\r\n
			-> ATDP1\r
			= dial 1 Fax/5550100
			! noanswer
			= hangup
			<- \r\nNO ANSWER\r\n
		`},
		{"dial, pauses and DTMF, command mode", `
			-> ATE0+FCLASS=1;S8=1\r
			<- ATE0+FCLASS=1;S8=1\r\r\nOK\r\n
			-> ATDT9,*1#;\r
			= dial 9 /
			! answered
			~1000
			= dtmf *
			~100
			= dtmf 1
			~100
			= dtmf #
			<- \r\nOK\r\n
			-> ATH\r
			= hangup
			<- \r\nOK\r\n
		`},
		{"dial, far fax silent until S7", `
			-> ATE0+FCLASS=1;S7=1\r
			<- ATE0+FCLASS=1;S7=1\r\r\nOK\r\n
			-> ATDT1234\r
			= dial 1234 /
			! answered
			~1100
			= hangup
			<- \r\nNO CARRIER\r\n
		`},
		{"dial aborted by a key", `
			-> ATE0+FCLASS=1\r
			<- ATE0+FCLASS=1\r\r\nOK\r\n
			-> ATDT1234\r
			= dial 1234 /
			-> x
			= hangup
			<- \r\nNO CARRIER\r\n
		`},
		{"class 1 needs a call", `
			-> ATE0+FCLASS=1\r
			<- ATE0+FCLASS=1\r\r\nOK\r\n
			-> AT+FRH=3\r
			<- \r\nERROR\r\n
			-> ATD\r
			<- \r\nERROR\r\n
		`},
	})
}

// transcript is a named script for runTranscript.
type transcript struct{ name, script string }

// runTranscripts runs each script as a subtest on a new DCE that answers
// as iaxmodem does.
func runTranscripts(t *testing.T, tests []transcript) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ph := newTestDCE(IaxmodemIdentity)
			runTranscript(t, d, ph, tt.script)
		})
	}
}

// TestDetachedRefusesCalls: with no DTE on the port, calls are refused and
// nothing is queued for it.
func TestDetachedRefusesCalls(t *testing.T) {
	d := NewDCE(DCEConfig{})
	if d.Available() || d.Offer(CallerID{Number: "1"}) {
		t.Fatal("call offered to a DCE without a DTE")
	}
	d.SetAttached(true)
	if !d.Offer(CallerID{Number: "1"}) {
		t.Fatal("call refused with a DTE attached")
	}
	if d.Available() {
		t.Error("available during a call")
	}
	d.SetAttached(false)
	if len(d.Pending()) != 0 {
		t.Error("output kept for a detached DTE")
	}
	d.Ring()
	if len(d.Pending()) != 0 {
		t.Error("output queued for a detached DTE")
	}
}
