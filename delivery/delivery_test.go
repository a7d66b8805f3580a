package delivery

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/softfax/softfax/spool"
	"github.com/softfax/softfax/t4"
	"github.com/softfax/softfax/templates"
)

// mailbox is a go-smtp server backend that keeps what it receives.
type mailbox struct {
	mu     sync.Mutex
	msgs   [][]byte
	rcpts  [][]string
	reject bool // answer DATA with 554
	user   string
	authed bool
}

type session struct {
	mb    *mailbox
	rcpts []string
}

func (mb *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{mb: mb}, nil }

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.mb.user || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.mb.mu.Lock()
		s.mb.authed = true
		s.mb.mu.Unlock()
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.mb.reject {
		return &smtp.SMTPError{Code: 554, Message: "no faxes here"}
	}
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, b)
	s.mb.rcpts = append(s.mb.rcpts, s.rcpts)
	s.mb.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.rcpts = nil }
func (s *session) Logout() error { return nil }

func (mb *mailbox) count() int {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return len(mb.msgs)
}

func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// startSMTP runs a go-smtp server; mode is "starttls", "tls" or "none".
func startSMTP(t *testing.T, mb *mailbox, mode string, l net.Listener) string {
	t.Helper()
	srv := smtp.NewServer(mb)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = mode == "none"
	var err error
	if l == nil {
		l, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	switch mode {
	case "starttls":
		srv.TLSConfig = selfSigned(t)
	case "tls":
		l = tls.NewListener(l, selfSigned(t))
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// archived stores a two-page fax in a spool and returns it and its folder.
func archived(t *testing.T, f spool.Fax) (spool.Fax, string) {
	t.Helper()
	sp, err := spool.Open(spool.Options{Root: t.TempDir(), Send: func(context.Context, spool.Job, *spool.JobPages) spool.Result { return spool.Result{} }})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := t4.NewPage(t4.WidthA4, 200, t4.Fine)
	for x := 100; x < 300; x++ {
		p.Set(x, 50, true)
	}
	dir, err := sp.StoreFax(&f, []*t4.Page{p, p})
	if err != nil {
		t.Fatal(err)
	}
	return f, dir
}

func run(t *testing.T, d *Deliverer) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timeout waiting for %s", what)
}

// parts returns the parsed message and its attachments by file name.
func parts(t *testing.T, raw []byte) (*mail.Message, string, map[string][]byte) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	att := map[string][]byte{}
	var text string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.FileName() == "" {
			text = string(b)
			continue
		}
		dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
		if err != nil {
			t.Fatal(err)
		}
		att[p.FileName()] = dec
	}
	return m, text, att
}

func TestMatch(t *testing.T) {
	routes := []Route{
		{Prefix: "1", Email: []string{"p1"}},
		{Prefix: "12", Email: []string{"p12"}},
		{DID: "123", Email: []string{"exact"}},
		{Default: true, Email: []string{"default"}},
	}
	for did, want := range map[string]string{"123": "exact", "1234": "p12", "129": "p12", "13": "p1", "9": "default", "": "default"} {
		r, ok := Match(routes, did)
		if !ok || r.Email[0] != want {
			t.Errorf("Match(%q) = %v, want %s", did, r.Email, want)
		}
	}
	if _, ok := Match(routes[:3], "9"); ok {
		t.Error("matched without a default")
	}
}

func TestEmailAndFolder(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			mb := &mailbox{user: "fax"}
			addr := startSMTP(t, mb, mode, nil)
			folder := t.TempDir()
			d, err := Open(Options{
				Root: t.TempDir(),
				Routes: []Route{
					{DID: "100", Email: []string{"Sales <sales@example.com>", "boss@example.com"}, Folder: folder, Formats: []string{"pdf", "tiff"}},
				},
				SMTP: SMTP{Addr: addr, Host: "localhost", TLS: mode, User: "fax", Password: "secret", From: "softfax <fax@example.com>", InsecureSkipVerify: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			stop := run(t, d)
			defer stop()
			f, dir := archived(t, spool.Fax{Caller: "5551234", CallerName: "ACME", DID: "100", RemoteID: "+1 555 1234", Result: "ok", Rate: 9600})
			if err := d.EnqueueFax(f, dir); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the mail", func() bool { return mb.count() == 1 && len(d.Stats().LastError) == 0 && d.Stats().Sent == 2 })
			if !mb.authed {
				t.Error("no AUTH")
			}
			if got := strings.Join(mb.rcpts[0], ","); got != "sales@example.com,boss@example.com" {
				t.Errorf("recipients %s", got)
			}
			m, text, att := parts(t, mb.msgs[0])
			if m.Header.Get("Message-ID") != "<"+f.ID+".fax@example.com>" {
				t.Errorf("Message-ID %q", m.Header.Get("Message-ID"))
			}
			if s := m.Header.Get("Subject"); s != "Fax from ACME 5551234 to 100 (2 pages)" {
				t.Errorf("Subject %q", s)
			}
			if !strings.Contains(text, "+1 555 1234") {
				t.Errorf("body %q", text)
			}
			pdf, _ := os.ReadFile(filepath.Join(dir, spool.FaxPDF))
			tif, _ := os.ReadFile(filepath.Join(dir, spool.FaxTIFF))
			name := "fax-100-" + f.ID
			if !bytes.Equal(att[name+".pdf"], pdf) || !bytes.Equal(att[name+".tif"], tif) {
				t.Errorf("attachments %d, differ from the archive", len(att))
			}
			for _, n := range []string{name + ".pdf", name + ".tif"} {
				b, err := os.ReadFile(filepath.Join(folder, n))
				if err != nil || len(b) == 0 {
					t.Errorf("folder copy %s: %v", n, err)
				}
			}
			// Enqueueing again does nothing: the delivery is done.
			d.EnqueueFax(f, dir)
			time.Sleep(50 * time.Millisecond)
			if mb.count() != 1 {
				t.Error("a second enqueue sent again")
			}
		})
	}
}

