package interop

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/peer"
	"github.com/softfax/softfax/t4"
)

// buildSoftfax builds the binary once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
	out  []byte
}

func softfaxBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "softfax-interop-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "softfax")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, "github.com/softfax/softfax/cmd/softfax")
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("go build: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.path
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// proc is a program the test started; Stop ends its process group.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
	err  error
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func start(t *testing.T, name string, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	p.cmd = exec.Command(args[0], args[1:]...)
	p.cmd.Dir = dir
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	w := lockedWriter{p.mu, p.log}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Stop(5 * time.Second)
		if t.Failed() || testing.Verbose() {
			t.Logf("---- %s output ----\n%s", name, p.Output())
		}
	})
	return p
}

func (p *proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// Wait waits for the program to exit by itself, up to d.
func (p *proc) Wait(d time.Duration) (error, bool) {
	select {
	case <-p.done:
		return p.err, true
	case <-time.After(d):
		return nil, false
	}
}

// Stop sends SIGTERM to the program's process group, then SIGKILL.
func (p *proc) Stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func waitPath(t *testing.T, path string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %v", path, d)
		}
	}
}

func waitOutput(t *testing.T, p *proc, substr string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if strings.Contains(p.Output(), substr) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not say %q within %v", p.name, substr, d)
		}
	}
}

// rig is softfax on one pty and iaxmodem on another, each the other's
// IAX2 server on the loopback interface.
type rig struct {
	dir                string
	ourDev, theirDev   string
	softfax, iaxmodem  *proc
	ourPort, theirPort int
}

func requireRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		peer.Missing(t, "root is needed to run iaxmodem and create device links in /dev")
	}
}

// requireIAXModem skips in -short (real-time calls take minutes) and
// returns iaxmodem's path, failing in CI when it or root is missing.
func requireIAXModem(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("interop with real fax programs takes minutes; not in -short")
	}
	requireRoot(t)
	return peer.Require(t, "iaxmodem", "iaxmodem")
}

