package spandsp

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/softfax/softfax/internal/peer"
)

// faxterm.h is the terminal setup t30term.c and faxcall.c share; every
// program is built with it beside its source.
//
//go:embed testdata/faxterm.h
var faxTermHeader []byte

// errMissing marks build failures caused by a missing compiler or library,
// which tests treat as a missing peer rather than a failure.
var errMissing = errors.New("spandsp helper cannot be built here")

// program is one of the harness's C programs, built at most once per
// process (test binary) on first use.
type program struct {
	name   string // binary and source name: name.c
	source []byte

	once sync.Once
	path string
	err  error
}

var (
	sfhelperProgram = &program{name: "sfhelper", source: helperSource}
	t30termProgram  = &program{name: "t30term", source: t30TermSource}
	faxcallProgram  = &program{name: "faxcall", source: faxCallSource}
)

// build returns the path of the built program.
func (p *program) build() (string, error) {
	p.once.Do(func() { p.path, p.err = compileC(p.name, p.source) })
	return p.path, p.err
}

// require returns the path of the built program, or skips the test (fails
// it when CI=true) when gcc or libspandsp-dev is missing. Other build
// errors fail the test.
func (p *program) require(t testing.TB) string {
	t.Helper()
	path, err := p.build()
	if errors.Is(err, errMissing) {
		peer.Missing(t, "%v", err)
	}
	if err != nil {
		t.Fatalf("spandsp %s: %v", p.name, err)
	}
	return path
}

// compileC builds a C program against libspandsp into a directory under
// os.TempDir named after the hash of its source, faxterm.h and the compiler
// flags, so that concurrent test binaries (go test ./...) share one build
// and a changed source gets a new one.
func compileC(name string, source []byte) (string, error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return "", fmt.Errorf("%w: gcc not found (apt-get install gcc)", errMissing)
	}
	flags := []string{"-lspandsp", "-ltiff", "-lm"}
	if out, err := exec.Command("pkg-config", "--cflags", "--libs", "spandsp").Output(); err == nil {
		flags = append(strings.Fields(string(out)), "-ltiff", "-lm")
	} else if _, err := os.Stat("/usr/include/spandsp.h"); err != nil {
		return "", fmt.Errorf("%w: spandsp headers not found (apt-get install libspandsp-dev)", errMissing)
	}
	h := sha256.New()
	for _, part := range [][]byte{source, {0}, faxTermHeader, {0}, []byte(strings.Join(flags, " "))} {
		h.Write(part)
	}
	dir := filepath.Join(os.TempDir(), "softfax-"+name+"-"+hex.EncodeToString(h.Sum(nil)[:8]))
	bin := filepath.Join(dir, name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("spandsp %s: %w", name, err)
	}
	work, err := os.MkdirTemp(dir, "build")
	if err != nil {
		return "", fmt.Errorf("spandsp %s: %w", name, err)
	}
	defer os.RemoveAll(work)
	src := filepath.Join(work, name+".c")
	if err := os.WriteFile(src, source, 0o644); err != nil {
		return "", fmt.Errorf("spandsp %s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(work, "faxterm.h"), faxTermHeader, 0o644); err != nil {
		return "", fmt.Errorf("spandsp %s: %w", name, err)
	}
	tmp := filepath.Join(work, name)
	args := append([]string{"-O2", "-o", tmp, src}, flags...)
	if out, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		msg := string(out)
		if strings.Contains(msg, "spandsp.h") || strings.Contains(msg, "-lspandsp") {
			return "", fmt.Errorf("%w: %s (apt-get install libspandsp-dev)", errMissing, firstLine(msg))
		}
		return "", fmt.Errorf("spandsp %s: gcc: %w: %s", name, err, msg)
	}
	// Rename is atomic: concurrent test binaries each build, one wins.
	if err := os.Rename(tmp, bin); err != nil {
		return "", fmt.Errorf("spandsp %s: %w", name, err)
	}
	return bin, nil
}

// parseStats reads the key=value fields in which t30term and faxcall print
// spandsp's transfer statistics (t30_stats_t); a malformed value reads 0.
func parseStats(fields []string) map[string]int {
	st := make(map[string]int, len(fields))
	for _, kv := range fields {
		k, v, _ := strings.Cut(kv, "=")
		st[k], _ = strconv.Atoi(v)
	}
	return st
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
