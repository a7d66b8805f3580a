package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/softfax/softfax/spool"
	"github.com/softfax/softfax/templates"
)

// Route sends the faxes for some DIDs to email addresses and/or a folder.
// Exactly one of DID (exact), Prefix and Default selects it.
type Route struct {
	DID     string
	Prefix  string
	Default bool
	Email   []string
	Folder  string
	Formats []string // "pdf" and/or "tiff"; default pdf
}

// Match picks the route for did: an exact DID, else the longest prefix,
// else the default. ok is false when nothing matches.
func Match(routes []Route, did string) (r Route, ok bool) {
	best := -1
	for i, rt := range routes {
		if rt.DID != "" && rt.DID == did {
			return rt, true
		}
		if rt.Prefix != "" && strings.HasPrefix(did, rt.Prefix) && (best < 0 || len(rt.Prefix) > len(routes[best].Prefix)) {
			best = i
		}
	}
	if best >= 0 {
		return routes[best], true
	}
	for _, rt := range routes {
		if rt.Default {
			return rt, true
		}
	}
	return Route{}, false
}

// SMTP is the mail server. With Host empty, mails are written as .eml
// files into EMLDir.
type SMTP struct {
	Addr     string // host:port
	Host     string
	TLS      string // "starttls", "tls" or "none"
	User     string
	Password string
	From     string
	EMLDir   string
	// InsecureSkipVerify accepts any certificate (tests).
	InsecureSkipVerify bool
	// Timeout bounds each SMTP exchange; default 2 minutes.
	Timeout time.Duration
}

// Options configure a Deliverer. Root is required.
type Options struct {
	// Root holds the delivery queue: queue/, done/ and failed/ of one
	// JSON record per delivery.
	Root      string
	Routes    []Route
	SMTP      SMTP
	Templates *templates.Set
	// Backoff (doubling to MaxBackoff) paces retries; a delivery that
	// still fails after GiveUp is failed. Defaults 30 s, 30 min, 72 h.
	Backoff, MaxBackoff, GiveUp time.Duration
	// Hostname is the right-hand side of Message-IDs; default the domain
	// of SMTP.From.
	Hostname string
	Log      *slog.Logger
	Now      func() time.Time
}

// Target states.
const (
	Pending = "pending"
	Sending = "sending" // the SMTP exchange began; a crash here resends
	Sent    = "done"
	Failed  = "failed"
)

// Target is one destination of a delivery.
type Target struct {
	Kind    string   `json:"kind"` // "email", "eml" or "folder"
	To      []string `json:"to,omitempty"`
	Folder  string   `json:"folder,omitempty"`
	Formats []string `json:"formats,omitempty"`
	State   string   `json:"state"`
	Tries   int      `json:"tries"`
	Error   string   `json:"error,omitempty"`
	// Resends counts sends repeated because a crash cut the SMTP exchange
	// off: the receiver may see the same Message-ID twice.
	Resends int `json:"resends,omitempty"`
}

// Delivery is one fax's (or one job notification's) deliveries: a JSON
// file in the queue, rewritten atomically at every change.
type Delivery struct {
	ID        string               `json:"id"` // "fax-FAXID" or "job-JOBID"
	MessageID string               `json:"message_id"`
	Fax       *spool.Fax           `json:"fax,omitempty"`
	FaxDir    string               `json:"fax_dir,omitempty"`
	Report    *templates.JobReport `json:"report,omitempty"`
	Targets   []Target             `json:"targets"`
	Created   time.Time            `json:"created"`
	NextTry   time.Time            `json:"next_try,omitzero"`
	LastError string               `json:"last_error,omitempty"`
}

// Deliverer works the delivery queue.
type Deliverer struct {
	opt  Options
	log  *slog.Logger
	wake chan struct{}

	mu    sync.Mutex
	stats Stats
}

// Stats count what a Deliverer did since it started.
type Stats struct {
	Sent, Retried, Failed, Resent int
	LastError                     string
	LastErrorTime                 time.Time
	Queued                        int
}

