// Package hylafaxtest runs a private HylaFAX for tests: its own spool in a
// temporary directory, its own faxq, hfaxd on its own port and a faxgetty
// driving one modem (softfax's pty or iaxmodem's), set up as
// shared/reference/PEERS.md describes. The system's spool is not touched.
//
// It is shared by the whole-system tests of package interop and by
// cmd/softfax's tests of "softfax send" and "softfax receive".
package hylafaxtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/peer"
)

// Options describe the HylaFAX to start.
type Options struct {
	// Dir holds the spool; empty: a new temporary directory.
	Dir string
	// Name is the spool's directory in Dir; empty: "spool".
	Name string
	// Device is the modem's device path (faxgetty takes its base name).
	Device string
	// FAXNumber and LocalIdentifier are the modem's own number and TSI/CSI.
	FAXNumber, LocalIdentifier string
	// Extra modem config lines ("Class1ECMSupport:\tno\n").
	Extra string
	// Nice runs faxq and faxgetty (and so faxsend) at this niceness: at
	// the modems' priority a DTE that does not read in time cannot stall
	// a modem's audio loop. 0 leaves it.
	Nice int
}

// Server is a running HylaFAX.
type Server struct {
	Spool string // the spool directory (its recvq, log, status, ...)
	TTY   string // the modem's name, as in status/TTY and etc/config.TTY
	Port  int    // hfaxd's port on 127.0.0.1
}

