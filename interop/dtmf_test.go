package interop

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/iax"
)

// TestHylaFAXReadsDTMF: HylaFAX's faxgetty on softfax's pty, set up to
// take a DID from DTMF digits (CallIDPattern SHIELDED_DTMF: after its
// ModemRingResponse it reads digits 0-9, '*' and '#' from the modem), gets
// the digits an IAX2 caller sends while the call rings, '*' and '#'
// included (iaxmodem shows them as "DTMF=-6" and "DTMF=-13", which
// HylaFAX reads as '6', '1', '3'), and answers.
func TestHylaFAXReadsDTMF(t *testing.T) {
	r := newRig(t, "uucp:uucp")
	h := newHylaFAX(t, r.dir, "spool", r.softfaxLine(), "ModemRingResponse:\tAT\n"+
		"CallIDPattern:\t\tSHIELDED_DTMF\nCallIDAnswerLength:\t4\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	caller, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Formats: []iax.Format{iax.FormatSLinear}})
	if err != nil {
		t.Fatal(err)
	}
	defer caller.Close()
	c, err := caller.Dial(iax.DialParams{Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(r.ourPort)),
		Called: "5550100", CallingNumber: "5550300", CallingName: "DTMF Test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Hangup(iax.CauseNormalClearing)
	waitCall(t, c, iax.EventRinging, 10*time.Second)
	// faxgetty answers RING with its ModemRingResponse and reads results
	// until OK, then digits for 10 s: send them once it listens for
	// digits (lines before its OK are taken as results and lost).
	time.Sleep(3 * time.Second)
	for _, d := range "*12#" {
		if err := c.SendDTMF(d); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitCall(t, c, iax.EventAnswered, 20*time.Second)
	c.Hangup(iax.CauseNormalClearing)

	var logs string
	// The call IDs in the order of the CallIDPatterns: NMBR, NAME, ANID,
	// NDID, then the DTMF digits.
	want := regexp.MustCompile(`CallID: "5550300" "DTMF Test" "[^"]*" "5550100" "\*12#"`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if logs = h.SessionLogs(nil); want.MatchString(logs) {
			break
		}
	}
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "DTMF") || strings.Contains(l, "CallID") {
			t.Logf("HylaFAX: %s", l)
		}
	}
	if !want.MatchString(logs) {
		t.Errorf("HylaFAX's session log has no CallID line matching %s", want)
	}
}

// waitCall waits for an event of the call, failing the test if the call
// ends first.
func waitCall(t *testing.T, c *iax.Call, kind iax.EventKind, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok || ev.Kind == iax.EventHangup {
				t.Fatalf("call ended (cause %v) waiting for %v", ev.Cause, kind)
			}
			if ev.Kind == kind {
				return
			}
		case <-timeout:
			t.Fatalf("no %v within %v", kind, d)
		}
	}
}
