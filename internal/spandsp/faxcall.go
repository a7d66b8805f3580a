package spandsp

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// faxcall.c runs two spandsp fax terminals (fax_state_t, spandsp's whole
// T.30 engine with its modems) back to back and records the call: the
// reference recording `softfax analyze` is checked against.
//
//go:embed testdata/faxcall.c
var faxCallSource []byte

// spandsp's T30_SUPPORT_* masks (t30.h), as t30term.c and faxcall.c take
// them (TerminalSpec, FaxCallSpec).
const (
	ModemsV27ter = 0x01
	ModemsV29    = 0x02
	ModemsV17    = 0x04

	CompressMH  = 0x02
	CompressMR  = 0x04
	CompressMMR = 0x08
)

// FaxCallSpec describes a spandsp-to-spandsp call: the caller sends TIFF
// (a TIFF Class F file spandsp can read) to the answerer.
type FaxCallSpec struct {
	TIFF         string
	ECM          bool
	Modems       int // ModemsV17|... (0: all three)
	Compressions int // CompressMH|... (0: all three)
	// Noise adds white noise at NoiseDBm0 to both directions from
	// NoiseStart for NoiseLen seconds (to make the call fail on purpose).
	NoiseStart, NoiseLen, NoiseDBm0 float64
	// MaxSeconds bounds the call (0: 180 s of audio).
	MaxSeconds int
}

// FaxCallFrame is one T.30 frame as spandsp's terminal that sent it logged
// it (real-time frame handler): address, control, FCF and information, no
// FCS.
type FaxCallFrame struct {
	Sample int64 // sample clock of the 20 ms block in which it was logged
	Caller bool  // sent by the calling terminal
	Data   []byte
}

// FaxCallResult is the recording and spandsp's own account of the call.
type FaxCallResult struct {
	// WAV is a stereo 16-bit 8 kHz file: left what the caller sent, right
	// what the answerer sent.
	WAV    []byte
	Frames []FaxCallFrame
	// CallerCode and AnswererCode are spandsp's T.30 completion codes (0
	// is T30_ERR_OK), with their text.
	CallerCode, AnswererCode int
	CallerText, AnswererText string
	Pages                    int // pages the answerer received
	BitRate                  int
	ECM                      bool
}

// FaxCaller is the built faxcall program.
type FaxCaller struct{ path string }

// RequireFaxCall returns the faxcall program, or skips the test (fails it in
// CI) when gcc or libspandsp-dev is missing.
func RequireFaxCall(t testing.TB) *FaxCaller {
	t.Helper()
	return &FaxCaller{path: faxcallProgram.require(t)}
}

// Run makes the call and returns the recording and spandsp's log.
func (c *FaxCaller) Run(ctx context.Context, spec FaxCallSpec) (*FaxCallResult, error) {
	dir, err := os.MkdirTemp("", "softfax-faxcall")
	if err != nil {
		return nil, fmt.Errorf("faxcall: %w", err)
	}
	defer os.RemoveAll(dir)
	modems, comp, max := spec.Modems, spec.Compressions, spec.MaxSeconds
	if modems == 0 {
		modems = ModemsV27ter | ModemsV29 | ModemsV17
	}
	if comp == 0 {
		comp = CompressMH | CompressMR | CompressMMR
	}
	if max == 0 {
		max = 180
	}
	ecm := "0"
	if spec.ECM {
		ecm = "1"
	}
	noiseDB := spec.NoiseDBm0
	if spec.NoiseLen == 0 {
		noiseDB = -200
	}
	wav := filepath.Join(dir, "call.wav")
	f := strconv.FormatFloat
	cmd := exec.CommandContext(ctx, c.path, wav, spec.TIFF, filepath.Join(dir, "rx.tif"), ecm,
		strconv.Itoa(modems), strconv.Itoa(comp), f(spec.NoiseStart, 'f', -1, 64),
		f(spec.NoiseLen, 'f', -1, 64), f(noiseDB, 'f', -1, 64), strconv.Itoa(max))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("faxcall: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	res := &FaxCallResult{}
	if res.WAV, err = os.ReadFile(wav); err != nil {
		return nil, fmt.Errorf("faxcall: %w", err)
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		switch fields[0] {
		case "frame":
			if len(fields) != 4 {
				return nil, fmt.Errorf("faxcall: bad line %q", sc.Text())
			}
			at, err1 := strconv.ParseInt(fields[1], 10, 64)
			data, err2 := hex.DecodeString(fields[3])
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("faxcall: bad line %q: %w", sc.Text(), err)
			}
			res.Frames = append(res.Frames, FaxCallFrame{Sample: at, Caller: fields[2] == "caller", Data: data})
		case "done":
			code, _ := strconv.Atoi(fields[2])
			text := strings.Join(fields[3:], " ")
			if fields[1] == "caller" {
				res.CallerCode, res.CallerText = code, text
			} else {
				res.AnswererCode, res.AnswererText = code, text
			}
		case "stats":
			st := parseStats(fields[1:])
			res.Pages, res.BitRate, res.ECM = st["pages"], st["bit_rate"], st["ecm"] != 0
		}
	}
	return res, nil
}
