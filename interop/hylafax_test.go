package interop

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/hylafaxtest"
	"github.com/softfax/softfax/internal/peer"
	"github.com/softfax/softfax/t4"
)

// newHylaFAX starts a HylaFAX (internal/hylafaxtest) on the modem at dev,
// with its spool in dir/spoolName, at the modems' priority (see efaxArgs).
func newHylaFAX(t *testing.T, dir, spoolName string, l faxLine, extra string) *hylafaxtest.Server {
	t.Helper()
	return hylafaxtest.Start(t, hylafaxtest.Options{Dir: dir, Name: spoolName, Device: l.dev,
		FAXNumber: l.hylafaxNumber(), LocalIdentifier: l.id, Extra: extra, Nice: -10})
}

// hylaFAXOnSoftfax starts a rig with HylaFAX on softfax's pty (extra: more
// modem config) and writes a three-page test document.
func hylaFAXOnSoftfax(t *testing.T, extra string) (*rig, *hylafaxtest.Server, []*t4.Page, string) {
	t.Helper()
	r := newRig(t, "uucp:uucp")
	h := newHylaFAX(t, r.dir, "spool", r.softfaxLine(), extra)
	src, doc := testDocument(t, r.dir, 3)
	return r, h, src, doc
}

// TestHylaFAXSendThroughSoftfax: HylaFAX (faxq, faxsend through faxgetty's
// modem) sends three pages through softfax over IAX2 to iaxmodem, where
// efax receives them; each page must arrive with the same content.
func TestHylaFAXSendThroughSoftfax(t *testing.T) {
	peer.Require(t, "efax", "efax")
	// V.17 with and without ECM: TestHylaFAXToHylaFAXECM (efax does no
	// ECM). Here the other rate, limited by sendfax -B.
	r, h, src, doc := hylaFAXOnSoftfax(t, "Class1ECMSupport:\tno\n")
	n := len(src)

	rx := startEfaxReceiver(t, r, r.iaxmodemLine())
	time.Sleep(6 * time.Second) // iaxmodem refuses calls ~5 s after ATZ
	began := time.Now()
	out, err := h.Send(r.iaxmodemLine().number, doc, "-B", "9600")
	if err != nil {
		t.Fatalf("sendfax: %v\n%s", err, out)
	}
	t.Logf("sendfax: %s", strings.TrimSpace(string(out)))
	if _, ok := rx.Wait(150 * time.Second); !ok {
		t.Fatal("efax receive did not finish within 150 s")
	}
	took := time.Since(began)
	checkEfaxReceived(t, rx, src)
	// HylaFAX logs what it negotiated.
	time.Sleep(2 * time.Second)
	logs := h.SessionLogs(nil)
	if m := regexp.MustCompile(`SEND training at (.*)`).FindAllStringSubmatch(logs, -1); len(m) > 0 {
		t.Logf("HylaFAX: training at %s", m[len(m)-1][1])
	}
	if !strings.Contains(logs, "9600 bit/s") {
		t.Errorf("HylaFAX's session log does not mention 9600 bit/s")
	}
	t.Logf("HylaFAX -> softfax -> iaxmodem -> efax: %d pages in %v (%.1f s/page)", n, took.Round(time.Second), took.Seconds()/float64(n))
}

// TestHylaFAXReceiveThroughSoftfax: efax sends three pages through
// iaxmodem to softfax, where HylaFAX's faxgetty answers and receives.
func TestHylaFAXReceiveThroughSoftfax(t *testing.T) {
	peer.Require(t, "efax", "efax")
	r, h, src, doc := hylaFAXOnSoftfax(t, "Class1ECMSupport:\tyes\n")
	n := len(src)
	took := efaxSend(t, r, r.iaxmodemLine(), r.softfaxLine().number, doc)
	files := h.WaitReceived(t, 20*time.Second)
	if len(files) != 1 {
		t.Fatalf("received files %q, want one", files)
	}
	checkReceived(t, files[0], src, true)
	logs := h.SessionLogs(nil)
	if m := regexp.MustCompile(`RECV training at (.*)`).FindStringSubmatch(logs); m != nil {
		t.Logf("HylaFAX: training at %s", m[1])
	}
	if m := regexp.MustCompile(`CallID: (.*)`).FindStringSubmatch(logs); m != nil {
		t.Logf("HylaFAX: CallID %s", m[1])
		if !strings.Contains(m[1], "5550200") {
			t.Errorf("caller ID %s does not show iaxmodem's number 5550200", m[1])
		}
	}
	t.Logf("efax -> iaxmodem -> softfax -> HylaFAX: %d pages in %v (%.1f s/page)", n, took.Round(time.Second), took.Seconds()/float64(n))
}

// checkReceived compares the pages of a TIFF that HylaFAX received with
// src; with noBadRows its bad-row counts must be zero too.
func checkReceived(t *testing.T, file string, src []*t4.Page, noBadRows bool) {
	t.Helper()
	got := readTIFF(t, file)
	if len(got) != len(src) {
		t.Fatalf("received %d pages, want %d", len(got), len(src))
	}
	for i := range src {
		samePage(t, fmt.Sprintf("page %d", i+1), got[i].Page, src[i])
		if noBadRows && got[i].BadFaxLines != 0 {
			t.Errorf("page %d: %d bad rows", i+1, got[i].BadFaxLines)
		}
	}
}