// TestInjection: a caller name with CR/LF cannot add headers, a DID with
// ../ cannot leave the route's folder.
func TestInjection(t *testing.T) {
	mb := &mailbox{}
	addr := startSMTP(t, mb, "none", nil)
	parent := t.TempDir()
	folder := filepath.Join(parent, "faxes")
	d, err := Open(Options{
		Root:   t.TempDir(),
		Routes: []Route{{Default: true, Email: []string{"ops@example.com"}, Folder: folder, Formats: []string{"pdf", "tiff"}}},
		SMTP:   SMTP{Addr: addr, Host: "127.0.0.1", TLS: "none", From: "fax@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, d)
	defer stop()
	f, dir := archived(t, spool.Fax{
		Caller: "555\r\nBcc: victim@evil.example", CallerName: "Evil\r\nBcc: victim@evil.example\r\n\r\nbody",
		DID: "../../../etc/cron.d/x", RemoteID: "\nX-Injected: 1", Result: "ok",
	})
	if err := d.EnqueueFax(f, dir); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the mail", func() bool { return mb.count() == 1 && d.Stats().Sent == 2 })
	m, _, att := parts(t, mb.msgs[0])
	for _, h := range []string{"Bcc", "X-Injected"} {
		if v, ok := m.Header[h]; ok {
			t.Errorf("injected header %s: %q", h, v)
		}
	}
	if strings.Join(mb.rcpts[0], ",") != "ops@example.com" {
		t.Errorf("recipients %v", mb.rcpts[0])
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if strings.ContainsAny(subj, "\r\n") || !strings.Contains(subj, "Evil Bcc: victim") {
		t.Errorf("subject %q", subj)
	}
	for n := range att {
		if strings.ContainsAny(n, "/\\") || strings.Contains(n, "..") {
			t.Errorf("attachment name %q", n)
		}
	}
	es, _ := os.ReadDir(parent)
	if len(es) != 1 || es[0].Name() != "faxes" {
		t.Errorf("files outside the folder: %v", es)
	}
	files, _ := os.ReadDir(folder)
	if len(files) != 2 || !strings.HasPrefix(files[0].Name(), "fax-etccrondx-") {
		t.Errorf("folder holds %v", files)
	}
}

func TestHeaderText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":             "plain",
		"a\r\nBcc: x":       "a Bcc: x",
		"tab\there":         "tab here",
		"  lots   of   sp ": "lots of sp",
		"Müller":            "=?utf-8?q?M=C3=BCller?=",
		"line\u2028sep":     "line sep",
	} {
		if got := HeaderText(in); got != want {
			t.Errorf("HeaderText(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzHeaderText(f *testing.F) {
	f.Add("Fax from\r\nBcc: a@b")
	f.Add("Ünïcødé \x00\x7f")
	f.Fuzz(func(t *testing.T, s string) {
		h := HeaderText(s)
		if strings.ContainsAny(h, "\r\n\x00") {
			t.Fatalf("HeaderText(%q) = %q", s, h)
		}
	})
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"100": "100", "../../x": "x", "": "unknown", "..": "unknown", "+1 555": "+1555", "a/b\\c": "abc"} {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSMTPDownThenUp: the server is down; the delivery is retried with
// backoff and arrives once the server is up.
func TestSMTPDownThenUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	d, err := Open(Options{
		Root: t.TempDir(), Routes: []Route{{Default: true, Email: []string{"a@example.com"}}},
		SMTP:    SMTP{Addr: addr, Host: "127.0.0.1", TLS: "none", From: "fax@example.com", Timeout: time.Second},
		Backoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, d)
	defer stop()
	f, dir := archived(t, spool.Fax{DID: "1", Result: "ok"})
	d.EnqueueFax(f, dir)
	waitFor(t, "two retries", func() bool { return d.Stats().Retried >= 2 })
	if d.Stats().LastError == "" {
		t.Errorf("last error %q", d.Stats().LastError)
	}
	l2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skip("port taken meanwhile:", err)
	}
	mb := &mailbox{}
	startSMTP(t, mb, "none", l2)
	waitFor(t, "the mail", func() bool { return mb.count() == 1 })
	m, _, _ := parts(t, mb.msgs[0])
	if tries := m.Header.Get("X-Softfax-Try"); tries == "1" {
		t.Errorf("X-Softfax-Try %s", tries)
	}
}

// TestSMTPRejects: a 5xx answer fails the delivery without a retry; the
// fax stays in the archive and the failure is recorded.
func TestSMTPRejects(t *testing.T) {
	mb := &mailbox{reject: true}
	addr := startSMTP(t, mb, "none", nil)
	root := t.TempDir()
	d, _ := Open(Options{
		Root: root, Routes: []Route{{Default: true, Email: []string{"a@example.com"}}},
		SMTP: SMTP{Addr: addr, Host: "127.0.0.1", TLS: "none", From: "fax@example.com"},
	})
	stop := run(t, d)
	defer stop()
	f, dir := archived(t, spool.Fax{DID: "1", Result: "ok"})
	d.EnqueueFax(f, dir)
	waitFor(t, "the failed record", func() bool {
		_, err := os.Stat(filepath.Join(root, "failed", "fax-"+f.ID+".json"))
		return err == nil
	})
	if !strings.Contains(d.Stats().LastError, "554") {
		t.Errorf("last error %q", d.Stats().LastError)
	}
	if _, err := os.Stat(filepath.Join(dir, spool.FaxPDF)); err != nil {
		t.Error("fax left the archive")
	}
}

// TestEMLWithoutSMTP: no server configured, the mail is written as .eml.
func TestEMLWithoutSMTP(t *testing.T) {
	root := t.TempDir()
	d, _ := Open(Options{Root: root, Routes: []Route{{DID: "7", Email: []string{"a@example.com"}}}})
	stop := run(t, d)
	defer stop()
	f, dir := archived(t, spool.Fax{DID: "7", Result: "ok"})
	d.EnqueueFax(f, dir)
	p := filepath.Join(root, "eml", "fax-"+f.ID+".eml")
	waitFor(t, "the .eml", func() bool { _, err := os.Stat(p); return err == nil })
	raw, _ := os.ReadFile(p)
	m, _, att := parts(t, raw)
	if m.Header.Get("To") != "<a@example.com>" || len(att) != 1 {
		t.Errorf("eml: To %q, %d attachments", m.Header.Get("To"), len(att))
	}
}

// TestResendAfterCutExchange: a record left "sending" by a crash is sent
// again with the same Message-ID; a record left "done" is not.
func TestResendAfterCutExchange(t *testing.T) {
	mb := &mailbox{}
	addr := startSMTP(t, mb, "none", nil)
	root := t.TempDir()
	opt := Options{
		Root: root, Routes: []Route{{Default: true, Email: []string{"a@example.com"}}},
		SMTP: SMTP{Addr: addr, Host: "127.0.0.1", TLS: "none", From: "fax@example.com"},
	}
	d, _ := Open(opt)
	f, dir := archived(t, spool.Fax{DID: "1", Result: "ok"})
	if err := d.EnqueueFax(f, dir); err != nil {
		t.Fatal(err)
	}
	// What a kill inside the exchange leaves:
	p := filepath.Join(root, "queue", "fax-"+f.ID+".json")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte(`"state": "pending"`), []byte(`"state": "sending"`), 1), 0o640)
	d, _ = Open(opt)
	stop := run(t, d)
	waitFor(t, "the resend", func() bool { return mb.count() == 1 })
	stop()
	if d.Stats().Resent != 1 {
		t.Errorf("resent %d", d.Stats().Resent)
	}
	m, _, _ := parts(t, mb.msgs[0])
	if m.Header.Get("Message-ID") != "<"+f.ID+".fax@example.com>" {
		t.Errorf("Message-ID changed: %q", m.Header.Get("Message-ID"))
	}
	// A restart after the delivery finished sends nothing.
	d, _ = Open(opt)
	stop = run(t, d)
	d.EnqueueFax(f, dir)
	time.Sleep(100 * time.Millisecond)
	stop()
	if mb.count() != 1 {
		t.Errorf("%d mails after a clean restart", mb.count())
	}
}

func TestNotify(t *testing.T) {
	root := t.TempDir()
	d, _ := Open(Options{Root: root})
	stop := run(t, d)
	defer stop()
	rep := spoolReport()
	if err := d.EnqueueNotify(context.Background(), rep, "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "eml", "job-"+rep.JobID+".eml")
	waitFor(t, "the .eml", func() bool { _, err := os.Stat(p); return err == nil })
	raw, _ := os.ReadFile(p)
	m, text, _ := parts(t, raw)
	if s := m.Header.Get("Subject"); !strings.Contains(s, "Fax to 5550100 failed") {
		t.Errorf("subject %q", s)
	}
	if !strings.Contains(text, "busy after 3 tries") {
		t.Errorf("body %q", text)
	}
}

func spoolReport() templates.JobReport {
	return templates.JobReport{JobID: "20261126T070000-aaaaaaaaaaaa", State: "failed", To: "5550100", Document: "a.pdf", Pages: 1, Tries: 3, MaxTries: 3, Reason: "busy after 3 tries", Time: time.Now()}
}
