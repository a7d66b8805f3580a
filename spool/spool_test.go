package spool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/softfax/softfax/t4"
	"github.com/softfax/softfax/templates"
)

// fakeLine answers calls from a script of outcomes (the last repeats).
type fakeLine struct {
	mu       sync.Mutex
	script   []Outcome
	calls    []Job
	pages    []int
	notified []string
}

func (f *fakeLine) send(ctx context.Context, j Job, pages *JobPages) Result {
	// Like a sending session: take pages until io.EOF.
	n := 0
	for {
		p, err := pages.NextPage()
		if err == io.EOF {
			break
		}
		if err != nil || p.Width != 1728 {
			return Result{Outcome: CallFailed, Detail: fmt.Sprintf("page %d: %v", n+1, err)}
		}
		n++
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, j)
	if n != pages.Len() {
		n = -n // caught by the tests' page counts
	}
	f.pages = append(f.pages, n)
	o := OK
	if len(f.script) > 0 {
		o = f.script[0]
		if len(f.script) > 1 {
			f.script = f.script[1:]
		}
	}
	return Result{Outcome: o, RemoteID: "+1 555 0199", Rate: 9600, Detail: "scripted"}
}

// seen returns copies of what the fake recorded.
func (f *fakeLine) seen() (calls []Job, pages []int, notified []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Job(nil), f.calls...), append([]int(nil), f.pages...), append([]string(nil), f.notified...)
}

func (f *fakeLine) notify(ctx context.Context, r templates.JobReport, addr string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notified = append(f.notified, r.JobID+" "+r.State+" "+addr)
	return nil
}

func startSpool(t *testing.T, root string, f *fakeLine, tune func(*Options)) (*Spool, func()) {
	t.Helper()
	opt := Options{
		Root: root, Send: f.send, Notify: f.notify, Workers: 2, Tries: 3,
		Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Settle: 20 * time.Millisecond, OrphanAfter: 200 * time.Millisecond, Scan: 10 * time.Millisecond,
		MaxPages: 50,
	}
	if tune != nil {
		tune(&opt)
	}
	s, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return s, func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// drop writes a file into outbound/ the safe way: temp name, then rename.
func drop(t *testing.T, root, name string, data []byte) {
	t.Helper()
	tmp := filepath.Join(root, DirOutbound, ".drop-"+strings.ReplaceAll(name, "/", "_"))
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(root, DirOutbound, name)); err != nil {
		t.Fatal(err)
	}
}

// waitJobs waits until done/ and failed/ hold n jobs together.
func waitJobs(t *testing.T, root string, n int) (done, failed []Job) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		done, _ = ReadJobs(root, DirDone, 0)
		failed, _ = ReadJobs(root, DirFailed, 0)
		if len(done)+len(failed) >= n {
			return done, failed
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timeout: %d done, %d failed, want %d", len(done), len(failed), n)
	return nil, nil
}

