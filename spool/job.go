package spool

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/softfax/softfax/templates"
)

// State is where a job is in its life.
type State string

// The states of a job. queued and ready jobs live in queue/, done and
// failed ones in done/ and failed/ (a job in queue/ with a final state is
// one whose move was cut off by a crash; Run completes it).
const (
	Queued  State = "queued"  // accepted, not yet rendered
	Ready   State = "ready"   // rendered; waits for its next try and a free line
	Sending State = "sending" // a call is under way
	Done    State = "done"
	Failed  State = "failed"
)

// Job is an outbound fax: job.json in the job's folder.
type Job struct {
	ID         string    `json:"id"`
	State      State     `json:"state"`
	To         string    `json:"to"`
	From       string    `json:"from,omitempty"`
	Notify     string    `json:"notify,omitempty"`
	Resolution string    `json:"resolution"`
	Name       string    `json:"name"`              // the file's name in outbound/ (for people; never a path)
	Doc        string    `json:"doc"`               // the document's name in the job folder
	Sidecar    string    `json:"sidecar,omitempty"` // the sidecar's name in outbound/
	Pages      int       `json:"pages,omitempty"`
	Tries      int       `json:"tries"`
	MaxTries   int       `json:"max_tries"`
	NextTry    time.Time `json:"next_try,omitzero"`
	Created    time.Time `json:"created"`
	Finished   time.Time `json:"finished,omitzero"`
	RemoteID   string    `json:"remote_id,omitempty"`
	Rate       int       `json:"rate,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Attempts   []Attempt `json:"attempts,omitempty"`
}

// Attempt is one call made for a job.
type Attempt struct {
	Time    time.Time `json:"time"`
	Outcome Outcome   `json:"outcome"`
	Detail  string    `json:"detail,omitempty"`
}

// Outcome is how a call ended.
type Outcome string

// Call outcomes a Sender reports.
const (
	OK          Outcome = "ok"
	Busy        Outcome = "busy"
	NoAnswer    Outcome = "no answer"
	CallFailed  Outcome = "failed"
	Interrupted Outcome = "interrupted" // the service stopped during the call
)

// Result is what a Sender reports of one call.
type Result struct {
	Outcome  Outcome
	Detail   string // why, for people
	RemoteID string // the receiver's CSI
	Rate     int    // bit/s
	// Permanent says retrying cannot help (the number does not exist, the
	// receiver refused the document's format).
	Permanent bool
}

// Report is the job as the report templates see it.
func (j *Job) Report() templates.JobReport {
	r := templates.JobReport{
		JobID: j.ID, State: string(j.State), To: j.To, Document: j.Name, Pages: j.Pages,
		Tries: j.Tries, MaxTries: j.MaxTries, RemoteID: j.RemoteID, Rate: j.Rate,
		Time: j.Finished, Reason: j.Reason,
	}
	for _, a := range j.Attempts {
		r.Attempts = append(r.Attempts, templates.Attempt{Time: a.Time, Outcome: string(a.Outcome), Detail: a.Detail})
	}
	return r
}

// UnmarshalJob decodes a job.json and checks what the spool relies on.
func UnmarshalJob(b []byte) (*Job, error) {
	var j Job
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("spool: job.json: %w", err)
	}
	switch j.State {
	case Queued, Ready, Sending, Done, Failed:
	default:
		return nil, fmt.Errorf("spool: job.json: unknown state %q", j.State)
	}
	if !validID(j.ID) {
		return nil, fmt.Errorf("spool: job.json: bad id %q", j.ID)
	}
	if j.Doc != "" && !safeName(j.Doc) {
		return nil, fmt.Errorf("spool: job.json: bad doc name %q", j.Doc)
	}
	return &j, nil
}

// newID makes a sortable unique name: the time, then 48 random bits.
func newID(now time.Time) string {
	var b [6]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// validID accepts what newID makes, so a job.json cannot point elsewhere.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

// safeName is a plain file name: no separators, not hidden, no "..".
func safeName(n string) bool {
	if n == "" || len(n) > 64 || n[0] == '.' {
		return false
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
