package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	in := Inbound{FaxID: "20261126-1", Caller: "5551234", CallerName: "ACME", DID: "100", RemoteID: "+1 555 1234",
		Pages: 3, Time: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC), Rate: 9600, Result: "ok", Attachments: []string{"fax.pdf"}}
	subj, err := s.Execute(InboundSubject, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Fax from ACME 5551234 to 100 (3 pages)\n"; subj != want {
		t.Errorf("subject %q, want %q", subj, want)
	}
	body, err := s.Execute(InboundBody, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"+1 555 1234", "9600 bit/s", "Attached: fax.pdf.", "2026-11-26 07:00:00 UTC"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	rep := JobReport{JobID: "j1", State: "done", To: "100", Document: "a.pdf", Pages: 1, Tries: 1, MaxTries: 3, Time: in.Time}
	n, err := s.Execute(NotifyBody, rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n, "was sent: 1 page.") || !strings.Contains(n, "softfax job j1: done") {
		t.Errorf("notify body:\n%s", n)
	}
}

func TestOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, InboundSubject), []byte("FAX {{.DID}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Execute(InboundSubject, Inbound{DID: "7"})
	if got != "FAX 7" {
		t.Errorf("override not used: %q", got)
	}
	// the others stay the defaults
	if b, err := s.Execute(InboundBody, Inbound{DID: "7"}); err != nil || !strings.Contains(b, "arrived for 7") {
		t.Errorf("default body lost: %q %v", b, err)
	}
}

func TestBrokenOverrideNamesFile(t *testing.T) {
	for _, src := range []string{"{{.DID", "{{.NoSuchField}}"} {
		dir := t.TempDir()
		p := filepath.Join(dir, InboundBody)
		os.WriteFile(p, []byte(src), 0o644)
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), InboundBody) {
			t.Errorf("%q: error %v does not name the template", src, err)
		}
	}
}
