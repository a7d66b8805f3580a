package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

//go:embed default
var defaults embed.FS

// The template names. Subjects are single lines (delivery folds any line
// breaks a template leaves into spaces).
const (
	InboundSubject = "inbound.subject" // data: Inbound
	InboundBody    = "inbound.body"    // data: Inbound
	Report         = "report.txt"      // data: JobReport
	NotifySubject  = "notify.subject"  // data: JobReport
	NotifyBody     = "notify.body"     // data: JobReport
)

// Names lists every template softfax uses.
var Names = []string{InboundSubject, InboundBody, Report, NotifySubject, NotifyBody}

// Inbound describes a received fax.
type Inbound struct {
	FaxID       string
	Caller      string // calling number, as the network presented it
	CallerName  string
	DID         string // the number that was called
	RemoteID    string // the sender's TSI
	Pages       int
	Time        time.Time
	Duration    time.Duration
	Rate        int    // bit/s of the last page
	Result      string // "ok" or why the call ended early
	Attachments []string
}

// JobReport describes an outbound job that ended.
type JobReport struct {
	JobID    string
	State    string // "done" or "failed"
	To       string
	Document string
	Pages    int
	Tries    int
	MaxTries int
	RemoteID string
	Rate     int
	Time     time.Time
	Reason   string
	Attempts []Attempt
}

// Attempt is one call of a job.
type Attempt struct {
	Time    time.Time
	Outcome string // "ok", "busy", "no answer", "failed"
	Detail  string
}

// Set is the parsed templates, safe for concurrent use.
type Set struct {
	t *template.Template
}

// Load parses the embedded defaults, replacing each by the file of the
// same name in dir if there is one. dir "" means defaults only. A
// template that does not parse, or that fails on sample data, is an error
// naming the file, so a broken override is found at start-up and not when
// the first fax arrives.
func Load(dir string) (*Set, error) {
	root := template.New("").Option("missingkey=error")
	for _, name := range Names {
		src, err := fs.ReadFile(defaults, "default/"+name)
		if err != nil {
			return nil, fmt.Errorf("templates: embedded %s: %w", name, err)
		}
		from := "embedded " + name
		if dir != "" {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			switch {
			case err == nil:
				src, from = b, p
			case !errors.Is(err, fs.ErrNotExist):
				return nil, fmt.Errorf("templates: %w", err)
			}
		}
		if _, err := root.New(name).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", from, err)
		}
	}
	s := &Set{t: root}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// check executes every template on sample data.
func (s *Set) check() error {
	in := Inbound{FaxID: "x", Caller: "1", DID: "2", Pages: 2, Time: time.Unix(0, 0), Result: "ok", Attachments: []string{"a.pdf"}}
	rep := JobReport{JobID: "j", State: "failed", To: "1", Document: "d", Pages: 1, Tries: 1, MaxTries: 3, Reason: "r", Time: time.Unix(0, 0),
		Attempts: []Attempt{{Time: time.Unix(0, 0), Outcome: "busy"}}}
	for _, name := range Names {
		var data any = rep
		if strings.HasPrefix(name, "inbound.") {
			data = in
		}
		if _, err := s.Execute(name, data); err != nil {
			return err
		}
	}
	return nil
}

// Execute runs the named template on data.
func (s *Set) Execute(name string, data any) (string, error) {
	t := s.t.Lookup(name)
	if t == nil {
		return "", fmt.Errorf("templates: no template %q", name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("templates: %w", err)
	}
	return b.String(), nil
}
