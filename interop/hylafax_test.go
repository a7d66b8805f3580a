package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/peer"
)

// hylafax is a private HylaFAX installation: its own spool (queue
// directory) in a temporary directory, its faxq, hfaxd on its own port and
// a faxgetty on softfax's pty. Nothing of the system's spool is touched.
type hylafax struct {
	spool, tty string
	port       int
	faxgetty   *proc
}

// hylafaxConfig is the modem config, from iaxmodem's config.ttyIAX (the
// HylaFAX side of a drop-in replacement must not need changes).
const hylafaxModemConfig = `CountryCode:		1
AreaCode:		555
FAXNumber:		+1.555.555.0100
LongDistancePrefix:	1
InternationalPrefix:	011
DialStringRules:	etc/dialrules
ServerTracing:		0xFFF
SessionTracing:		0xFFF
RecvFileMode:		0644
LogFileMode:		0644
DeviceMode:		0660
RingsBeforeAnswer:	1
SpeakerVolume:		off
LocalIdentifier:	"softfax test"
MaxRecvPages:		20
ModemType:		Class1
Class1AdaptRecvCmd:	AT+FAR=1
Class1TMConnectDelay:	400
ModemResetCmds:		AT+VCID=1
CallIDPattern:		"NMBR="
CallIDPattern:		"NAME="
CallIDPattern:		"ANID="
CallIDPattern:		"NDID="
`

// newHylaFAX starts a HylaFAX on the modem at dev, with its spool in
// dir/spoolName.
func newHylaFAX(t *testing.T, dir, spoolName, dev, extra string) *hylafax {
	t.Helper()
	for _, p := range []string{"faxq", "faxgetty", "hfaxd", "sendfax"} {
		peer.Require(t, p, "hylafax-server hylafax-client")
	}
	h := &hylafax{spool: filepath.Join(dir, spoolName), tty: filepath.Base(dev), port: freeTCPPort(t)}
	for _, d := range []string{"archive", "client", "config", "dev", "docq", "doneq", "etc", "info",
		"log", "pollq", "recvq", "sendq", "status", "tmp", "bin"} {
		if err := os.MkdirAll(filepath.Join(h.spool, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The scripts and the modem prototypes of the installed HylaFAX, its
	// etc files; then our configs.
	for _, c := range [][2]string{{"/var/spool/hylafax/bin/.", "bin"}, {"/var/spool/hylafax/config/.", "config"}, {"/etc/hylafax/.", "etc"}} {
		if out, err := exec.Command("cp", "-a", c[0], filepath.Join(h.spool, c[1])).CombinedOutput(); err != nil {
			t.Fatalf("cp %s: %v %s", c[0], err, out)
		}
	}
	writeFile(t, filepath.Join(h.spool, "etc/config"), "LogFacility:\tdaemon\nCountryCode:\t1\nAreaCode:\t555\n"+
		"LongDistancePrefix:\t1\nInternationalPrefix:\t011\nDialStringRules:\tetc/dialrules\nServerTracing:\t0xFFF\n")
	writeFile(t, filepath.Join(h.spool, "etc/config."+h.tty), hylafaxModemConfig+extra)
	writeFile(t, filepath.Join(h.spool, "etc/hosts.hfaxd"), "localhost\n127.0.0.1\n")
	for _, f := range []string{"log/seqf", "log/xferfaxlog", "recvq/seqf", "etc/xferfaxlog"} {
		writeFile(t, filepath.Join(h.spool, f), "")
	}
	os.Chmod(filepath.Join(h.spool, "tmp"), 0o1777)
	if out, err := exec.Command("chown", "-R", "uucp:uucp", h.spool).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	// At the modems' priority, as efax (see efaxArgs); faxsend is faxq's child.
	start(t, "faxq "+spoolName, h.spool, "nice", "-n", "-10", "faxq", "-D", "-q", h.spool)
	start(t, "hfaxd "+spoolName, h.spool, "hfaxd", "-d", "-q", h.spool, "-l", "127.0.0.1", "-i", fmt.Sprint(h.port))
	time.Sleep(500 * time.Millisecond)
	h.faxgetty = start(t, "faxgetty "+spoolName, h.spool, "nice", "-n", "-10", "faxgetty", "-q", h.spool, h.tty)
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := filepath.Glob(filepath.Join(h.spool, "log", "c*"))
			for _, l := range logs {
				b, _ := os.ReadFile(l)
				t.Logf("---- HylaFAX session log %s ----\n%s", filepath.Base(l), b)
			}
		}
	})
	h.waitStatus(t, "Running and idle", 60*time.Second)
	return h
}