func TestSendsDroppedFile(t *testing.T) {
	root := t.TempDir()
	f := &fakeLine{}
	_, stop := startSpool(t, root, f, nil)
	defer stop()
	drop(t, root, "+1 (555) 010-0100.txt", []byte("Hello\fpage two\n"))
	done, failed := waitJobs(t, root, 1)
	if len(done) != 1 || len(failed) != 0 {
		t.Fatalf("done %v failed %v", done, failed)
	}
	j := done[0]
	if j.To != "+15550100100" || j.Pages != 2 || j.Tries != 1 || j.RemoteID != "+1 555 0199" {
		t.Errorf("job %+v", j)
	}
	if _, pages, _ := f.seen(); pages[0] != 2 {
		t.Errorf("sender got %d pages", pages[0])
	}
	dir := filepath.Join(root, DirDone, j.ID)
	txt, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil || !strings.Contains(string(txt), "done") || !strings.Contains(string(txt), "+15550100100") {
		t.Errorf("report.txt %q %v", txt, err)
	}
	var rep templates.JobReport
	b, _ := os.ReadFile(filepath.Join(dir, "report.json"))
	if err := json.Unmarshal(b, &rep); err != nil || rep.State != "done" || rep.Pages != 2 {
		t.Errorf("report.json %s %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "document.txt")); err != nil {
		t.Errorf("document not kept: %v", err)
	}
	// The rendered document stays; the page files the call read go.
	if tp, err := readTIFFFile(filepath.Join(dir, RenderedTIFF)); err != nil || len(tp) != 2 {
		t.Errorf("%s: %d pages, %v", RenderedTIFF, len(tp), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "page-*.tif")); len(left) != 0 {
		t.Errorf("page files left in done/: %v", left)
	}
	if es, _ := os.ReadDir(filepath.Join(root, DirOutbound)); len(es) != 0 {
		t.Errorf("outbound not empty: %v", es)
	}
}

func TestSidecarAndNotify(t *testing.T) {
	root := t.TempDir()
	f := &fakeLine{}
	_, stop := startSpool(t, root, f, nil)
	defer stop()
	// The sidecar first, then the document: the pair is taken together.
	drop(t, root, "letter to bob.txt.json", []byte(`{"to":"+1 555 0101","notify":"alice@example.com","resolution":"standard","tries":2}`))
	drop(t, root, "letter to bob.txt", []byte("Dear Bob\n"))
	done, _ := waitJobs(t, root, 1)
	if len(done) != 1 {
		t.Fatal("not sent")
	}
	j := done[0]
	if j.To != "+15550101" || j.MaxTries != 2 || j.Resolution != "standard" || j.Notify != "alice@example.com" {
		t.Errorf("sidecar not applied: %+v", j)
	}
	if _, _, notified := f.seen(); len(notified) != 1 || notified[0] != j.ID+" done alice@example.com" {
		t.Errorf("notified %v", notified)
	}
	if _, err := os.Stat(filepath.Join(root, DirDone, j.ID, "sidecar.json")); err != nil {
		t.Error("sidecar not kept with the job")
	}
}

func TestRetryThenSuccess(t *testing.T) {
	root := t.TempDir()
	f := &fakeLine{script: []Outcome{Busy, NoAnswer, OK}}
	_, stop := startSpool(t, root, f, nil)
	defer stop()
	drop(t, root, "5550102.txt", []byte("x\n"))
	done, _ := waitJobs(t, root, 1)
	if len(done) != 1 {
		t.Fatal("not done")
	}
	j := done[0]
	if j.Tries != 3 || len(j.Attempts) != 3 || j.Attempts[0].Outcome != Busy || j.Attempts[1].Outcome != NoAnswer {
		t.Errorf("attempts %+v", j.Attempts)
	}
	if gap := j.Attempts[2].Time.Sub(j.Attempts[1].Time); gap < 10*time.Millisecond {
		t.Errorf("second backoff %v, want >= 10ms (5ms doubled)", gap)
	}
}

func TestGivesUp(t *testing.T) {
	root := t.TempDir()
	f := &fakeLine{script: []Outcome{Busy}}
	_, stop := startSpool(t, root, f, nil)
	defer stop()
	drop(t, root, "5550103.txt", []byte("x\n"))
	_, failed := waitJobs(t, root, 1)
	if len(failed) != 1 || failed[0].Tries != 3 || !strings.Contains(failed[0].Reason, "after 3 of 3 tries") {
		t.Fatalf("failed %+v", failed)
	}
}

func TestBackoffDoublesToLimit(t *testing.T) {
	s := &Spool{opt: Options{Backoff: time.Minute, MaxBackoff: 5 * time.Minute}}
	for tries, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 4: 5 * time.Minute, 30: 5 * time.Minute} {
		if got := s.backoff(tries); got != want {
			t.Errorf("backoff(%d) = %v, want %v", tries, got, want)
		}
	}
}

