package spandsp

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/softfax/softfax/internal/peer"
)

//go:embed testdata/sfhelper.c
var helperSource []byte

// Helper is a built spandsp helper program. It is safe for concurrent use:
// every call runs its own process.
type Helper struct {
	path string
}

// errMissing marks build failures caused by a missing compiler or library,
// which tests treat as a missing peer rather than a failure.
var errMissing = errors.New("spandsp helper cannot be built here")

var build struct {
	once sync.Once
	h    *Helper
	err  error
}

// Build compiles the helper program (once per process) and returns it.
func Build() (*Helper, error) {
	build.once.Do(func() { build.h, build.err = compile() })
	return build.h, build.err
}

// Require returns the helper, or skips the test (fails it in CI) when gcc or
// libspandsp-dev is missing. Other build errors fail the test.
func Require(t testing.TB) *Helper {
	t.Helper()
	h, err := Build()
	if errors.Is(err, errMissing) {
		peer.Missing(t, "%v", err)
	}
	if err != nil {
		t.Fatalf("spandsp helper: %v", err)
	}
	return h
}

func compile() (*Helper, error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return nil, fmt.Errorf("%w: gcc not found (apt-get install gcc)", errMissing)
	}
	flags := []string{"-lspandsp", "-ltiff", "-lm"}
	if out, err := exec.Command("pkg-config", "--cflags", "--libs", "spandsp").Output(); err == nil {
		flags = append(strings.Fields(string(out)), "-ltiff", "-lm")
	} else if _, err := os.Stat("/usr/include/spandsp.h"); err != nil {
		return nil, fmt.Errorf("%w: spandsp headers not found (apt-get install libspandsp-dev)", errMissing)
	}
	sum := sha256.Sum256(append(append([]byte{}, helperSource...), strings.Join(flags, " ")...))
	dir := filepath.Join(os.TempDir(), "softfax-sfhelper-"+hex.EncodeToString(sum[:8]))
	bin := filepath.Join(dir, "sfhelper")
	if _, err := os.Stat(bin); err == nil {
		return &Helper{path: bin}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("spandsp helper: %w", err)
	}
	work, err := os.MkdirTemp(dir, "build")
	if err != nil {
		return nil, fmt.Errorf("spandsp helper: %w", err)
	}
	defer os.RemoveAll(work)
	src := filepath.Join(work, "sfhelper.c")
	if err := os.WriteFile(src, helperSource, 0o644); err != nil {
		return nil, fmt.Errorf("spandsp helper: %w", err)
	}
	tmp := filepath.Join(work, "sfhelper")
	args := append([]string{"-O2", "-o", tmp, src}, flags...)
	if out, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		msg := string(out)
		if strings.Contains(msg, "spandsp.h") || strings.Contains(msg, "-lspandsp") {
			return nil, fmt.Errorf("%w: %s (apt-get install libspandsp-dev)", errMissing, firstLine(msg))
		}
		return nil, fmt.Errorf("spandsp helper: gcc: %w: %s", err, msg)
	}
	// Rename is atomic: concurrent test binaries each build, one wins.
	if err := os.Rename(tmp, bin); err != nil {
		return nil, fmt.Errorf("spandsp helper: %w", err)
	}
	return &Helper{path: bin}, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// run executes the helper with args, feeding stdin, and returns its stdout.
func (h *Helper) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, h.path, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("spandsp helper %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}