// The folders under Root.
const (
	dirQueue  = "queue"
	dirDone   = "done"
	dirFailed = "failed"
)

// Open creates the queue folders.
func Open(opt Options) (*Deliverer, error) {
	if opt.Root == "" {
		return nil, errors.New("delivery: no root folder")
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 30 * time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 30 * time.Minute
	}
	if opt.GiveUp <= 0 {
		opt.GiveUp = 72 * time.Hour
	}
	if opt.SMTP.Timeout <= 0 {
		opt.SMTP.Timeout = 2 * time.Minute
	}
	if opt.SMTP.From == "" {
		opt.SMTP.From = "softfax@localhost"
	}
	if opt.Hostname == "" {
		opt.Hostname = "softfax.invalid"
		if _, dom, ok := strings.Cut(bareAddr(opt.SMTP.From), "@"); ok && dom != "" {
			opt.Hostname = dom
		}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Templates == nil {
		t, err := templates.Load("")
		if err != nil {
			return nil, err
		}
		opt.Templates = t
	}
	if opt.SMTP.Host == "" && opt.SMTP.EMLDir == "" {
		opt.SMTP.EMLDir = filepath.Join(opt.Root, "eml")
	}
	for _, d := range []string{dirQueue, dirDone, dirFailed} {
		if err := os.MkdirAll(filepath.Join(opt.Root, d), 0o750); err != nil {
			return nil, fmt.Errorf("delivery: %w", err)
		}
	}
	return &Deliverer{opt: opt, log: opt.Log.With("component", "delivery"), wake: make(chan struct{}, 1)}, nil
}

// Stats returns the counters.
func (d *Deliverer) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.stats
	if es, err := os.ReadDir(filepath.Join(d.opt.Root, dirQueue)); err == nil {
		s.Queued = len(es)
	}
	return s
}

func (d *Deliverer) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// EnqueueFax queues the deliveries of an archived fax by its DID's route.
// It is idempotent: a fax already queued or delivered is not queued again.
// A fax whose DID matches no route is logged and recorded as failed.
func (d *Deliverer) EnqueueFax(f spool.Fax, faxDir string) error {
	id := "fax-" + f.ID
	if d.known(id) {
		return nil
	}
	del := &Delivery{ID: id, MessageID: fmt.Sprintf("<%s.fax@%s>", f.ID, d.opt.Hostname), Fax: &f, FaxDir: faxDir, Created: d.opt.Now()}
	rt, ok := Match(d.opt.Routes, f.DID)
	if !ok {
		// Without routes at all, everything goes to the mail fallback.
		if len(d.opt.Routes) == 0 {
			rt, ok = Route{Email: []string{d.opt.SMTP.From}}, true
		}
	}
	if !ok {
		del.LastError = fmt.Sprintf("no route for DID %q; the fax stays in the archive", f.DID)
		d.log.Error("no route", "fax", f.ID, "did", f.DID)
		return d.write(dirFailed, del)
	}
	formats := rt.Formats
	if len(formats) == 0 {
		formats = []string{"pdf"}
	}
	if len(rt.Email) > 0 {
		del.Targets = append(del.Targets, Target{Kind: d.mailKind(), To: rt.Email, Formats: formats, State: Pending})
	}
	if rt.Folder != "" {
		del.Targets = append(del.Targets, Target{Kind: "folder", Folder: rt.Folder, Formats: formats, State: Pending})
	}
	if err := d.write(dirQueue, del); err != nil {
		return err
	}
	d.poke()
	return nil
}

// EnqueueNotify queues the notification mail of a finished outbound job;
// it has the shape of spool.NotifyFunc and is idempotent by job ID.
func (d *Deliverer) EnqueueNotify(_ context.Context, rep templates.JobReport, addr string) error {
	id := "job-" + rep.JobID
	if d.known(id) {
		return nil
	}
	del := &Delivery{
		ID: id, MessageID: fmt.Sprintf("<%s.job@%s>", rep.JobID, d.opt.Hostname), Report: &rep, Created: d.opt.Now(),
		Targets: []Target{{Kind: d.mailKind(), To: []string{addr}, State: Pending}},
	}
	if err := d.write(dirQueue, del); err != nil {
		return err
	}
	d.poke()
	return nil
}