// TestBadInput drops every kind of bad file next to a good one: each bad
// one ends in failed/ with a reason, the good one is sent.
func TestBadInput(t *testing.T) {
	root := t.TempDir()
	f := &fakeLine{}
	_, stop := startSpool(t, root, f, func(o *Options) { o.OrphanAfter = 50 * time.Millisecond; o.MaxBytes = 1 << 20 })
	defer stop()
	var thousand strings.Builder
	for range 1000 {
		thousand.WriteString("page\f")
	}
	cases := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"5550110.pdf", []byte{}, "empty file"},
		{"5550111.pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage\n"), "document:"},
		{"5550112.bin", []byte{0x00, 0x01, 0x02, 0xff, 0xfe, 0x80, 0x81, 0x00}, "unknown document format"},
		{"hello.txt", []byte("hi\n"), "no number to fax to"},
		{"5550113.txt", []byte(thousand.String()), "too many pages"},
		{`5550114 "quoted".txt`, []byte("x\n"), "no number"},
		{"$(reboot);5550115.txt", []byte("x\n"), "no number"},
		{"5550116 `id` | cat.txt", []byte("x\n"), "no number"},
		{"orphan.pdf.json", []byte(`{"to":"5550117"}`), "sidecar without its document"},
		{"evil.txt.json", []byte(`{"to":"../../etc/passwd"}`), "bad sidecar"},
		{"evil.txt", []byte("x\n"), "bad sidecar"},
		{"typo.txt.json", []byte(`{"to":"5550118","notfiy":"a@b"}`), "unknown field"},
		{"typo.txt", []byte("x\n"), "unknown field"},
		{"5550124.txt", bytes.Repeat([]byte("big\n"), 300000), "larger than 1 MiB"},
		{"linked.txt", []byte("x\n"), "sidecar is not a regular file"},
	}
	good := "5550119.txt"
	drop(t, root, good, []byte("fine\n"))
	spaced := "(555) 011-6000.txt"
	drop(t, root, spaced, []byte("fine\n"))
	for _, c := range cases {
		drop(t, root, c.name, c.data)
	}
	if err := os.Mkdir(filepath.Join(root, DirOutbound, "5550120.dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nonexistent", filepath.Join(root, DirOutbound, "5550121.pdf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(root, DirOutbound, "linked.txt.json")); err != nil {
		t.Fatal(err)
	}
	want := 2 + len(cases) - 2 + 2  // two sidecars are taken with their documents; a folder and a symlink
	unreadable := os.Geteuid() != 0 // root reads anything
	if unreadable {
		drop(t, root, "5550122.txt", []byte("secret\n"))
		os.Chmod(filepath.Join(root, DirOutbound, "5550122.txt"), 0)
		want++
	}
	drop(t, root, "..5550123.txt", []byte("hidden\n")) // a hidden file is left alone
	waitJobs(t, root, want-1)
	time.Sleep(100 * time.Millisecond)
	done, _ := ReadJobs(root, DirDone, 0)
	failed, _ := ReadJobs(root, DirFailed, 0)
	byName := map[string]Job{}
	for _, j := range append(done, failed...) {
		byName[j.Name] = j
	}
	if j, ok := byName[good]; !ok || j.State != Done {
		t.Errorf("the good file: %+v", j)
	}
	if j := byName[spaced]; j.State != Done || j.To != "5550116000" {
		t.Errorf("a number with spaces and brackets: %+v", j)
	}
	for _, c := range cases {
		j, ok := byName[c.name]
		if strings.HasSuffix(c.name, ".txt.json") {
			continue
		}
		if !ok {
			t.Errorf("%q: no outcome", c.name)
			continue
		}
		if j.State != Failed || !strings.Contains(j.Reason, c.reason) {
			t.Errorf("%q: %s %q, want failed with %q", c.name, j.State, j.Reason, c.reason)
		}
		if j.State == Failed {
			if _, err := os.Stat(filepath.Join(root, DirFailed, j.ID, "report.txt")); err != nil {
				t.Errorf("%q: no report", c.name)
			}
		}
	}
	for _, n := range []string{"5550120.dir", "5550121.pdf"} {
		if j := byName[n]; j.State != Failed || !strings.Contains(j.Reason, "not a regular file") {
			t.Errorf("%q: %+v", n, j)
		}
	}
	if unreadable {
		if j := byName["5550122.txt"]; j.State != Failed || !strings.Contains(j.Reason, "cannot read") {
			t.Errorf("unreadable: %+v", j)
		}
	}
	left, _ := os.ReadDir(filepath.Join(root, DirOutbound))
	if len(left) != 1 || left[0].Name() != "..5550123.txt" {
		t.Errorf("outbound holds %v, want only the hidden file", left)
	}
	calls, _, _ := f.seen()
	for _, c := range calls {
		if c.Name != good && c.Name != spaced {
			t.Errorf("called for %q", c.Name)
		}
	}
}

func TestSettleTime(t *testing.T) {
	root := t.TempDir()
	f := &fakeLine{}
	_, stop := startSpool(t, root, f, func(o *Options) { o.Settle = 300 * time.Millisecond })
	defer stop()
	// Written in place, slowly: not taken while it changes.
	p := filepath.Join(root, DirOutbound, "5550130.txt")
	w, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		w.WriteString("line\n")
		w.Sync()
		time.Sleep(100 * time.Millisecond)
		if _, err := os.Stat(p); err != nil {
			t.Fatal("taken while still being written")
		}
	}
	w.Close()
	done, _ := waitJobs(t, root, 1)
	if len(done) != 1 {
		t.Fatal("not sent")
	}
	b, _ := os.ReadFile(filepath.Join(root, DirDone, done[0].ID, "document.txt"))
	if string(b) != strings.Repeat("line\n", 4) {
		t.Errorf("document %q", b)
	}
}

