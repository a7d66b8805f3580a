// Package peer lets tests find the real programs softfax must interoperate
// with (libtiff's tools, ghostscript, spandsp, iaxmodem, efax, HylaFAX).
//
// A test that needs a peer calls [Require]. On a developer's machine a
// missing peer skips the test with a message saying what to install; when
// the CI environment variable is "true" it fails instead, so that CI can
// never pass by skipping the tests that matter most.
package peer

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run under CI, where skipping an interop
// test is a failure.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require returns the path of program, or skips the test (fails in CI)
// naming the Debian package that provides it.
func Require(t testing.TB, program, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		Missing(t, "%s not found (apt-get install %s)", program, debianPackage)
	}
	return path
}

// Missing skips the test, or fails it when running in CI.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("interop peer missing in CI: "+format, args...)
	}
	t.Skipf("interop peer missing: "+format, args...)
}