// writeIAXModemConfig writes iaxmodem's config /etc/iaxmodem/NAME (the only
// place it reads) for a pty dev owned by owner, listening on port with the
// IAX2 server on serverPort; it is removed when the test ends.
func writeIAXModemConfig(t *testing.T, name, dev, owner string, port, serverPort int) {
	t.Helper()
	if err := os.MkdirAll("/etc/iaxmodem", 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join("/etc/iaxmodem", name)
	writeFile(t, conf, fmt.Sprintf("device\t%s\nowner\t%s\nmode\t660\nport\t%d\nrefresh\t0\n"+
		"server\t127.0.0.1:%d\npeername\tiaxmodem\nsecret\tx\ncidname\tIaxmodem Test\n"+
		"cidnumber\t5550200\ncodec\tslinear\n", dev, owner, port, serverPort))
	t.Cleanup(func() { os.Remove(conf) })
}

// rigs numbers the rigs of this test process (their devices and configs).
var rigs atomic.Int64

func newRig(t *testing.T, owner string) *rig {
	t.Helper()
	iaxmodem := requireIAXModem(t)
	bin := softfaxBinary(t)
	r := &rig{dir: t.TempDir(), ourPort: freeUDPPort(t), theirPort: freeUDPPort(t)}
	// iaxmodem, faxgetty and faxsend run as uucp: let them in.
	if err := os.Chmod(r.dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(r.dir), 0o755); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%d%d", os.Getpid()%10000, rigs.Add(1))
	r.ourDev = "/dev/ttySFT" + id
	r.theirDev = "/dev/ttyIAXT" + id

	ours := filepath.Join(r.dir, "ttySF")
	writeFile(t, ours, fmt.Sprintf("device\t%s\nowner\t%s\nmode\t660\nport\t%d\nrefresh\t0\n"+
		"server\t127.0.0.1:%d\npeername\tsoftfax\nsecret\tdo-not-show\ncidname\tSoftfax Test\n"+
		"cidnumber\t5550100\ncodec\tslinear\n", r.ourDev, owner, r.ourPort, r.theirPort))
	name := "sftest" + id
	writeIAXModemConfig(t, name, r.theirDev, owner, r.theirPort, r.ourPort)

	// Both modems run real-time audio loops (20 ms frames): on a loaded
	// CI machine a starved loop is a gap in the line's audio and a
	// damaged page. Give them the priority a PBX's media threads get.
	r.softfax = start(t, "softfax", r.dir, "nice", "-n", "-10", bin, "modem", "-c", ours)
	r.iaxmodem = start(t, "iaxmodem", r.dir, "nice", "-n", "-10", "stdbuf", "-oL", iaxmodem, name)
	// Stop iaxmodem first: it removes its device link when it exits.
	t.Cleanup(func() {
		r.iaxmodem.Stop(5 * time.Second)
		t.Logf("iaxmodem: %s; softfax: %s", skewReport(r.iaxmodem.Output()), lateReport(r.softfax.Output()))
		os.Remove(r.theirDev)
		// UUCP locks that HylaFAX or efax may leave when stopped.
		for _, d := range []string{r.ourDev, r.theirDev} {
			os.Remove(filepath.Join("/var/lock", "LCK.."+filepath.Base(d)))
		}
	})
	waitPath(t, r.ourDev, 10*time.Second)
	waitPath(t, r.theirDev, 10*time.Second)
	return r
}

// skewReport sums up iaxmodem's pacing corrections: it counts the voice
// frames it sent and received and, whenever it has received two more than
// it sent (or sent six more), shortens (lengthens) its 20 ms period by
// 10 µs and logs "Adjusting skew to N." (µs). A steady far end causes
// none; a far end that bursts, drifts or chases iaxmodem's own clock,
// many.
func skewReport(iaxmodemLog string) string {
	m := regexp.MustCompile(`Adjusting skew to (-?\d+)\.`).FindAllStringSubmatch(iaxmodemLog, -1)
	if len(m) == 0 {
		return "no skew adjustments"
	}
	lo, hi := 0, 0
	for _, x := range m {
		v, _ := strconv.Atoi(x[1])
		lo, hi = min(lo, v), max(hi, v)
	}
	return fmt.Sprintf("%d skew adjustments (range %d..%d µs, last %s µs)", len(m), lo, hi, m[len(m)-1][1])
}

// lateReport sums up softfax's late audio steps ("audio ended" logs).
func lateReport(softfaxLog string) string {
	m := regexp.MustCompile(`msg="audio ended".* late=(\d+) max_late=(\S+)`).FindAllStringSubmatch(softfaxLog, -1)
	var parts []string
	for _, x := range m {
		parts = append(parts, fmt.Sprintf("%s late steps (max %s)", x[1], x[2]))
	}
	return "calls with " + strings.Join(parts, ", ")
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testPages draws n distinct pages: a page number in blocks, bars and a
// checkerboard, so that a lost, shifted or damaged row shows.
func testPages(t *testing.T, n int) []*t4.Page {
	t.Helper()
	var pages []*t4.Page
	for i := range n {
		p, err := t4.NewPage(t4.WidthA4, 1100, t4.Standard)
		if err != nil {
			t.Fatal(err)
		}
		for y := 100; y < 1000; y++ {
			for x := 100; x < 1628; x++ {
				switch {
				case y < 300 && x < 100+(i+1)*200 && (x/100)%2 == 1:
					p.Set(x, y, true) // i+1 bars: the page number
				case y >= 350 && y < 450 && ((x/64)+(y/32))%2 == 0:
					p.Set(x, y, true) // a coarse checkerboard
				case y >= 500 && y < 600 && (x*(i+3)+y*7)%397 < 5:
					p.Set(x, y, true) // sparse dots that differ per page
				case y >= 650 && (x-y-i*50)%400 < 3:
					p.Set(x, y, true) // diagonals
				}
			}
		}
		pages = append(pages, p)
	}
	return pages
}

func writeTIFF(t *testing.T, path string, pages []*t4.Page) {
	t.Helper()
	var b bytes.Buffer
	if err := t4.WriteTIFF(&b, pages, t4.TIFFOptions{Compression: t4.MH, RTC: true}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b.String())
}

// testDocument writes n test pages to doc.tif in dir, readable by every
// user (HylaFAX's faxq and faxsend run as uucp), and returns them and the
// file's path.
func testDocument(t *testing.T, dir string, n int) ([]*t4.Page, string) {
	t.Helper()
	src := testPages(t, n)
	doc := filepath.Join(dir, "doc.tif")
	writeTIFF(t, doc, src)
	if err := os.Chmod(doc, 0o644); err != nil {
		t.Fatal(err)
	}
	return src, doc
}

func readTIFF(t *testing.T, path string) []t4.TIFFPage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := t4.ReadTIFF(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pages
}

// inked returns the rows between the first and the last with a black pixel.
func inked(p *t4.Page) [][]byte {
	first, last := -1, -1
	for y := 0; y < p.Height; y++ {
		if !allZero(p.Row(y)) {
			if first < 0 {
				first = y
			}
			last = y
		}
	}
	var rows [][]byte
	for y := first; first >= 0 && y <= last; y++ {
		rows = append(rows, p.Row(y))
	}
	return rows
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// samePage compares by content: the inked rows must match exactly. efax
// adds white rows and a header line at the top of pages it sends (and may
// drop the last row), so the received page's inked rows must end with
// the source's.
func samePage(t *testing.T, what string, got *t4.Page, want *t4.Page) {
	t.Helper()
	g, w := inked(got), inked(want)
	if len(g) < len(w) {
		t.Errorf("%s: %d inked rows, want at least %d", what, len(g), len(w))
		return
	}
	if extra := len(g) - len(w); extra > 0 {
		if extra > 150 {
			t.Errorf("%s: %d inked rows, want %d and a header", what, len(g), len(w))
		}
		g = g[extra:]
	}
	bad := 0
	for i := range g {
		if !bytes.Equal(g[i], w[i]) {
			bad++
		}
	}
	if bad != 0 {
		t.Errorf("%s: %d of %d rows differ", what, bad, len(w))
	}
}

// efaxArgs are efax's options as PEERS.md gives them. efax runs at the
// modems' priority: a DTE that does not read stalls iaxmodem's single
// loop, audio included.
func efaxArgs(dev, id string) []string {
	return []string{"nice", "-n", "-10", "efax", "-d", dev, "-o1", "-iZ", "-i&FE0&D2S7=120", "-i&C0", "-iM1L0", "-kZ",
		"-l", id, "-v", "ewinchartf"}
}

// efaxAccepted returns the pages an efax receiver kept, in order: each
// "wrote FILE" that it confirmed with MCF. A page answered with RTN (bad
// rows: the line dropped audio) is sent again by the far end and written
// to a new file; rtn counts them.
func efaxAccepted(output string) (files []string, rtn int) {
	wrote := regexp.MustCompile(`wrote (\S+) as `)
	last := ""
	for _, l := range strings.Split(output, "\n") {
		if m := wrote.FindStringSubmatch(l); m != nil {
			last = m[1]
		}
		switch {
		case strings.Contains(l, "sent MCF") && last != "":
			files = append(files, last)
			last = ""
		case strings.Contains(l, "sent RTN"):
			rtn++
			last = ""
		}
	}
	return files, rtn
}

// checkEfaxReceived compares what an efax receiver kept with src.
func checkEfaxReceived(t *testing.T, rx *proc, src []*t4.Page) {
	t.Helper()
	files, rtn := efaxAccepted(rx.Output())
	if rtn > 0 {
		t.Logf("efax receiver answered %d page(s) with RTN (retransmitted)", rtn)
	}
	if len(files) != len(src) {
		t.Fatalf("efax kept %d pages %q, want %d", len(files), files, len(src))
	}
	for i, f := range files {
		got := readTIFF(t, f)
		samePage(t, fmt.Sprintf("page %d", i+1), got[0].Page, src[i])
	}
}