func writeJob(t *testing.T, dir string, j *Job) {
	t.Helper()
	os.MkdirAll(dir, 0o750)
	b, _ := json.Marshal(j)
	if err := WriteFile(filepath.Join(dir, "job.json"), b, 0o640); err != nil {
		t.Fatal(err)
	}
}

// TestRecovery lays out what a crash at each step leaves and checks that
// a restart completes every job.
func TestRecovery(t *testing.T) {
	root := t.TempDir()
	if _, err := Open(Options{Root: root, Send: (&fakeLine{}).send}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// 1. staged, document not yet moved: undone, the file is taken again.
	writeJob(t, filepath.Join(root, DirTmp, "a1"), &Job{ID: "a1", State: Queued, Name: "5550140.txt", Doc: "document.txt", To: "5550140", MaxTries: 3, Resolution: "fine"})
	os.WriteFile(filepath.Join(root, DirOutbound, "5550140.txt"), []byte("a1\n"), 0o644)
	// 2. staged with the document: queued.
	writeJob(t, filepath.Join(root, DirTmp, "a2"), &Job{ID: "a2", State: Queued, Name: "5550141.txt", Doc: "document.txt", To: "5550141", MaxTries: 3, Resolution: "fine"})
	os.WriteFile(filepath.Join(root, DirTmp, "a2", "document.txt"), []byte("a2\n"), 0o644)
	// 3. a call cut off, tries left: retried.
	writeJob(t, filepath.Join(root, DirQueue, "a3"), &Job{ID: "a3", State: Sending, Name: "5550142.txt", Doc: "document.txt", To: "5550142", Tries: 1, MaxTries: 3, Resolution: "fine"})
	os.WriteFile(filepath.Join(root, DirQueue, "a3", "document.txt"), []byte("a3\n"), 0o644)
	// 4. a call cut off, no tries left: failed.
	writeJob(t, filepath.Join(root, DirQueue, "a4"), &Job{ID: "a4", State: Sending, Name: "5550143.txt", Doc: "document.txt", To: "5550143", Tries: 2, MaxTries: 2, Resolution: "fine"})
	// 5. done, the move cut off: moved, notified.
	writeJob(t, filepath.Join(root, DirQueue, "a5"), &Job{ID: "a5", State: Done, Name: "5550144.txt", To: "5550144", Tries: 1, MaxTries: 3, Finished: now, Notify: "n@example.com"})
	// 6. garbage job.json: moved to failed, the rest goes on.
	os.MkdirAll(filepath.Join(root, DirQueue, "a6"), 0o750)
	os.WriteFile(filepath.Join(root, DirQueue, "a6", "job.json"), []byte("{"), 0o644)
	// 7. a staged folder with no job.json: removed.
	os.MkdirAll(filepath.Join(root, DirTmp, "a7"), 0o750)
	// 8. ready, but its page files are gone (or it was rendered into one
	// pages.tif by an older version): rendered again, then sent.
	writeJob(t, filepath.Join(root, DirQueue, "a8"), &Job{ID: "a8", State: Ready, Name: "5550145.txt", Doc: "document.txt", To: "5550145", Pages: 1, MaxTries: 3, Resolution: "fine"})
	os.WriteFile(filepath.Join(root, DirQueue, "a8", "document.txt"), []byte("a8\fpage two\n"), 0o644)
	os.WriteFile(filepath.Join(root, DirQueue, "a8", "pages.tif"), []byte("II*\x00"), 0o644)

	f := &fakeLine{}
	_, stop := startSpool(t, root, f, nil)
	defer stop()
	done, failed := waitJobs(t, root, 6)
	time.Sleep(50 * time.Millisecond)
	done, _ = ReadJobs(root, DirDone, 0)
	failed, _ = ReadJobs(root, DirFailed, 0)
	got := map[string]State{}
	for _, j := range append(done, failed...) {
		got[j.To] = j.State
	}
	want := map[string]State{"5550140": Done, "5550141": Done, "5550142": Done, "5550143": Failed, "5550144": Done, "5550145": Done}
	for to, st := range want {
		if got[to] != st {
			t.Errorf("%s: %q, want %q", to, got[to], st)
		}
	}
	for _, j := range done {
		if j.To == "5550142" && (j.Tries != 2 || j.Attempts[0].Outcome != Interrupted) {
			t.Errorf("interrupted try not counted: %+v", j)
		}
		if j.To == "5550145" && j.Pages != 2 {
			t.Errorf("job without page files: %d pages after rendering again, want 2", j.Pages)
		}
	}
	calls, pages, _ := f.seen()
	for i, c := range calls {
		if c.To == "5550145" && pages[i] != 2 {
			t.Errorf("job without page files: the call got %d pages, want 2", pages[i])
		}
	}
	if _, err := os.Stat(filepath.Join(root, DirFailed, "a6")); err != nil {
		t.Error("garbage job not moved to failed")
	}
	if es, _ := os.ReadDir(filepath.Join(root, DirTmp)); len(es) != 0 {
		t.Errorf("tmp not empty: %v", es)
	}
	if es, _ := os.ReadDir(filepath.Join(root, DirQueue)); len(es) != 0 {
		t.Errorf("queue not empty: %v", es)
	}
	if _, _, notified := f.seen(); len(notified) != 1 || !strings.HasPrefix(notified[0], "a5 done") {
		t.Errorf("notified %v", notified)
	}
}

// openQuiet opens a spool at root whose calls are never placed (Run is not
// started) for tests of its storage alone.
func openQuiet(t *testing.T, root string) *Spool {
	t.Helper()
	s, err := Open(Options{Root: root, Send: (&fakeLine{}).send})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestJobPagesOnDemand: a call's page source decodes each page from its
// file only when asked (a page removed after the call started is missed),
// in order, bit for bit as rendered, then io.EOF.
func TestJobPagesOnDemand(t *testing.T) {
	root := t.TempDir()
	s := openQuiet(t, root)
	want, err := t4.Render(context.Background(), "x.txt", []byte("one\ftwo\fthree\n"), t4.RenderOptions{Res: t4.Fine})
	if err != nil || len(want) != 3 {
		t.Fatalf("render: %d pages, %v", len(want), err)
	}
	j := &Job{ID: "j1", State: Ready, Pages: 3}
	dir := filepath.Join(root, DirQueue, j.ID)
	os.MkdirAll(dir, 0o750)
	for i, p := range want {
		if err := writePage(dir, i+1, p); err != nil {
			t.Fatal(err)
		}
	}
	src, err := s.jobPages(j)
	if err != nil || src.Len() != 3 {
		t.Fatalf("jobPages: %v", err)
	}
	for i := range 2 {
		p, err := src.NextPage()
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		if p.Width != want[i].Width || p.Height != want[i].Height || p.Res != want[i].Res || !bytes.Equal(p.Pix, want[i].Pix) {
			t.Errorf("page %d differs from the rendered page", i+1)
		}
		if i == 0 {
			os.Remove(filepath.Join(dir, pageName(3)))
		}
	}
	if _, err := src.NextPage(); err == nil || err == io.EOF {
		t.Errorf("page 3 was removed, yet NextPage says %v", err)
	}
	// A job whose page is missing is not offered to a call.
	if _, err := s.jobPages(j); err == nil {
		t.Error("jobPages accepted a job with a page file missing")
	}
	writePage(dir, 3, want[2])
	src, _ = s.jobPages(j)
	for range 3 {
		src.NextPage()
	}
	if p, err := src.NextPage(); p != nil || err != io.EOF {
		t.Errorf("after the last page: %v, %v; want io.EOF", p, err)
	}
}

func TestStoreFax(t *testing.T) {
	root := t.TempDir()
	s := openQuiet(t, root)
	p, _ := t4.NewPage(t4.WidthA4, 100, t4.Fine)
	p.Set(10, 10, true)
	fax := &Fax{Caller: "5551234", DID: "100", Result: "ok"}
	dir, err := s.StoreFax(fax, []*t4.Page{p, p})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadFax(dir)
	if err != nil || got.Pages != 2 || got.ID != fax.ID || len(got.Files) != 2 {
		t.Fatalf("record %+v %v", got, err)
	}
	f, _ := os.Open(filepath.Join(dir, FaxTIFF))
	fi, _ := f.Stat()
	tp, err := t4.ReadTIFF(f, fi.Size())
	f.Close()
	if err != nil || len(tp) != 2 || !tp[0].Black(10, 10) {
		t.Errorf("fax.tif: %d pages, %v", len(tp), err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, FaxPDF)); !strings.HasPrefix(string(b), "%PDF") {
		t.Error("fax.pdf is not a PDF")
	}
	un, _ := s.Unrouted()
	if len(un) != 1 || un[0].ID != fax.ID {
		t.Errorf("unrouted %v", un)
	}
	if err := s.MarkRouted(fax.ID); err != nil {
		t.Fatal(err)
	}
	if un, _ := s.Unrouted(); len(un) != 0 {
		t.Errorf("still unrouted %v", un)
	}
	if err := s.MarkRouted("../x"); err == nil {
		t.Error("MarkRouted accepted a path")
	}
}

func TestNormalizeNumber(t *testing.T) {
	for in, want := range map[string]string{
		"5550100": "5550100", "+1 (555) 010-0100": "+15550100100", "*67 555.0100": "*675550100", "#31#555": "#31#555",
		"": "", "+": "", "abc": "", "555+1": "", "../5550100": "", "555;0100": "", "5550100\n": "5550100",
	} {
		got, err := NormalizeNumber(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func FuzzSidecar(f *testing.F) {
	f.Add([]byte(`{"to":"+1 555 0100","notify":"a@example.com","resolution":"fine","tries":2}`))
	f.Add([]byte(`{"to":"../x"}`))
	f.Add([]byte(`{"to":"1","from":"a\r\nBcc: x"}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSidecar(b)
		if err != nil {
			return
		}
		if s.To != "" {
			if n, err := NormalizeNumber(s.To); err != nil || n != s.To {
				t.Fatalf("accepted to %q", s.To)
			}
		}
		if strings.ContainsAny(s.Notify+s.From, "\r\n") {
			t.Fatalf("accepted a line break: %+v", s)
		}
	})
}

func FuzzUnmarshalJob(f *testing.F) {
	f.Add([]byte(`{"id":"20261126T000000-abcdef","state":"ready","doc":"document.pdf"}`))
	f.Add([]byte(`{"id":"../../x","state":"ready"}`))
	f.Add([]byte(`{"id":"a","state":"ready","doc":"../x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		j, err := UnmarshalJob(b)
		if err != nil {
			return
		}
		if strings.ContainsAny(j.ID+j.Doc, "/\\") || strings.HasPrefix(j.Doc, ".") {
			t.Fatalf("accepted a path: %+v", j)
		}
	})
}

// TestRecoverFaxes: pages stored while a fax arrives survive a crash; a
// fax cut off before its first page leaves nothing.
func TestRecoverFaxes(t *testing.T) {
	root := t.TempDir()
	s := openQuiet(t, root)
	p, _ := t4.NewPage(t4.WidthA4, 50, t4.Fine)
	p.Set(1, 1, true)
	w, err := s.BeginFax(&Fax{Caller: "5551234", DID: "100"})
	if err != nil {
		t.Fatal(err)
	}
	w.PutPage(p)
	w.PutPage(p)
	if _, err := s.BeginFax(&Fax{Caller: "5559999", DID: "100"}); err != nil { // no page yet
		t.Fatal(err)
	}
	// crash; restart
	s = openQuiet(t, root)
	n, err := s.RecoverFaxes()
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	un, _ := s.Unrouted()
	if len(un) != 1 || un[0].Pages != 2 || un[0].Caller != "5551234" || !strings.HasPrefix(un[0].Result, "interrupted") {
		t.Fatalf("unrouted %+v", un)
	}
	if es, _ := os.ReadDir(filepath.Join(root, DirTmp)); len(es) != 0 {
		t.Errorf("tmp not empty: %v", es)
	}
	if _, err := os.Stat(filepath.Join(root, DirInbound, un[0].ID, FaxPDF)); err != nil {
		t.Error("no PDF")
	}
}

func readTIFFFile(path string) ([]t4.TIFFPage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return t4.ReadTIFF(bytes.NewReader(b), int64(len(b)))
}