func (h *hylafax) waitStatus(t *testing.T, want string, d time.Duration) {
	t.Helper()
	path := filepath.Join(h.spool, "status", h.tty)
	var last string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		last = string(b)
		if strings.Contains(last, want) {
			return
		}
	}
	t.Fatalf("HylaFAX modem status %q, want %q within %v", last, want, d)
}

// sessionLog returns all of HylaFAX's session logs.
func (h *hylafax) sessionLogs() string {
	logs, _ := filepath.Glob(filepath.Join(h.spool, "log", "c*"))
	var b strings.Builder
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		b.Write(data)
	}
	return b.String()
}

// TestHylaFAXSendThroughSoftfax: HylaFAX (faxq, faxsend through faxgetty's
// modem) sends three pages through softfax over IAX2 to iaxmodem, where
// efax receives them; each page must arrive with the same content.
func TestHylaFAXSendThroughSoftfax(t *testing.T) {
	peer.Require(t, "efax", "efax")
	tests := []struct {
		name, extra, rate string
		wantBPS           string
	}{
		// V.17 with and without ECM: TestHylaFAXToHylaFAXECM (efax
		// does no ECM). Here the other rate, limited by sendfax -B.
		{"V.29 9600", "Class1ECMSupport:\tno\n", "9600", "9600 bit/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "uucp:uucp")
			h := newHylaFAX(t, r.dir, "spool", r.ourDev, tt.extra)
			const n = 3
			src, doc := testDocument(t, r.dir, n)

			rx := startEfaxReceiver(t, r, r.iaxmodemLine())
			time.Sleep(6 * time.Second) // iaxmodem refuses calls ~5 s after ATZ
			began := time.Now()
			out, err := exec.Command("sendfax", "-n", "-T", "1", "-t", "1", "-B", tt.rate,
				"-h", fmt.Sprintf("localhost:%d", h.port), "-d", "5550200", doc).CombinedOutput()
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
			logs := h.sessionLogs()
			if m := regexp.MustCompile(`SEND training at (.*)`).FindAllStringSubmatch(logs, -1); len(m) > 0 {
				t.Logf("HylaFAX: training at %s", m[len(m)-1][1])
			}
			if !strings.Contains(logs, tt.wantBPS) {
				t.Errorf("HylaFAX's session log does not mention %s", tt.wantBPS)
			}
			t.Logf("HylaFAX -> softfax -> iaxmodem -> efax: %d pages in %v (%.1f s/page)", n, took.Round(time.Second), took.Seconds()/n)
		})
	}
}

