package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/softfax/softfax/analyze"
)

// The recording is analyze's golden spandsp call: FTT at 14400, then one
// page at 12000.
const analyzeWAV = "../../analyze/testdata/spandsp-ftt.wav"

func TestAnalyzeCommand(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, log: slog.New(slog.DiscardHandler)}
	if code := run(context.Background(), []string{"analyze", analyzeWAV}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want, err := os.ReadFile("../../analyze/testdata/spandsp-ftt.golden")
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("output differs from the golden timeline:\n%s", out.String())
	}
}

func TestAnalyzeCommandJSON(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, log: slog.New(slog.DiscardHandler)}
	if code := run(context.Background(), []string{"analyze", "-json", analyzeWAV}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r analyze.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !r.Complete || r.Pages != 1 || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "FTT") {
		t.Errorf("report: complete %v, %d pages, problems %q", r.Complete, r.Pages, r.Problems)
	}
}

func TestAnalyzeCommandErrors(t *testing.T) {
	bad := t.TempDir() + "/bad.wav"
	if err := os.WriteFile(bad, []byte("RIFF\x04\x00\x00\x00WAVE"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"analyze"}, {"analyze", "/nonexistent.wav"}, {"analyze", bad}} {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, log: slog.New(slog.DiscardHandler)}
		if code := run(context.Background(), args, e); code != 1 {
			t.Errorf("%q: exit %d, want 1 (%s)", args, code, errb.String())
		}
	}
}
