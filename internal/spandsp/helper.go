package spandsp

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

//go:embed testdata/sfhelper.c
var helperSource []byte

// Helper is a built spandsp helper program. It is safe for concurrent use:
// every call runs its own process.
type Helper struct {
	path string
}

// Build compiles the helper program (once per process) and returns it.
func Build() (*Helper, error) {
	path, err := sfhelperProgram.build()
	if err != nil {
		return nil, err
	}
	return &Helper{path: path}, nil
}

// Require returns the helper, or skips the test (fails it in CI) when gcc or
// libspandsp-dev is missing. Other build errors fail the test.
func Require(t testing.TB) *Helper {
	t.Helper()
	return &Helper{path: sfhelperProgram.require(t)}
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