// TestHylaFAXReceiveThroughSoftfax: efax sends three pages through
// iaxmodem to softfax, where HylaFAX's faxgetty answers and receives.
func TestHylaFAXReceiveThroughSoftfax(t *testing.T) {
	peer.Require(t, "efax", "efax")
	r := newRig(t, "uucp:uucp")
	h := newHylaFAX(t, r.dir, "spool", r.ourDev, "Class1ECMSupport:\tyes\n")
	const n = 3
	src, doc := testDocument(t, r.dir, n)
	took := efaxSend(t, r, r.iaxmodemLine(), "5550100", doc)
	var files []string
	for deadline := time.Now().Add(20 * time.Second); len(files) == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(h.spool, "recvq", "fax*.tif"))
	}
	if len(files) != 1 {
		t.Fatalf("received files %q, want one", files)
	}
	time.Sleep(time.Second) // faxgetty finishes writing
	got := readTIFF(t, files[0])
	if len(got) != n {
		t.Fatalf("received %d pages, want %d", len(got), n)
	}
	for i := range n {
		samePage(t, fmt.Sprintf("page %d", i+1), got[i].Page, src[i])
		if got[i].BadFaxLines != 0 {
			t.Errorf("page %d: %d bad rows", i+1, got[i].BadFaxLines)
		}
	}
	logs := h.sessionLogs()
	if m := regexp.MustCompile(`RECV training at (.*)`).FindStringSubmatch(logs); m != nil {
		t.Logf("HylaFAX: training at %s", m[1])
	}
	if m := regexp.MustCompile(`CallID: (.*)`).FindStringSubmatch(logs); m != nil {
		t.Logf("HylaFAX: CallID %s", m[1])
		if !strings.Contains(m[1], "5550200") {
			t.Errorf("caller ID %s does not show iaxmodem's number 5550200", m[1])
		}
	}
	t.Logf("efax -> iaxmodem -> softfax -> HylaFAX: %d pages in %v (%.1f s/page)", n, took.Round(time.Second), took.Seconds()/n)
}

// TestHylaFAXToHylaFAXECM: HylaFAX on softfax's pty sends three pages to a
// second HylaFAX on iaxmodem's pty, with ECM on both (HylaFAX does ECM's
// framing itself in Class 1, so the frames cross softfax as +FTM/+FRM
// data) and without.
func TestHylaFAXToHylaFAXECM(t *testing.T) {
	tests := []struct {
		name, extra string
		ecm         bool
	}{
		{"ECM", "Class1ECMSupport:\tyes\n", true},
		{"no ECM", "Class1ECMSupport:\tno\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "uucp:uucp")
			tx := newHylaFAX(t, r.dir, "spool-tx", r.ourDev, tt.extra)
			rx := newHylaFAX(t, r.dir, "spool-rx", r.theirDev, tt.extra)
			const n = 3
			src, doc := testDocument(t, r.dir, n)
			time.Sleep(6 * time.Second) // iaxmodem refuses calls ~5 s after faxgetty's ATZ
			began := time.Now()
			out, err := exec.Command("sendfax", "-n", "-T", "1", "-t", "1",
				"-h", fmt.Sprintf("localhost:%d", tx.port), "-d", "5550200", doc).CombinedOutput()
			if err != nil {
				t.Fatalf("sendfax: %v\n%s", err, out)
			}
			var files []string
			for deadline := time.Now().Add(150 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
				files, _ = filepath.Glob(filepath.Join(rx.spool, "recvq", "fax*.tif"))
				if len(files) > 0 && strings.Contains(rx.sessionLogs(), "RECV FAX: end") {
					break
				}
			}
			took := time.Since(began)
			if len(files) != 1 {
				t.Fatalf("received files %q, want one", files)
			}
			got := readTIFF(t, files[0])
			if len(got) != n {
				t.Fatalf("received %d pages, want %d", len(got), n)
			}
			for i := range n {
				samePage(t, fmt.Sprintf("page %d", i+1), got[i].Page, src[i])
			}
			logs := rx.sessionLogs()
			if m := regexp.MustCompile(`RECV FAX \(\d+\): from .*, page 1 in [^,]*, (.*)`).FindStringSubmatch(logs); m != nil {
				t.Logf("HylaFAX receiver: %s", m[1])
			}
			// The DCS says whether ECM was chosen; HylaFAX logs it as
			// "REMOTE wants T.30 Annex A, ...-byte ECM".
			if got := strings.Contains(logs, "REMOTE wants T.30 Annex A"); got != tt.ecm {
				t.Errorf("ECM used: %v, want %v", got, tt.ecm)
			}
			t.Logf("HylaFAX -> softfax -> iaxmodem -> HylaFAX: %d pages in %v (%.1f s/page)", n, took.Round(time.Second), took.Seconds()/n)
		})
	}
}