// hylaFAXLeg is one fax between the two HylaFAXes of a rig.
type hylaFAXLeg struct {
	softfaxSends bool
	rate         string // sendfax -B: 9600 for V.29; empty: V.17 14400
	ecm          bool   // false: sendfax -E
}

func (l hylaFAXLeg) String() string {
	s := "HylaFAX -> softfax -> iaxmodem -> HylaFAX"
	if !l.softfaxSends {
		s = "HylaFAX -> iaxmodem -> softfax -> HylaFAX"
	}
	if l.rate == "9600" {
		s += ", V.29"
	} else {
		s += ", V.17"
	}
	if !l.ecm {
		return s + ", no ECM"
	}
	return s + ", ECM"
}

// TestHylaFAXToHylaFAXECM: HylaFAX on softfax's pty and a second HylaFAX
// on iaxmodem's pty fax each other two pages at a time, with ECM (HylaFAX
// does ECM's framing itself in Class 1, so the frames cross softfax as
// +FTM/+FRM data: receiving, +FRM=96 or 146 carrying ECM frames) at V.17
// 14400 and V.29 9600, softfax sending and receiving; and without ECM.
// The two rigs run in parallel (real-time calls that mostly wait), three
// faxes each. With TestHylaFAXSendThroughSoftfax (V.29, no ECM, softfax
// sending) and TestHylaFAXReceiveThroughSoftfax (V.17, no ECM, softfax
// receiving) every rate, ECM and direction is covered.
func TestHylaFAXToHylaFAXECM(t *testing.T) {
	tests := []struct {
		name string
		legs []hylaFAXLeg
	}{
		{"V.17 ECM out, V.29 in", []hylaFAXLeg{{true, "", true}, {false, "9600", true}, {false, "9600", false}}},
		{"V.29 ECM out, V.17 in and out", []hylaFAXLeg{{true, "9600", true}, {false, "", true}, {true, "", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, "uucp:uucp")
			ours := newHylaFAX(t, r.dir, "spool-softfax", r.softfaxLine(), "Class1ECMSupport:\tyes\n")
			theirs := newHylaFAX(t, r.dir, "spool-iaxmodem", r.iaxmodemLine(), "Class1ECMSupport:\tyes\n")
			src, doc := testDocument(t, r.dir, 2)
			for _, leg := range tt.legs {
				tx, rx, to := ours, theirs, r.iaxmodemLine()
				if !leg.softfaxSends {
					tx, rx, to = theirs, ours, r.softfaxLine()
				}
				// iaxmodem refuses calls for ~5 s after faxgetty's ATZ
				// and after each hangup.
				time.Sleep(6 * time.Second)
				hylaFAXToHylaFAX(t, tx, rx, to.number, doc, src, leg)
			}
		})
	}
}

// hylaFAXToHylaFAX has tx send doc (pages src) to number as leg says (at
// most at its rate, ECM or not), waits for rx to receive it, and checks
// the pages and what rx's session log says the sender's DCS chose.
func hylaFAXToHylaFAX(t *testing.T, tx, rx *hylafaxtest.Server, number, doc string, src []*t4.Page, leg hylaFAXLeg) {
	t.Helper()
	tx.WaitStatus(t, "Running and idle", 30*time.Second)
	rx.WaitStatus(t, "Running and idle", 30*time.Second)
	before, done := rx.LogFiles(), rx.Received()
	began := time.Now()
	var args []string
	if leg.rate != "" {
		args = append(args, "-B", leg.rate)
	}
	if !leg.ecm {
		args = append(args, "-E")
	}
	if out, err := tx.Send(number, doc, args...); err != nil {
		t.Fatalf("sendfax: %v\n%s", err, out)
	}
	var file string
	for deadline := time.Now().Add(150 * time.Second); file == "" && time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		for _, f := range rx.Received() {
			if !slices.Contains(done, f) && strings.Contains(rx.SessionLogs(before), "RECV FAX: end") {
				file = f
			}
		}
	}
	took := time.Since(began)
	if file == "" {
		t.Fatalf("%s: nothing received within 150 s", leg)
	}
	time.Sleep(time.Second) // faxgetty finishes the file
	checkReceived(t, file, src, false)
	logs := rx.SessionLogs(before)
	if m := regexp.MustCompile(`RECV FAX \(\d+\): from .*, page 1 in [^,]*, (.*)`).FindStringSubmatch(logs); m != nil {
		t.Logf("%s: HylaFAX received %s", leg, m[1])
	}
	wantRate := leg.rate
	if wantRate == "" {
		wantRate = "14400"
	}
	// The DCS says the rate and whether ECM was chosen; HylaFAX logs them
	// as "REMOTE wants 9600 bit/s" and "REMOTE wants T.30 Annex A, ...".
	if m := regexp.MustCompile(`REMOTE wants (\d+) bit/s`).FindAllStringSubmatch(logs, -1); len(m) == 0 || m[len(m)-1][1] != wantRate {
		t.Errorf("%s: the receiver's DCS rates %v, want %s bit/s", leg, m, wantRate)
	}
	if got := strings.Contains(logs, "REMOTE wants T.30 Annex A"); got != leg.ecm {
		t.Errorf("%s: ECM used: %v, want %v", leg, got, leg.ecm)
	}
	t.Logf("%s: %d pages in %v (%.1f s/page)", leg, len(src), took.Round(time.Second), took.Seconds()/float64(len(src)))
}
