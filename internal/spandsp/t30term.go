package spandsp

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/softfax/softfax/t4"
)

// t30term.c is one spandsp fax terminal exchanging audio with ours in
// lockstep, so softfax's T.30 session can be tested against spandsp's.
//
//go:embed testdata/t30term.c
var t30TermSource []byte

// TermBlock is the number of samples of each Terminal.Exchange.
const TermBlock = 160

// TerminalSpec configures spandsp's terminal.
type TerminalSpec struct {
	Calling bool
	TxTIFF  string // file to send, "" for none
	// TxPages, when set, are written to an MH TIFF in a temporary
	// directory of the test and sent in place of TxTIFF.
	TxPages      []*t4.Page
	RxTIFF       string // file to receive into, "" for none
	ECM          bool
	Modems       int // ModemsV27ter|ModemsV29|ModemsV17 (0: all)
	Compressions int // CompressMH|CompressMR|CompressMMR (0: all)
	Ident        string
}

// TerminalResult is spandsp's account of the call.
type TerminalResult struct {
	Code             int // T30_ERR_* (0 is OK; -1: phase E never reached)
	Text             string
	PagesTx, PagesRx int
	BitRate          int
	ECM              bool
	Log              string // the frames it sent and received, one per line
}

// Terminal is a running spandsp fax terminal.
type Terminal struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr bytes.Buffer
	buf    []byte
	done   bool
}

// StartTerminal starts spandsp's terminal, or skips the test (fails it in
// CI) when gcc or libspandsp-dev is missing.
func StartTerminal(t testing.TB, spec TerminalSpec) *Terminal {
	t.Helper()
	path := t30termProgram.require(t)
	if spec.TxPages != nil {
		spec.TxTIFF = writeTIFF(t, spec.TxPages)
	}
	orDash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	if spec.Modems == 0 {
		spec.Modems = ModemsV27ter | ModemsV29 | ModemsV17
	}
	if spec.Compressions == 0 {
		spec.Compressions = CompressMH | CompressMR | CompressMMR
	}
	b2i := map[bool]string{false: "0", true: "1"}
	term := &Terminal{buf: make([]byte, 2*TermBlock+1)}
	term.cmd = exec.Command(path, b2i[spec.Calling], orDash(spec.TxTIFF), orDash(spec.RxTIFF),
		b2i[spec.ECM], strconv.Itoa(spec.Modems), strconv.Itoa(spec.Compressions), spec.Ident)
	term.cmd.Stderr = &term.stderr
	var err error
	if term.in, err = term.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := term.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	term.out = bufio.NewReader(out)
	if err := term.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = term.cmd.Process.Kill(); _ = term.cmd.Wait() })
	return term
}

// Exchange gives the terminal TermBlock samples it hears and fills out
// (TermBlock samples) with what it sends.
func (term *Terminal) Exchange(heard, out []int16) error {
	if len(heard) != TermBlock || len(out) != TermBlock {
		return fmt.Errorf("spandsp t30term: blocks of %d samples", TermBlock)
	}
	b := term.buf[:2*TermBlock]
	for i, v := range heard {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if _, err := term.in.Write(b); err != nil {
		return fmt.Errorf("spandsp t30term: %w: %s", err, term.stderr.String())
	}
	if _, err := io.ReadFull(term.out, term.buf); err != nil {
		return fmt.Errorf("spandsp t30term: %w: %s", err, term.stderr.String())
	}
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(term.buf[2*i:]))
	}
	term.done = term.buf[2*TermBlock] == 1
	return nil
}

// Done reports whether the terminal has reached phase E.
func (term *Terminal) Done() bool { return term.done }

// Close ends the terminal and returns its result.
func (term *Terminal) Close() (TerminalResult, error) {
	term.in.Close()
	rest, _ := io.ReadAll(term.out)
	err := term.cmd.Wait()
	r := TerminalResult{Code: -1, Log: term.stderr.String()}
	line := strings.TrimSpace(string(rest))
	if err != nil || !strings.HasPrefix(line, "result ") {
		return r, fmt.Errorf("spandsp t30term: %v: %q %s", err, line, term.stderr.String())
	}
	f := strings.Fields(line)
	if len(f) < 6 {
		return r, fmt.Errorf("spandsp t30term: result %q", line)
	}
	r.Code, _ = strconv.Atoi(f[1])
	st := parseStats(f[2:6])
	r.PagesTx, r.PagesRx, r.BitRate, r.ECM = st["pages_tx"], st["pages_rx"], st["bit_rate"], st["ecm"] == 1
	r.Text = strings.Join(f[6:], " ")
	return r, nil
}

// writeTIFF writes pages to an MH TIFF file (what every spandsp reads) in
// a temporary directory of the test and returns its path.
func writeTIFF(t testing.TB, pages []*t4.Page) string {
	t.Helper()
	var buf bytes.Buffer
	if err := t4.WriteTIFF(&buf, pages, t4.TIFFOptions{Compression: t4.MH}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tx.tif")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ReadTIFF returns the pages of a TIFF file spandsp wrote (TerminalSpec.RxTIFF).
func ReadTIFF(t testing.TB, path string) []*t4.Page {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := t4.ReadTIFF(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("spandsp's TIFF %s: %v", path, err)
	}
	pages := make([]*t4.Page, len(tp))
	for i := range tp {
		pages[i] = tp[i].Page
	}
	return pages
}