// modemConfig is the modem config of iaxmodem's config.ttyIAX: the HylaFAX
// side of a drop-in replacement must not need changes.
const modemConfig = `CountryCode:		1
AreaCode:		555
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

// Start starts faxq, hfaxd and faxgetty on o.Device and waits until the
// modem is "Running and idle"; all stop when the test ends. It skips the
// test (fails in CI) when HylaFAX is not installed.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	for _, p := range []string{"faxq", "faxgetty", "hfaxd", "sendfax"} {
		peer.Require(t, p, "hylafax-server hylafax-client")
	}
	if o.Dir == "" {
		o.Dir = t.TempDir()
		// faxgetty and faxsend run as uucp: they must reach the spool.
		for _, d := range []string{o.Dir, filepath.Dir(o.Dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if o.Name == "" {
		o.Name = "spool"
	}
	// hfaxd's port: free a moment ago.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	s := &Server{Spool: filepath.Join(o.Dir, o.Name), TTY: filepath.Base(o.Device), Port: l.Addr().(*net.TCPAddr).Port}
	for _, d := range []string{"archive", "client", "config", "dev", "docq", "doneq", "etc", "info",
		"log", "pollq", "recvq", "sendq", "status", "tmp", "bin"} {
		if err := os.MkdirAll(filepath.Join(s.Spool, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The scripts and the modem prototypes of the installed HylaFAX, its
	// etc files; then our configs.
	for _, c := range [][2]string{{"/var/spool/hylafax/bin/.", "bin"}, {"/var/spool/hylafax/config/.", "config"}, {"/etc/hylafax/.", "etc"}} {
		if out, err := exec.Command("cp", "-a", c[0], filepath.Join(s.Spool, c[1])).CombinedOutput(); err != nil {
			t.Fatalf("cp %s: %v %s", c[0], err, out)
		}
	}
	s.write(t, "etc/config", "LogFacility:\tdaemon\nCountryCode:\t1\nAreaCode:\t555\n"+
		"LongDistancePrefix:\t1\nInternationalPrefix:\t011\nDialStringRules:\tetc/dialrules\nServerTracing:\t0xFFF\n")
	s.write(t, "etc/config."+s.TTY, modemConfig+
		fmt.Sprintf("FAXNumber:\t\t%s\nLocalIdentifier:\t%q\n", o.FAXNumber, o.LocalIdentifier)+o.Extra)
	s.write(t, "etc/hosts.hfaxd", "localhost\n127.0.0.1\n")
	for _, f := range []string{"log/seqf", "log/xferfaxlog", "recvq/seqf", "etc/xferfaxlog"} {
		s.write(t, f, "")
	}
	if err := os.Chmod(filepath.Join(s.Spool, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chown", "-R", "uucp:uucp", s.Spool).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	nice := func(args ...string) []string {
		if o.Nice == 0 {
			return args
		}
		return append([]string{"nice", "-n", strconv.Itoa(o.Nice)}, args...)
	}
	var daemons []*daemon
	daemons = append(daemons, s.start(t, nice("faxq", "-D", "-q", s.Spool)...))
	daemons = append(daemons, s.start(t, "hfaxd", "-d", "-q", s.Spool, "-l", "127.0.0.1", "-i", strconv.Itoa(s.Port)))
	time.Sleep(500 * time.Millisecond)
	daemons = append(daemons, s.start(t, nice("faxgetty", "-q", s.Spool, s.TTY)...))
	t.Cleanup(func() {
		if t.Failed() {
			for _, d := range daemons {
				t.Logf("---- %s (%s) output ----\n%s", d.name, o.Name, d.output())
			}
			t.Logf("---- HylaFAX session logs (%s) ----\n%s", o.Name, s.SessionLogs(nil))
		}
	})
	s.WaitStatus(t, "Running and idle", 60*time.Second)
	return s
}

func (s *Server) write(t testing.TB, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.Spool, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WaitStatus waits until the modem's status line contains want.
func (s *Server) WaitStatus(t testing.TB, want string, d time.Duration) {
	t.Helper()
	path := filepath.Join(s.Spool, "status", s.TTY)
	var last string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		if last = string(b); strings.Contains(last, want) {
			return
		}
	}
	t.Fatalf("HylaFAX modem status %q, want %q within %v", last, want, d)
}

// LogFiles returns the session log files (log/c*) written so far.
func (s *Server) LogFiles() []string {
	logs, _ := filepath.Glob(filepath.Join(s.Spool, "log", "c*"))
	return logs
}

// SessionLogs returns the session logs, all but those named in skip (an
// earlier LogFiles), concatenated.
func (s *Server) SessionLogs(skip []string) string {
	var b strings.Builder
	for _, l := range s.LogFiles() {
		if !slices.Contains(skip, l) {
			data, _ := os.ReadFile(l)
			b.Write(data)
		}
	}
	return b.String()
}

// Received returns the faxes received so far (recvq/fax*.tif).
func (s *Server) Received() []string {
	files, _ := filepath.Glob(filepath.Join(s.Spool, "recvq", "fax*.tif"))
	return files
}

// WaitReceived waits until a fax has been received and its session has
// ended, and returns the received files.
func (s *Server) WaitReceived(t testing.TB, d time.Duration) []string {
	t.Helper()
	var files []string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if files = s.Received(); len(files) > 0 && strings.Contains(s.SessionLogs(nil), "RECV FAX: end") {
			time.Sleep(time.Second) // faxgetty finishes the file
			return files
		}
	}
	return files
}

// Send submits a fax job with sendfax: doc to number, now, one try; args
// are more sendfax options (-B 9600 to limit the signalling rate).
func (s *Server) Send(number, doc string, args ...string) ([]byte, error) {
	// Options go before the destination: sendfax applies them to the
	// destinations that follow.
	cmd := append([]string{"-n", "-T", "1", "-t", "1", "-h", fmt.Sprintf("localhost:%d", s.Port)}, args...)
	return exec.Command("sendfax", append(cmd, "-d", number, doc)...).CombinedOutput()
}

// daemon is a HylaFAX program the test started.
type daemon struct {
	name string
	mu   sync.Mutex
	log  bytes.Buffer
}

func (d *daemon) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.Write(p)
}

func (d *daemon) output() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// start runs a program in its own process group, stopped (SIGTERM, then
// SIGKILL) when the test ends.
func (s *Server) start(t testing.TB, args ...string) *daemon {
	t.Helper()
	d := &daemon{name: strings.Join(args, " ")}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = s.Spool
	cmd.Stdout, cmd.Stderr = d, d
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", args[0], err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return d
}
