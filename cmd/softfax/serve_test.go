package main

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
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/softfax/softfax/config"
	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/internal/peer"
	"github.com/softfax/softfax/spool"
	"github.com/softfax/softfax/t4"
)

// testMailbox is a go-smtp backend keeping every message; Delay slows DATA
// (to widen the window a crash test can hit).
type testMailbox struct {
	mu    sync.Mutex
	msgs  [][]byte
	user  string
	Delay time.Duration
	// onData, if set, is called when a DATA command starts.
	onData func()
}

type testMailSession struct{ mb *testMailbox }

func (mb *testMailbox) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &testMailSession{mb}, nil
}
func (s *testMailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *testMailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.mb.user || pass != "secret" {
			return errors.New("bad credentials")
		}
		return nil
	}), nil
}
func (s *testMailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *testMailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *testMailSession) Data(r io.Reader) error {
	if s.mb.onData != nil {
		s.mb.onData()
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(s.mb.Delay)
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, b)
	s.mb.mu.Unlock()
	return nil
}
func (s *testMailSession) Reset()        {}
func (s *testMailSession) Logout() error { return nil }

func (mb *testMailbox) messages() [][]byte {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([][]byte(nil), mb.msgs...)
}

// startTestSMTP runs a go-smtp server offering STARTTLS (self-signed) and
// AUTH PLAIN when user is set; it returns host:port.
func startTestSMTP(t *testing.T, mb *testMailbox) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(mb)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// mailParts parses a message into headers and attachments by file name.
func mailParts(t *testing.T, raw []byte) (*mail.Message, map[string][]byte) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	mr := multipart.NewReader(m.Body, params["boundary"])
	att := map[string][]byte{}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p)
		if p.FileName() != "" {
			dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
			if err != nil {
				t.Fatal(err)
			}
			att[p.FileName()] = dec
		}
	}
	return m, att
}

func testLog(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.DiscardHandler)
}

// startTestService runs a service until the test ends; it returns its
// IAX2 address.
func startTestService(t *testing.T, cfg config.Config, name string) (*service, netip.AddrPort) {
	t.Helper()
	ready := make(chan netip.AddrPort, 1)
	svc, err := newService(cfg, serviceOptions{Log: testLog(t).With("service", name), Ready: func(a netip.AddrPort) { ready <- a }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
	})
	select {
	case a := <-ready:
		return svc, a
	case err := <-done:
		t.Fatalf("%s: %v", name, err)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not listening", name)
	}
	return nil, netip.AddrPort{}
}

// pbmDiff rasterises two PDFs with pdftoppm at the same resolution and
// returns the fraction of pixels that differ, page by page.
func pbmDiff(t *testing.T, a, b []byte) []float64 {
	t.Helper()
	dir := t.TempDir()
	raster := func(name string, pdf []byte) [][]byte {
		p := filepath.Join(dir, name+".pdf")
		os.WriteFile(p, pdf, 0o644)
		out, err := exec.Command("pdftoppm", "-r", "50", "-mono", p, filepath.Join(dir, name)).CombinedOutput()
		if err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
		files, _ := filepath.Glob(filepath.Join(dir, name+"-*.pbm"))
		var pages [][]byte
		for _, f := range files {
			b, _ := os.ReadFile(f)
			pages = append(pages, b)
		}
		return pages
	}
	pa, pb := raster("a", a), raster("b", b)
	if len(pa) != len(pb) {
		t.Fatalf("page counts differ: %d and %d", len(pa), len(pb))
	}
	var out []float64
	for i := range pa {
		if len(pa[i]) != len(pb[i]) {
			t.Fatalf("page %d: sizes differ (%d, %d bytes)", i+1, len(pa[i]), len(pb[i]))
		}
		diff := 0
		for k := range pa[i] {
			x := pa[i][k] ^ pb[i][k]
			for ; x != 0; x &= x - 1 {
				diff++
			}
		}
		out = append(out, float64(diff)/float64(8*len(pa[i])))
	}
	return out
}

