package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/spool"
)

func TestPrintStatus(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{spool.DirQueue, spool.DirDone, spool.DirFailed, spool.DirInbound} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	job := spool.Job{ID: "20261126T075900-aaaaaaaaaaaa", State: spool.Ready, To: "5550100", Name: "5550100.pdf", Tries: 1, MaxTries: 3,
		NextTry: now.Add(time.Minute), Attempts: []spool.Attempt{{Outcome: spool.Busy}}}
	os.MkdirAll(filepath.Join(root, spool.DirQueue, job.ID), 0o755)
	b, _ := json.Marshal(job)
	os.WriteFile(filepath.Join(root, spool.DirQueue, job.ID, "job.json"), b, 0o644)
	st := serviceStatus{PID: 42, Started: now.Add(-time.Hour), Updated: now.Add(-time.Second), Listen: "0.0.0.0:4569",
		Registration: "registered with pbx:4569 (refresh 1m0s)",
		Lines:        []lineStatus{{Name: "line1"}, {Name: "line2", Busy: true, Direction: "in", Peer: "5551234", Since: now.Add(-20 * time.Second), Page: 2, Rate: 14400}}}
	st.Delivery.LastError = "fax-x: smtp mail:587: connection refused"
	b, _ = json.Marshal(st)
	os.WriteFile(filepath.Join(root, statusFile), b, 0o644)

	var out bytes.Buffer
	if err := printStatus(&out, root, 5, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"running, pid 42, up 1h0m0s", "registered with pbx:4569", "line1    idle",
		"line2    in  5551234", "page 2 at 14400 bit/s", "connection refused", "queue:    1 job(s)",
		"try 1 of 3, next at 08:01:00, last: busy"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	printStatus(&out, root, 5, now.Add(time.Minute))
	if !strings.Contains(out.String(), "NOT RUNNING") {
		t.Errorf("stale status not flagged:\n%s", out.String())
	}
	var m bytes.Buffer
	writeMetrics(&m, st, true)
	for _, want := range []string{"softfax_lines 2\n", "softfax_lines_busy 1\n", "softfax_registered 1\n", "# TYPE softfax_faxes_received_total counter"} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, m.String())
		}
	}
}
