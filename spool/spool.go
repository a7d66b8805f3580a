package spool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/softfax/softfax/t4"
	"github.com/softfax/softfax/templates"
)

// SendFunc places one call for job, whose rendered pages it reads from
// pages one at a time as the call sends them. It waits for a free line
// itself (ctx bounds the wait) and reports how the call ended.
type SendFunc func(ctx context.Context, job Job, pages *JobPages) Result

// NotifyFunc queues the notification email of a finished job to addr. It
// must be durable and idempotent (keyed by the job's ID): after a crash
// the spool calls it again for a job whose move to done/ or failed/ was
// cut off.
type NotifyFunc func(ctx context.Context, report templates.JobReport, addr string) error

// Options configure a Spool. Only Root and Send are required.
type Options struct {
	Root   string
	Send   SendFunc
	Notify NotifyFunc
	// Templates writes report.txt; default the embedded templates.
	Templates *templates.Set
	// Workers is how many jobs are rendered or sent at once (the number
	// of lines is the natural value); default 1.
	Workers int
	// Tries is the default number of calls per job (a sidecar may
	// change it); default 3.
	Tries int
	// Backoff is the wait after the first failed call, doubling to
	// MaxBackoff; defaults 2 minutes and 30 minutes.
	Backoff, MaxBackoff time.Duration
	// Settle is how long a file in outbound/ must be left unchanged before
	// it is taken (for writers that do not use temp name + rename);
	// default 2 s. OrphanAfter is how long a sidecar waits for its
	// document before it is refused; default 1 minute.
	Settle, OrphanAfter time.Duration
	// Scan is the period of the fallback scan of outbound/ (fsnotify
	// wakes it earlier); default 1 s.
	Scan time.Duration
	// MaxPages refuses longer documents; default 200. MaxBytes refuses
	// larger files before they are read; default 64 MiB.
	MaxPages int
	MaxBytes int64
	// RenderTimeout bounds ghostscript per document; default 2 minutes.
	RenderTimeout time.Duration
	Log           *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// RenderedTIFF is the rendered document in a job's folder: every page
// as sent, below the header line each call stamps (MMR).
const RenderedTIFF = "pages.tif"

// The folders under the root.
const (
	DirOutbound = "outbound"
	DirQueue    = "queue"
	DirDone     = "done"
	DirFailed   = "failed"
	DirInbound  = "inbound"
	DirTmp      = "tmp"
)

// Spool is the outbound queue and inbound archive under one root.
type Spool struct {
	opt Options
	log *slog.Logger

	mu   sync.Mutex
	jobs map[string]*Job // jobs in queue/
	busy map[string]bool // jobs a worker holds
	wake chan struct{}

	// rendering and archiving hold whole documents in memory (t4.Render
	// returns every page; fax.tif and fax.pdf are written from every
	// page): one at a time, so that memory is bounded by one document per
	// service, not one per worker or line. Both are CPU-bound and brief
	// beside a call.
	renderMu, archiveMu sync.Mutex
}

// Open creates the folders under opt.Root if needed. Nothing runs until Run.
func Open(opt Options) (*Spool, error) {
	if opt.Root == "" {
		return nil, errors.New("spool: no root folder")
	}
	if opt.Workers <= 0 {
		opt.Workers = 1
	}
	if opt.Tries <= 0 {
		opt.Tries = 3
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 2 * time.Minute
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 30 * time.Minute
	}
	if opt.Settle <= 0 {
		opt.Settle = 2 * time.Second
	}
	if opt.OrphanAfter <= 0 {
		opt.OrphanAfter = time.Minute
	}
	if opt.Scan <= 0 {
		opt.Scan = time.Second
	}
	if opt.MaxPages <= 0 {
		opt.MaxPages = 200
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 64 << 20
	}
	if opt.RenderTimeout <= 0 {
		opt.RenderTimeout = 2 * time.Minute
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
	for _, d := range []string{DirOutbound, DirQueue, DirDone, DirFailed, DirInbound, DirTmp} {
		if err := os.MkdirAll(filepath.Join(opt.Root, d), 0o750); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	return &Spool{
		opt: opt, log: opt.Log.With("component", "spool"),
		jobs: map[string]*Job{}, busy: map[string]bool{}, wake: make(chan struct{}, 1),
	}, nil
}

// Root is the spool's folder.
func (s *Spool) Root() string { return s.opt.Root }

func (s *Spool) path(parts ...string) string {
	return filepath.Join(append([]string{s.opt.Root}, parts...)...)
}

func (s *Spool) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run recovers what a crash left, then takes files from outbound/ and
// works the queue until ctx ends. Jobs in a call when ctx ends stay in
// the queue, their try not counted.
func (s *Spool) Run(ctx context.Context) error {
	if err := s.recover(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.watch(ctx) }()
	s.dispatch(ctx, &wg)
	wg.Wait()
	return nil
}

// recover completes staged intakes, interrupted moves and interrupted calls.
func (s *Spool) recover(ctx context.Context) error {
	staged, err := os.ReadDir(s.path(DirTmp))
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, e := range staged {
		if strings.HasPrefix(e.Name(), partialPrefix) {
			continue // a fax being received: RecoverFaxes
		}
		s.recoverStaged(ctx, e.Name())
	}
	queued, err := os.ReadDir(s.path(DirQueue))
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, e := range queued {
		dir := s.path(DirQueue, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, "job.json"))
		var j *Job
		if err == nil {
			j, err = UnmarshalJob(b)
		}
		if err != nil || j.ID != e.Name() {
			s.log.Error("unreadable job; moved to failed", "dir", dir, "err", err)
			if err := Move(dir, s.path(DirFailed, e.Name())); err != nil {
				s.log.Error("moving unreadable job", "err", err)
			}
			continue
		}
		switch j.State {
		case Done, Failed:
			s.finish(ctx, j, DirQueue)
			continue
		case Sending:
			j.Attempts = append(j.Attempts, Attempt{Time: s.opt.Now(), Outcome: Interrupted, Detail: "the service stopped during the call"})
			if j.Tries >= j.MaxTries {
				j.State, j.Reason = Failed, fmt.Sprintf("%d tries; the last was interrupted", j.Tries)
				s.finish(ctx, j, DirQueue)
				continue
			}
			j.State, j.NextTry = Ready, s.opt.Now()
			if err := s.save(j); err != nil {
				return err
			}
		}
		s.jobs[j.ID] = j
	}
	return nil
}

// recoverStaged finishes or undoes an intake cut off by a crash. The
// job.json is written before the document is moved in, so a staged folder
// without its document is undone (the file is still in outbound/).
func (s *Spool) recoverStaged(ctx context.Context, id string) {
	dir := s.path(DirTmp, id)
	b, err := os.ReadFile(filepath.Join(dir, "job.json"))
	var j *Job
	if err == nil {
		j, err = UnmarshalJob(b)
	}
	if err != nil || j.ID != id {
		os.RemoveAll(dir)
		return
	}
	if _, err := os.Lstat(filepath.Join(dir, j.Doc)); err != nil {
		os.RemoveAll(dir)
		return
	}
	if j.Sidecar != "" {
		if _, err := os.Lstat(s.path(DirOutbound, j.Sidecar)); err == nil {
			Move(s.path(DirOutbound, j.Sidecar), filepath.Join(dir, "sidecar.json"))
		}
	}
	if j.State == Failed {
		s.finish(ctx, j, DirTmp)
		return
	}
	if err := Move(dir, s.path(DirQueue, id)); err != nil {
		s.log.Error("recovering staged job", "job", id, "err", err)
		return
	}
	s.jobs[id] = j
}

// save writes j's job.json in the queue.
func (s *Spool) save(j *Job) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return WriteFile(s.path(DirQueue, j.ID, "job.json"), b, 0o640)
}

// watch takes complete files from outbound/, woken by fsnotify and by a
// periodic scan (which also catches files whose settle time has passed,
// and works alone where inotify is unavailable).
func (s *Spool) watch(ctx context.Context) {
	var events <-chan fsnotify.Event
	var errs <-chan error
	w, err := fsnotify.NewWatcher()
	if err == nil {
		err = w.Add(s.path(DirOutbound))
	}
	if err != nil {
		s.log.Warn("cannot watch the outbound folder; scanning only", "err", err)
	} else {
		defer w.Close()
		events, errs = w.Events, w.Errors
	}
	tick := time.NewTicker(s.opt.Scan)
	defer tick.Stop()
	for {
		s.scan(ctx)
		select {
		case <-ctx.Done():
			return
		case <-events:
		case err := <-errs:
			s.log.Warn("watching the outbound folder", "err", err)
		case <-tick.C:
		}
	}
}

// temporary says a name in outbound/ is still being written: hidden files
// and the usual temporary suffixes are left alone.
func temporary(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") ||
		strings.HasSuffix(name, ".part") || strings.HasSuffix(name, "~")
}

// scan takes every complete file in outbound/.
func (s *Spool) scan(ctx context.Context) {
	entries, err := os.ReadDir(s.path(DirOutbound))
	if err != nil {
		s.log.Error("reading the outbound folder", "err", err)
		return
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	now := s.opt.Now()
	settled := func(name string, age time.Duration) bool {
		fi, err := os.Lstat(s.path(DirOutbound, name))
		return err == nil && now.Sub(fi.ModTime()) >= age
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return
		}
		name := e.Name()
		if temporary(name) {
			continue
		}
		if doc, ok := strings.CutSuffix(name, ".json"); ok && doc != "" {
			if names[doc] {
				continue // taken with its document
			}
			if settled(name, s.opt.OrphanAfter) {
				s.intake(ctx, name, "", fmt.Errorf("a sidecar without its document %q", doc))
			}
			continue
		}
		if !settled(name, s.opt.Settle) {
			continue
		}
		side := ""
		var refuse error
		if names[name+".json"] {
			side = name + ".json"
			if !settled(side, s.opt.Settle) {
				continue
			}
			if fi, err := os.Lstat(s.path(DirOutbound, side)); err == nil && !fi.Mode().IsRegular() {
				refuse = errors.New("the sidecar is not a regular file")
			}
		}
		if e.Type()&fs.ModeType != 0 {
			refuse = errors.New("not a regular file")
		}
		s.intake(ctx, name, side, refuse)
	}
}

// intake moves one outbound file (and its sidecar) into the queue, or
// into failed/ with the reason it cannot be sent.
func (s *Spool) intake(ctx context.Context, name, side string, refuse error) {
	now := s.opt.Now()
	j := &Job{
		ID: newID(now), State: Queued, Name: name, Sidecar: side, Created: now,
		MaxTries: s.opt.Tries, Resolution: "fine", Doc: "document" + docExt(name),
	}
	reason := refuse
	if reason == nil && side != "" {
		b, err := readLimited(s.path(DirOutbound, side), MaxSidecar+1)
		var sc Sidecar
		if err == nil {
			sc, err = ParseSidecar(b)
		}
		if err != nil {
			reason = fmt.Errorf("sidecar %s: %w", side, err)
		} else {
			j.To, j.From, j.Notify = sc.To, sc.From, sc.Notify
			if sc.Resolution != "" {
				j.Resolution = strings.ToLower(sc.Resolution)
			}
			if sc.Tries > 0 {
				j.MaxTries = sc.Tries
			}
		}
	}
	if reason == nil && j.To == "" {
		base := strings.TrimSuffix(name, filepath.Ext(name))
		n, err := NormalizeNumber(base)
		if err != nil {
			reason = fmt.Errorf("no number to fax to: name the file NUMBER.ext (like 5550100.pdf) or add %s.json with \"to\"", name)
		}
		j.To = n
	}
	if reason == nil {
		// O_NOFOLLOW: a symlink swapped in after the scan is not followed.
		f, err := os.OpenFile(s.path(DirOutbound, name), os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
		var fi os.FileInfo
		if err == nil {
			fi, err = f.Stat()
			if err != nil || !fi.Mode().IsRegular() {
				f.Close()
				f, err = nil, errors.New("not a regular file")
			}
		}
		if err != nil {
			reason = fmt.Errorf("cannot read the file: %w", err)
		} else if fi.Size() > s.opt.MaxBytes {
			f.Close()
			reason = fmt.Errorf("larger than %d MiB", s.opt.MaxBytes>>20)
		} else {
			var one [1]byte
			if _, err := f.Read(one[:]); err == io.EOF {
				reason = errors.New("empty file")
			} else if err != nil {
				reason = fmt.Errorf("cannot read the file: %w", err)
			}
			f.Close()
		}
	}
	if reason != nil {
		j.State, j.Reason, j.Finished = Failed, reason.Error(), now
	}
	stage := s.path(DirTmp, j.ID)
	if err := os.Mkdir(stage, 0o750); err != nil {
		s.log.Error("staging a job", "err", err)
		return
	}
	b, _ := json.MarshalIndent(j, "", "  ")
	if err := WriteFile(filepath.Join(stage, "job.json"), b, 0o640); err != nil {
		s.log.Error("staging a job", "err", err)
		os.RemoveAll(stage)
		return
	}
	if err := Move(s.path(DirOutbound, name), filepath.Join(stage, j.Doc)); err != nil {
		s.log.Error("taking a file from outbound", "file", name, "err", err)
		os.RemoveAll(stage)
		return
	}
	if side != "" {
		if err := Move(s.path(DirOutbound, side), filepath.Join(stage, "sidecar.json")); err != nil {
			s.log.Error("taking a sidecar", "file", side, "err", err)
		}
	}
	if j.State == Failed {
		s.log.Warn("refused an outbound file", "file", name, "job", j.ID, "reason", j.Reason)
		s.finish(ctx, j, DirTmp)
		return
	}
	if err := Move(stage, s.path(DirQueue, j.ID)); err != nil {
		s.log.Error("queueing a job", "job", j.ID, "err", err)
		return // recover() completes it at the next start
	}
	s.log.Info("queued", "job", j.ID, "file", name, "to", j.To)
	s.mu.Lock()
	s.jobs[j.ID] = j
	s.mu.Unlock()
	s.poke()
}

// docExt keeps a harmless extension for the document's name in the job
// folder (the type is sniffed from the content anyway).
func docExt(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if len(ext) < 2 || len(ext) > 8 {
		return ""
	}
	for _, r := range ext[1:] {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return ext
}

func readLimited(path string, n int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

// dispatch hands due jobs to at most Workers goroutines until ctx ends.
func (s *Spool) dispatch(ctx context.Context, wg *sync.WaitGroup) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next := s.startDue(ctx, wg)
		wait := s.opt.Scan
		if !next.IsZero() {
			if d := next.Sub(s.opt.Now()); d < wait {
				wait = max(d, time.Millisecond)
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// startDue starts workers for due jobs, oldest first, and returns the
// earliest time a waiting job becomes due.
func (s *Spool) startDue(ctx context.Context, wg *sync.WaitGroup) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Now()
	due := make([]*Job, 0, len(s.jobs))
	var next time.Time
	for _, j := range s.jobs {
		if s.busy[j.ID] {
			continue
		}
		if j.State == Ready && j.NextTry.After(now) {
			if next.IsZero() || j.NextTry.Before(next) {
				next = j.NextTry
			}
			continue
		}
		due = append(due, j)
	}
	sort.Slice(due, func(a, b int) bool { return due[a].ID < due[b].ID })
	for _, j := range due {
		if len(s.busy) >= s.opt.Workers {
			break
		}
		s.busy[j.ID] = true
		cp := *j
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx, &cp)
			s.mu.Lock()
			delete(s.busy, cp.ID)
			if cp.State == Done || cp.State == Failed {
				delete(s.jobs, cp.ID)
			} else {
				s.jobs[cp.ID] = &cp
			}
			s.mu.Unlock()
			s.poke()
		}()
	}
	return next
}

// work renders j if needed and makes one call.
func (s *Spool) work(ctx context.Context, j *Job) {
	pages, err := s.jobPages(j)
	if j.State == Queued || err != nil {
		if err := s.render(ctx, j); err != nil {
			if ctx.Err() != nil {
				return
			}
			j.State, j.Reason, j.Finished = Failed, "document: "+err.Error(), s.opt.Now()
			s.log.Warn("document refused", "job", j.ID, "reason", j.Reason)
			s.finish(ctx, j, DirQueue)
			return
		}
		pages, err = s.jobPages(j)
	}
	if err != nil {
		j.State, j.Reason, j.Finished = Failed, "rendered pages: "+err.Error(), s.opt.Now()
		s.finish(ctx, j, DirQueue)
		return
	}
	j.State = Sending
	j.Tries++
	if err := s.save(j); err != nil {
		s.log.Error("saving job", "job", j.ID, "err", err)
		j.State, j.Tries = Ready, j.Tries-1
		return
	}
	s.log.Info("calling", "job", j.ID, "to", j.To, "try", j.Tries, "pages", pages.Len())
	res := s.opt.Send(ctx, *j, pages)
	now := s.opt.Now()
	if ctx.Err() != nil && res.Outcome != OK {
		// Shutting down: the try does not count; the job stays ready.
		j.State, j.Tries, j.NextTry = Ready, j.Tries-1, now
		s.save(j)
		return
	}
	j.Attempts = append(j.Attempts, Attempt{Time: now, Outcome: res.Outcome, Detail: res.Detail})
	if res.RemoteID != "" {
		j.RemoteID = res.RemoteID
	}
	if res.Rate != 0 {
		j.Rate = res.Rate
	}
	switch {
	case res.Outcome == OK:
		j.State, j.Finished, j.Reason = Done, now, ""
		s.log.Info("sent", "job", j.ID, "to", j.To, "pages", j.Pages, "remote", j.RemoteID)
		s.finish(ctx, j, DirQueue)
	case res.Permanent || j.Tries >= j.MaxTries:
		j.State, j.Finished = Failed, now
		j.Reason = fmt.Sprintf("%s after %d of %d tries", describe(res), j.Tries, j.MaxTries)
		if res.Permanent {
			j.Reason = describe(res) + " (not retried)"
		}
		s.log.Warn("job failed", "job", j.ID, "to", j.To, "reason", j.Reason)
		s.finish(ctx, j, DirQueue)
	default:
		j.State, j.NextTry = Ready, now.Add(s.backoff(j.Tries))
		s.log.Info("will retry", "job", j.ID, "outcome", res.Outcome, "detail", res.Detail, "at", j.NextTry)
		if err := s.save(j); err != nil {
			s.log.Error("saving job", "job", j.ID, "err", err)
		}
	}
}

func describe(r Result) string {
	if r.Detail == "" {
		return string(r.Outcome)
	}
	return string(r.Outcome) + ": " + r.Detail
}

// backoff is the wait after the tries-th failed call.
func (s *Spool) backoff(tries int) time.Duration {
	d := s.opt.Backoff
	for i := 1; i < tries && d < s.opt.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.opt.MaxBackoff)
}

// render turns the document into pages.tif (MMR), the rendered document
// that stays with the job when it is done, and one MMR TIFF per page that
// calls read (see JobPages; finish removes them). The job becomes ready
// only after the last file is on disk: a crash before leaves it queued,
// and it is rendered again.
func (s *Spool) render(ctx context.Context, j *Job) error {
	dir := s.path(DirQueue, j.ID)
	data, err := os.ReadFile(filepath.Join(dir, j.Doc))
	if err != nil {
		return err
	}
	res, err := ParseResolution(j.Resolution)
	if err != nil {
		return err
	}
	s.renderMu.Lock()
	defer s.renderMu.Unlock()
	pages, err := t4.Render(ctx, j.Name, data, t4.RenderOptions{Res: res, MaxPages: s.opt.MaxPages, Timeout: s.opt.RenderTimeout})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t4.WriteTIFF(&b, pages, t4.TIFFOptions{Compression: t4.MMR}); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(dir, RenderedTIFF), b.Bytes(), 0o640); err != nil {
		return err
	}
	for i, p := range pages {
		if err := writePage(dir, i+1, p); err != nil {
			return err
		}
	}
	j.Pages, j.State = len(pages), Ready
	return s.save(j)
}

// finish writes the reports of a job in a final state, queues its
// notification and moves its folder (in from: queue/ or tmp/) to done/ or
// failed/. Each step can be repeated after a crash.
func (s *Spool) finish(ctx context.Context, j *Job, from string) {
	dir := s.path(from, j.ID)
	dest := DirDone
	if j.State != Done {
		dest = DirFailed
	}
	if j.Finished.IsZero() {
		j.Finished = s.opt.Now()
	}
	rep := j.Report()
	jb, _ := json.MarshalIndent(j, "", "  ")
	rb, _ := json.MarshalIndent(rep, "", "  ")
	txt, err := s.opt.Templates.Execute(templates.Report, rep)
	if err != nil {
		txt = fmt.Sprintf("job %s: %s %s (report template: %v)\n", j.ID, j.State, j.Reason, err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"job.json", jb}, {"report.json", rb}, {"report.txt", []byte(txt)}} {
		if err := WriteFile(filepath.Join(dir, f.name), f.data, 0o640); err != nil {
			s.log.Error("writing the report", "job", j.ID, "err", err)
			return
		}
	}
	if s.opt.Notify != nil && j.Notify != "" {
		if err := s.opt.Notify(ctx, rep, j.Notify); err != nil {
			s.log.Error("queueing the notification", "job", j.ID, "err", err)
		}
	}
	if err := Move(dir, s.path(dest, j.ID)); err != nil {
		s.log.Error("moving a finished job", "job", j.ID, "err", err)
		return
	}
	// The page files served the calls; pages.tif keeps what was sent.
	for n := 1; n <= j.Pages; n++ {
		os.Remove(s.path(dest, j.ID, pageName(n)))
	}
}

// Jobs returns a copy of the jobs in the queue, oldest first.
func (s *Spool) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, *j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// ReadJobs reads the job.json of every job in folder (DirQueue, DirDone or
// DirFailed) of the spool at root, newest first, at most limit (0: all).
// It needs no running Spool: softfax status uses it.
func ReadJobs(root, folder string, limit int) ([]Job, error) {
	entries, err := os.ReadDir(filepath.Join(root, folder))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var out []Job
	for i := len(entries) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		b, err := os.ReadFile(filepath.Join(root, folder, entries[i].Name(), "job.json"))
		if err != nil {
			continue
		}
		if j, err := UnmarshalJob(b); err == nil {
			out = append(out, *j)
		}
	}
	return out, nil
}