// TestServeEndToEnd: a PDF dropped into one service's outbound folder is
// faxed over IAX2 (real UDP sockets, real time) to a second service,
// received, routed by its DID and mailed through STARTTLS + AUTH to a
// go-smtp server; the mailed PDF renders (pdftoppm) like the source, and
// the sender's job ends in done/ with its report.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call takes about 30 s")
	}
	t.Parallel()
	peer.Require(t, "gs", "ghostscript")
	peer.Require(t, "pdftoppm", "poppler-utils")
	mb := &testMailbox{user: "fax"}
	smtpAddr := startTestSMTP(t, mb)
	host, port, _ := net.SplitHostPort(smtpAddr)
	dir := t.TempDir()

	rcfg := config.Default()
	rcfg.Spool = filepath.Join(dir, "b")
	rcfg.StationID = "+1 555 0199"
	rcfg.IAX.Listen = "127.0.0.1:0"
	rcfg.Lines.Count = 2
	rcfg.SMTP.Host, rcfg.SMTP.TLS, rcfg.SMTP.User, rcfg.SMTP.Password = host, "starttls", "fax", "secret"
	rcfg.SMTP.InsecureSkipVerify = true
	rcfg.SMTP.From = "softfax <fax@example.com>"
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	rcfg.SMTP.Port = p
	rcfg.Route = []config.Route{
		{DID: "200", Email: []string{"wrong@example.com"}},
		{Prefix: "1", Email: []string{"sales@example.com"}, Folder: filepath.Join(dir, "sales"), Formats: []string{"pdf"}},
	}
	_, raddr := startTestService(t, rcfg, "receiver")

	scfg := config.Default()
	scfg.Spool = filepath.Join(dir, "a")
	scfg.StationID = "+1 555 0100"
	scfg.IAX.Listen = "127.0.0.1:0"
	scfg.IAX.Dial = raddr.String()
	scfg.Lines.Count = 1
	startTestService(t, scfg, "sender")

	// The source: one page of text as PDF.
	pages, err := t4.Render(context.Background(), "src.txt", []byte("softfax end-to-end\n\n"+strings.Repeat("The quick brown fox jumps over the lazy dog.\n", 6)), t4.RenderOptions{Res: t4.Fine})
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	if err := t4.WritePDF(&src, pages, t4.PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(scfg.Spool, spool.DirOutbound)
	os.WriteFile(filepath.Join(out, ".tmp-123.pdf"), src.Bytes(), 0o644)
	os.Rename(filepath.Join(out, ".tmp-123.pdf"), filepath.Join(out, "123.pdf"))

	deadline := time.Now().Add(150 * time.Second)
	for len(mb.messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no mail within 150 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	m, att := mailParts(t, mb.messages()[0])
	if to := m.Header.Get("To"); to != "<sales@example.com>" {
		t.Errorf("routed to %q", to)
	}
	if !strings.HasPrefix(m.Header.Get("Subject"), "Fax from") || !strings.Contains(m.Header.Get("Subject"), "to 123") {
		t.Errorf("subject %q", m.Header.Get("Subject"))
	}
	if len(att) != 1 {
		t.Fatalf("%d attachments", len(att))
	}
	for _, pdf := range att {
		for i, d := range pbmDiff(t, src.Bytes(), pdf) {
			t.Logf("page %d: %.4f%% of pixels differ", i+1, 100*d)
			if d > 0.01 {
				t.Errorf("page %d: %.2f%% of pixels differ", i+1, 100*d)
			}
		}
	}
	if fs, _ := filepath.Glob(filepath.Join(dir, "sales", "fax-123-*.pdf")); len(fs) != 1 {
		t.Errorf("folder copy: %v", fs)
	}
	// The sender stamped its header line on the page: the source is white
	// in the top half inch, the received page has ink in the header band.
	if tifs, _ := filepath.Glob(filepath.Join(rcfg.Spool, spool.DirInbound, "*", spool.FaxTIFF)); len(tifs) != 1 {
		t.Errorf("archived TIFFs: %v", tifs)
	} else {
		checkHeaderStamped(t, tifs[0])
	}
	for time.Now().Before(deadline) {
		if js, _ := spool.ReadJobs(scfg.Spool, spool.DirDone, 0); len(js) == 1 {
			if js[0].RemoteID != "+1 555 0199" || js[0].Pages != 1 {
				t.Errorf("job %+v", js[0])
			}
			var buf bytes.Buffer
			if err := printStatus(&buf, scfg.Spool, 5, time.Now()); err != nil || !strings.Contains(buf.String(), js[0].ID) {
				t.Errorf("status: %v\n%s", err, buf.String())
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("the job did not reach done/")
}

// TestServeProblemsAreNotFatal: an unreachable PBX and a refused
// registration are reported (status, /healthz, /metrics) and retried; the
// service keeps running.
func TestServeProblemsAreNotFatal(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the IAX2 retransmission limit (about 22 s)")
	}
	t.Parallel()
	// A registrar that knows "fax" with another secret: it refuses at once.
	// The subtests are parallel: they run after this function returns, so
	// the registrar lives until the cleanup, not until a defer.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pbx, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Peers: []iax.Peer{{Name: "fax", Secret: "right"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pbx.Close() })
	// An address where nothing answers.
	dead, _ := net.ListenPacket("udp", "127.0.0.1:0")
	deadAddr := dead.LocalAddr().String()
	dead.Close()

	for _, tc := range []struct {
		name, server, want string
		within             time.Duration
	}{
		// The registrar answers a wrong MD5 answer by REGREJ at once.
		{"refused", pbx.Addr().String(), "registration rejected: Registration Refused", 3 * time.Second},
		// Silence ends by the retransmission limit (about 22 s).
		{"unreachable", deadAddr, "NOT registered", 40 * time.Second},
		{"unresolvable", "pbx.invalid:4569", "NOT registered with pbx.invalid:4569", 40 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, _ := net.Listen("tcp", "127.0.0.1:0")
			httpAddr := l.Addr().String()
			l.Close()
			cfg := config.Default()
			cfg.Spool = t.TempDir()
			cfg.IAX.Listen = "127.0.0.1:0"
			cfg.IAX.Server, cfg.IAX.User, cfg.IAX.Secret = tc.server, "fax", "wrong"
			cfg.Lines.Count = 1
			cfg.HTTP = httpAddr
			svc, _ := startTestService(t, cfg, tc.name)
			deadline := time.Now().Add(tc.within)
			var st serviceStatus
			for time.Now().Before(deadline) {
				st = svc.status()
				if strings.Contains(st.Registration, tc.want) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !strings.Contains(st.Registration, tc.want) {
				t.Fatalf("registration %q, want %q", st.Registration, tc.want)
			}
			resp, err := http.Get("http://" + httpAddr + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("healthz %d %s", resp.StatusCode, body)
			}
			resp, err = http.Get("http://" + httpAddr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range []string{"softfax_registered 0", "softfax_lines 1", "# TYPE softfax_calls_in_total counter"} {
				if !strings.Contains(string(body), want) {
					t.Errorf("metrics lack %q:\n%s", want, body)
				}
			}
			// The service still takes work: a job for an unreachable PBX is
			// retried, not fatal.
			os.WriteFile(filepath.Join(cfg.Spool, spool.DirOutbound, "5550100.txt"), []byte("x\n"), 0o644)
			time.Sleep(50 * time.Millisecond)
			if svc.ep == nil {
				t.Fatal("endpoint gone")
			}
		})
	}
}

// TestServeConfigError: a bad configuration stops serve at once with the
// file, line and setting.
func TestServeConfigError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(p, []byte("[lines]\ncount = 0\n[smtp]\nhots = \"x\"\n"), 0o644)
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "-config", p}, &env{stdout: io.Discard, stderr: &stderr, log: slog.New(slog.DiscardHandler)})
	if code != 1 || !strings.Contains(stderr.String(), p+":4: smtp.hots: unknown setting") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestSendQueues(t *testing.T) {
	root := t.TempDir()
	sp, err := spool.Open(spool.Options{Root: root, Send: func(context.Context, spool.Job, *spool.JobPages) spool.Result { return spool.Result{} }})
	if err != nil || sp == nil {
		t.Fatal(err)
	}
	doc := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(doc, []byte("hello\fworld\n"), 0o644)
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, log: slog.New(slog.DiscardHandler)}
	if code := run(context.Background(), []string{"send", "--to", "+1 555 0100", "-spool", root, "-notify", "a@example.com", doc, doc}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "queued 4 page(s) for +15550100") {
		t.Errorf("output %q", out.String())
	}
	side, _ := filepath.Glob(filepath.Join(root, spool.DirOutbound, "*.tif.json"))
	if len(side) != 1 {
		t.Fatalf("sidecars %v", side)
	}
	b, _ := os.ReadFile(side[0])
	sc, err := spool.ParseSidecar(b)
	if err != nil || sc.To != "+15550100" || sc.Notify != "a@example.com" {
		t.Errorf("sidecar %+v %v", sc, err)
	}
	if code := run(context.Background(), []string{"send", "--to", "555; rm", "-spool", root, doc}, e); code == 0 {
		t.Error("accepted a bad number")
	}
}

// TestSetGCPercent: serve applies gc_percent, unless GOGC is set.
func TestSetGCPercent(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	t.Setenv("GOGC", "100")
	setGCPercent(37, testLog(t))
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, gc_percent was applied: %d", got)
	}
	os.Unsetenv("GOGC")
	setGCPercent(37, testLog(t))
	if got := debug.SetGCPercent(100); got != 37 {
		t.Errorf("GC percent %d, want 37", got)
	}
}