func (d *Deliverer) mailKind() string {
	if d.opt.SMTP.Host == "" {
		return "eml"
	}
	return "email"
}

// known says a delivery with this ID exists in any folder.
func (d *Deliverer) known(id string) bool {
	for _, dir := range []string{dirQueue, dirDone, dirFailed} {
		if _, err := os.Stat(filepath.Join(d.opt.Root, dir, id+".json")); err == nil {
			return true
		}
	}
	return false
}

func (d *Deliverer) write(dir string, del *Delivery) error {
	b, err := json.MarshalIndent(del, "", "  ")
	if err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	return spool.WriteFile(filepath.Join(d.opt.Root, dir, del.ID+".json"), b, 0o640)
}

// Run works the queue until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next := d.runDue(ctx)
		wait := time.Minute
		if !next.IsZero() {
			wait = max(next.Sub(d.opt.Now()), time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// runDue delivers every due record and returns when the next one is due.
func (d *Deliverer) runDue(ctx context.Context) time.Time {
	entries, err := os.ReadDir(filepath.Join(d.opt.Root, dirQueue))
	if err != nil {
		d.log.Error("reading the delivery queue", "err", err)
		return d.opt.Now().Add(time.Minute)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var next time.Time
	for _, n := range names {
		if ctx.Err() != nil {
			return time.Time{}
		}
		p := filepath.Join(d.opt.Root, dirQueue, n)
		b, err := os.ReadFile(p)
		var del Delivery
		if err == nil {
			err = json.Unmarshal(b, &del)
		}
		if err != nil || del.ID+".json" != n {
			d.log.Error("unreadable delivery; moved to failed", "file", n, "err", err)
			spool.Move(p, filepath.Join(d.opt.Root, dirFailed, n))
			continue
		}
		if del.NextTry.After(d.opt.Now()) {
			if next.IsZero() || del.NextTry.Before(next) {
				next = del.NextTry
			}
			continue
		}
		d.deliver(ctx, &del)
		if !del.NextTry.IsZero() && del.NextTry.After(d.opt.Now()) && (next.IsZero() || del.NextTry.Before(next)) {
			next = del.NextTry
		}
	}
	return next
}

// deliver tries every unfinished target of del once.
func (d *Deliverer) deliver(ctx context.Context, del *Delivery) {
	var errs []string
	for i := range del.Targets {
		t := &del.Targets[i]
		if t.State == Sent || t.State == Failed {
			continue
		}
		if t.State == Sending {
			// A crash cut the exchange off: the server may have the mail.
			t.Resends++
			d.count(func(s *Stats) { s.Resent++ })
			d.log.Warn("resending a mail whose SMTP exchange was cut off", "delivery", del.ID, "message_id", del.MessageID)
		}
		t.Tries++
		if t.Kind == "email" {
			t.State = Sending
			if err := d.write(dirQueue, del); err != nil {
				d.log.Error("saving a delivery", "err", err)
				return
			}
		}
		err := d.deliverTarget(ctx, del, t)
		if err == nil {
			t.State, t.Error = Sent, ""
			d.count(func(s *Stats) { s.Sent++ })
			d.log.Info("delivered", "delivery", del.ID, "kind", t.Kind, "to", strings.Join(t.To, ","), "folder", t.Folder)
			continue
		}
		t.Error = err.Error()
		d.count(func(s *Stats) { s.LastError, s.LastErrorTime = del.ID+": "+err.Error(), d.opt.Now() })
		if permanent(err) || d.opt.Now().Sub(del.Created) > d.opt.GiveUp {
			t.State = Failed
			d.count(func(s *Stats) { s.Failed++ })
			d.log.Error("delivery failed", "delivery", del.ID, "kind", t.Kind, "err", err)
		} else {
			t.State = Pending
			errs = append(errs, err.Error())
			d.count(func(s *Stats) { s.Retried++ })
			d.log.Warn("delivery will be retried", "delivery", del.ID, "kind", t.Kind, "err", err)
		}
	}
	if len(errs) > 0 {
		tries := 0
		for _, t := range del.Targets {
			tries = max(tries, t.Tries)
		}
		del.LastError = strings.Join(errs, "; ")
		del.NextTry = d.opt.Now().Add(d.backoff(tries))
		if err := d.write(dirQueue, del); err != nil {
			d.log.Error("saving a delivery", "err", err)
		}
		return
	}
	dest := dirDone
	for _, t := range del.Targets {
		if t.State == Failed {
			dest = dirFailed
		}
	}
	// Write the final record to the destination, then drop the queued one:
	// a crash between the two leaves both, and known() keeps it done.
	if err := d.write(dest, del); err != nil {
		d.log.Error("saving a delivery", "err", err)
		return
	}
	if err := os.Remove(filepath.Join(d.opt.Root, dirQueue, del.ID+".json")); err != nil {
		d.log.Error("removing a delivered record", "err", err)
	}
	spool.SyncDir(filepath.Join(d.opt.Root, dirQueue))
}

func (d *Deliverer) count(f func(*Stats)) {
	d.mu.Lock()
	f(&d.stats)
	d.mu.Unlock()
}

func (d *Deliverer) backoff(tries int) time.Duration {
	b := d.opt.Backoff
	for i := 1; i < tries && b < d.opt.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.opt.MaxBackoff)
}

// permanentError marks a failure retrying cannot cure.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

func (d *Deliverer) deliverTarget(ctx context.Context, del *Delivery, t *Target) error {
	switch t.Kind {
	case "folder":
		return d.toFolder(del, t)
	case "eml", "email":
		msg, err := d.compose(del, t)
		if err != nil {
			return permanentError{err}
		}
		if t.Kind == "eml" {
			dir := d.opt.SMTP.EMLDir
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return fmt.Errorf("delivery: %w", err)
			}
			return spool.WriteFile(filepath.Join(dir, del.ID+".eml"), msg, 0o640)
		}
		return d.sendSMTP(ctx, t.To, msg)
	}
	return permanentError{fmt.Errorf("delivery: unknown target kind %q", t.Kind)}
}

// toFolder copies the fax's files into the route's folder under names
// made only of the fax ID and a sanitised DID, so no DID or caller name
// can choose a path.
func (d *Deliverer) toFolder(del *Delivery, t *Target) error {
	if del.Fax == nil {
		return permanentError{errors.New("delivery: a folder target without a fax")}
	}
	if err := os.MkdirAll(t.Folder, 0o750); err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	for _, f := range attachments(del, t.Formats) {
		b, err := os.ReadFile(filepath.Join(del.FaxDir, f.src))
		if err != nil {
			return permanentError{fmt.Errorf("delivery: %w", err)}
		}
		if err := spool.WriteFile(filepath.Join(t.Folder, f.name), b, 0o640); err != nil {
			return err
		}
	}
	return nil
}

type attachment struct{ src, name, ctype string }

// attachments lists the fax files a target wants, with the names they get.
func attachments(del *Delivery, formats []string) []attachment {
	if del.Fax == nil || len(del.Fax.Files) == 0 {
		return nil
	}
	base := "fax-" + SafeName(del.Fax.DID) + "-" + del.Fax.ID
	var out []attachment
	for _, f := range formats {
		switch f {
		case "pdf":
			out = append(out, attachment{spool.FaxPDF, base + ".pdf", "application/pdf"})
		case "tiff":
			out = append(out, attachment{spool.FaxTIFF, base + ".tif", "image/tiff"})
		}
	}
	return out
}

// SafeName keeps letters, digits, '+', '-' and '_' of s (at most 32),
// or "unknown": what a DID or caller number may contribute to a file name.
func SafeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 32 {
			break
		}
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '+' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}
