package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the README's first command: two services, one fax over
// IAX2 on loopback, the email as .eml and the fax as TIFF and PDF.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call takes about 30 s")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "softfax-demo")
	var out bytes.Buffer
	code := run(context.Background(), []string{"demo", "-dir", dir}, &env{stdout: &out, stderr: &out, log: slog.New(slog.DiscardHandler)})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	for _, want := range []string{"page 2 received", "page 2 sent", "done: 2 page(s)", "email (.eml)", "as PDF"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	emls, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(emls) != 1 {
		t.Fatalf("emls %v", emls)
	}
	raw, _ := os.ReadFile(emls[0])
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil || !strings.Contains(m.Header.Get("Subject"), "to 100 (2 pages)") {
		t.Errorf("eml: %v %q", err, m.Header.Get("Subject"))
	}
	for _, ext := range []string{"pdf", "tif"} {
		if fs, _ := filepath.Glob(filepath.Join(dir, "faxes", "fax-100-*."+ext)); len(fs) != 1 {
			t.Errorf("route folder lacks the %s", ext)
		}
	}
}