// listPages is a page source over a slice that fails at page failAt
// (1-based; 0 never).
type listPages struct {
	pages  []*t4.Page
	next   int
	failAt int
}

func (l *listPages) Len() int { return len(l.pages) }
func (l *listPages) NextPage() (*t4.Page, error) {
	if l.next == len(l.pages) {
		return nil, io.EOF
	}
	if l.next+1 == l.failAt {
		return nil, errors.New("unreadable page")
	}
	l.next++
	return l.pages[l.next-1], nil
}

// TestStampedPages: the source T.30 reads stamps each page as it is taken,
// bit for bit as t4.StampHeader stamps page n of N with its headerLine, and
// remembers the first failure so that the job is not retried in vain.
func TestStampedPages(t *testing.T) {
	render := func() []*t4.Page {
		pages, err := t4.Render(t.Context(), "x.txt", []byte("one\fTwo\fthree\n"), t4.RenderOptions{Res: t4.Fine})
		if err != nil || len(pages) != 3 {
			t.Fatalf("%d pages, %v", len(pages), err)
		}
		return pages
	}
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	want := render()
	for i, p := range want {
		if err := t4.StampHeader(p, headerLine(at, "softfax", "+1 555 0100", "100", i+1, len(want))); err != nil {
			t.Fatal(err)
		}
	}
	src := &stampedPages{src: &listPages{pages: render()}, at: at, name: "softfax", from: "+1 555 0100", to: "100"}
	for i := range want {
		p, err := src.NextPage()
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		if !bytes.Equal(p.Pix, want[i].Pix) {
			t.Errorf("page %d: stamped differently from its headerLine", i+1)
		}
	}
	if _, err := src.NextPage(); err != io.EOF || src.err != nil {
		t.Errorf("after the last page: %v (recorded %v), want io.EOF", err, src.err)
	}

	src = &stampedPages{src: &listPages{pages: render(), failAt: 2}, at: at, to: "100"}
	if _, err := src.NextPage(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.NextPage(); err == nil || src.err == nil {
		t.Errorf("a failing page: %v, recorded %v", err, src.err)
	}
}
