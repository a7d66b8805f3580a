package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/softfax/softfax/config"
	"github.com/softfax/softfax/delivery"
	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/line"
	"github.com/softfax/softfax/spool"
	"github.com/softfax/softfax/t30"
	"github.com/softfax/softfax/t4"
	"github.com/softfax/softfax/templates"
)

// runServe runs the fax-to-file service:
//
//	softfax serve [-config FILE]
//
// It answers calls on its internal lines and archives and delivers what
// they receive, and it sends what is dropped into SPOOL/outbound. See
// contrib/softfax.toml for the settings.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (TOML); none means every default")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg := config.Default()
	if *cfgPath != "" {
		var err error
		if cfg, err = config.Load(*cfgPath); err != nil {
			return err
		}
	}
	log := e.log
	if cfg.LogLevel != "info" {
		var lv slog.Level
		lv.UnmarshalText([]byte(cfg.LogLevel))
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: lv}))
	}
	setGCPercent(cfg.GCPercent, log)
	svc, err := newService(cfg, serviceOptions{Log: log})
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}

// setGCPercent applies the gc_percent setting, unless GOGC is set in the
// environment: the runtime has applied that already, and it wins.
func setGCPercent(pct int, log *slog.Logger) {
	if v, ok := os.LookupEnv("GOGC"); ok {
		log.Info("GOGC is set; gc_percent is not applied", "GOGC", v)
		return
	}
	debug.SetGCPercent(pct)
}

// serviceOptions are what the wiring adds to a configuration (the demo
// prints progress).
type serviceOptions struct {
	Log *slog.Logger
	// Progress, if set, hears every T.30 step of every line.
	Progress func(lineName string, dir string, p t30.Progress)
	// Ready, if set, is called once the endpoint listens.
	Ready func(addr netip.AddrPort)
}

// service is one running softfax serve: an IAX2 endpoint, its lines, the
// spool and the delivery queue.
type service struct {
	cfg  config.Config
	opt  serviceOptions
	log  *slog.Logger
	tmpl *templates.Set

	ep    *iax.Endpoint
	lines []*line.Line
	free  chan int // indices of idle lines
	sp    *spool.Spool
	dl    *delivery.Deliverer

	started time.Time
	calls   sync.WaitGroup // incoming calls being received
	mu      sync.Mutex
	active  map[int]lineStatus
	reg     *iax.Registration // nil until the PBX's name resolves
	regErr  string
	m       metrics
}

type lineStatus struct {
	Name      string    `json:"name"`
	Busy      bool      `json:"busy"`
	Direction string    `json:"direction,omitempty"`
	Peer      string    `json:"peer,omitempty"`
	Since     time.Time `json:"since,omitzero"`
	Page      int       `json:"page,omitempty"`
	Rate      int       `json:"rate,omitempty"`
}

type metrics struct {
	callsIn, callsOut, callsRejected atomic.Int64
	faxesReceived, pagesReceived     atomic.Int64
	faxesSent, pagesSent, sendFailed atomic.Int64
}

// newService checks the configuration's resources (spool, templates) and
// prepares the service; nothing listens until Run.
func newService(cfg config.Config, opt serviceOptions) (*service, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	tmpl, err := templates.Load(cfg.Templates)
	if err != nil {
		return nil, err
	}
	s := &service{cfg: cfg, opt: opt, log: opt.Log, tmpl: tmpl, started: time.Now(), active: map[int]lineStatus{}}
	s.free = make(chan int, cfg.Lines.Count)
	for i := range cfg.Lines.Count {
		s.lines = append(s.lines, &line.Line{Name: fmt.Sprintf("line%d", i+1)})
		s.free <- i
	}
	routes := make([]delivery.Route, len(cfg.Route))
	for i, r := range cfg.Route {
		routes[i] = delivery.Route{DID: r.DID, Prefix: r.Prefix, Default: r.Default, Email: r.Email, Folder: r.Folder, Formats: r.Formats}
	}
	smtpCfg := delivery.SMTP{
		Host: cfg.SMTP.Host, TLS: cfg.SMTP.TLS, User: cfg.SMTP.User, Password: cfg.SMTP.Password,
		From: cfg.SMTP.From, EMLDir: cfg.SMTP.EMLDir, InsecureSkipVerify: cfg.SMTP.InsecureSkipVerify,
	}
	if cfg.SMTP.Host != "" {
		smtpCfg.Addr = cfg.SMTP.Addr()
	} else if smtpCfg.EMLDir == "" {
		smtpCfg.EMLDir = filepath.Join(cfg.Spool, "mail")
	}
	s.dl, err = delivery.Open(delivery.Options{
		Root: filepath.Join(cfg.Spool, "delivery"), Routes: routes, SMTP: smtpCfg, Templates: tmpl,
		Backoff: cfg.Retry.DeliveryBackoff.D(), MaxBackoff: cfg.Retry.DeliveryMaxBackoff.D(), GiveUp: cfg.Retry.DeliveryGiveUp.D(),
		Log: s.log,
	})
	if err != nil {
		return nil, err
	}
	s.sp, err = spool.Open(spool.Options{
		Root: cfg.Spool, Send: s.send, Notify: s.dl.EnqueueNotify, Templates: tmpl,
		Workers: cmp.Or(cfg.Lines.Outbound, cfg.Lines.Count), Tries: cfg.Retry.Tries, Backoff: cfg.Retry.Backoff.D(), MaxBackoff: cfg.Retry.MaxBackoff.D(),
		Log: s.log,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Run serves until ctx ends. Problems outside (PBX unreachable, SMTP
// down) are logged, shown in status and retried; only a failure to open
// the UDP socket stops it.
func (s *service) Run(ctx context.Context) error {
	peers := make([]iax.Peer, 0, len(s.cfg.IAX.Peers))
	for _, p := range s.cfg.IAX.Peers {
		peers = append(peers, iax.Peer{Name: p.User, Secret: p.Secret})
	}
	ep, err := iax.Listen(ctx, s.cfg.IAX.Listen, iax.Config{
		Logger: s.log, Peers: peers, AcceptGuests: len(peers) == 0, IncomingQueue: 2 * s.cfg.Lines.Count,
	})
	if err != nil {
		return fmt.Errorf("iax: %w", err)
	}
	s.ep = ep
	defer ep.Close()
	s.log.Info("softfax serve", "listen", ep.Addr().String(), "lines", len(s.lines), "spool", s.cfg.Spool)
	if s.opt.Ready != nil {
		s.opt.Ready(ep.Addr())
	}

	// Faxes cut off or archived just before a crash: archive what was
	// confirmed to the sender, then queue their deliveries.
	if _, err := s.sp.RecoverFaxes(); err != nil {
		s.log.Error("recovering faxes", "err", err)
	}
	if un, err := s.sp.Unrouted(); err == nil {
		for _, f := range un {
			s.route(f)
		}
	}

	var wg sync.WaitGroup
	run := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	if s.cfg.IAX.Server != "" {
		run(func() { s.register(ctx) })
	}
	run(func() { s.sp.Run(ctx) })
	run(func() { s.dl.Run(ctx) })
	run(func() { s.writeStatus(ctx) })
	if s.cfg.HTTP != "" {
		run(func() { s.serveHTTP(ctx) })
	}
	run(func() { s.answer(ctx) })
	<-ctx.Done()
	wg.Wait()
	s.calls.Wait()
	return nil
}

// register keeps us registered with the PBX until ctx ends. A name that
// does not resolve (DNS down at boot) is tried again every 30 s.
func (s *service) register(ctx context.Context) {
	for {
		ap, err := resolveAddrPort(s.cfg.IAX.Server)
		if err == nil {
			reg := s.ep.Register(ctx, iax.RegisterParams{Server: ap, Username: s.cfg.IAX.User, Secret: s.cfg.IAX.Secret, Refresh: s.cfg.IAX.Refresh.D()})
			s.mu.Lock()
			s.reg, s.regErr = reg, ""
			s.mu.Unlock()
			<-ctx.Done()
			reg.Close()
			return
		}
		s.mu.Lock()
		s.regErr = err.Error()
		s.mu.Unlock()
		s.log.Error("cannot resolve the PBX; trying again in 30 s", "server", s.cfg.IAX.Server, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Second):
		}
	}
}

func resolveAddrPort(hostport string) (netip.AddrPort, error) {
	ua, err := net.ResolveUDPAddr("udp", hostport)
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap := ua.AddrPort()
	// Resolved IPv4 addresses come back IPv4-mapped; the endpoint matches
	// datagrams by their plain address.
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// acquire waits for an idle line.
func (s *service) acquire(ctx context.Context) (int, bool) {
	select {
	case i := <-s.free:
		return i, true
	case <-ctx.Done():
		return 0, false
	}
}

// waitIdle waits (briefly) until line i has let go of its last call: the
// line clears it a moment after the call ends, and a line still holding
// one would refuse the next call as busy.
func (s *service) waitIdle(i int) {
	for deadline := time.Now().Add(3 * time.Second); s.lines[i].Busy() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *service) release(i int) {
	s.mu.Lock()
	delete(s.active, i)
	s.mu.Unlock()
	s.free <- i
}

func (s *service) setActive(i int, f func(*lineStatus)) {
	s.mu.Lock()
	st := s.active[i]
	st.Name, st.Busy = s.lines[i].Name, true
	f(&st)
	s.active[i] = st
	s.mu.Unlock()
}

// answer takes incoming calls: each gets an idle line or a busy signal.
func (s *service) answer(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-s.ep.Incoming():
			s.m.callsIn.Add(1)
			select {
			case i := <-s.free:
				s.calls.Add(1)
				go func() { defer s.calls.Done(); s.receive(ctx, i, c) }()
			default:
				s.m.callsRejected.Add(1)
				s.log.Warn("all lines busy; call refused", "from", c.Info().CallingNumber, "did", c.Info().Called)
				c.Reject(iax.CauseUserBusy)
			}
		}
	}
}

// sessionEngine runs a T.30 session on a line and says when it is done.
type sessionEngine struct {
	s    *t30.Session
	done chan struct{}
	once sync.Once
}

func (e *sessionEngine) Receive(in []int16) { e.s.Receive(in) }
func (e *sessionEngine) Transmit(out []int16) int {
	n := e.s.Transmit(out)
	if e.s.Done() {
		e.once.Do(func() { close(e.done) })
	}
	return n
}

// play runs sess on call until the session ends (then hangs up, after a
// moment for the last frames to go out), the call ends or ctx ends.
func (s *service) play(ctx context.Context, i int, call *iax.Call, sess *t30.Session) {
	eng := &sessionEngine{s: sess, done: make(chan struct{})}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-eng.done:
			time.Sleep(200 * time.Millisecond)
			call.Hangup(iax.CauseNormalClearing)
		case <-rctx.Done():
		}
	}()
	go func() {
		for range call.Events() {
		}
	}()
	rs, err := line.Run(rctx, call, eng, line.Options{Logger: s.log.With("line", s.lines[i].Name), RealTime: s.cfg.Lines.RealTime})
	cause, cerr := call.Cause()
	s.log.Debug("line ended", "line", s.lines[i].Name, "frames", rs.Frames, "err", err, "cause", cause, "call_err", cerr)
	if call.State() != iax.StateEnded {
		call.Hangup(iax.CauseNormalClearing)
	}
	if !sess.Done() {
		if err == nil {
			err = errors.New("the call ended")
		}
		sess.Close(err)
	}
}

// progress follows a session on line i for status and the demo.
func (s *service) progress(i int, dir string) func(t30.Progress) {
	return func(p t30.Progress) {
		s.setActive(i, func(st *lineStatus) {
			st.Page = p.Page
			if r := p.Modulation.BitRate(); r > 0 {
				st.Rate = r
			}
			if p.Remote != "" {
				st.Peer = p.Remote
			}
		})
		if s.opt.Progress != nil {
			s.opt.Progress(s.lines[i].Name, dir, p)
		}
	}
}

// receive answers call on line i, receives the fax, archives it and
// queues its deliveries.
func (s *service) receive(ctx context.Context, i int, call *iax.Call) {
	// The line is free again as soon as the call is over: archiving the
	// fax after it needs no line (and is serialised by the spool).
	release := sync.OnceFunc(func() { s.release(i) })
	defer release()
	info := call.Info()
	lg := s.log.With("line", s.lines[i].Name, "from", info.CallingNumber, "did", info.Called)
	start := time.Now()
	s.setActive(i, func(st *lineStatus) {
		st.Direction, st.Peer, st.Since = "in", info.CallingNumber, start
	})
	s.waitIdle(i)
	if err := s.lines[i].Offer(call); err != nil {
		lg.Warn("cannot take the call", "err", err)
		return
	}
	if err := call.Answer(); err != nil {
		lg.Warn("cannot answer", "err", err)
		return
	}
	f := spool.Fax{Line: i + 1, Caller: info.CallingNumber, CallerName: info.CallingName, DID: info.Called, Time: start}
	fw, err := s.sp.BeginFax(&f)
	if err != nil {
		lg.Error("cannot store a fax", "err", err)
		call.Hangup(iax.CauseTemporaryFailure)
		return
	}
	sess, err := t30.NewSession(t30.Config{
		Role: t30.Receiver, LocalID: s.cfg.StationID, Sink: spoolSink{fw}, ECM: true,
		Progress: s.progress(i, "in"), Logger: lg,
	})
	if err != nil {
		lg.Error("session", "err", err)
		fw.Abort()
		call.Hangup(iax.CauseTemporaryFailure)
		return
	}
	lg.Info("receiving", "fax", f.ID)
	s.play(ctx, i, call, sess)
	res := sess.Result()
	release()
	f.Result = "ok"
	if res.Err != nil {
		f.Result = res.Err.Error()
	}
	if fw.Pages() == 0 {
		lg.Warn("call ended without a page", "result", f.Result)
		fw.Abort()
		return
	}
	f.RemoteID, f.Duration, f.Rate = res.RemoteID, time.Since(start), res.Modulation.BitRate()
	if _, err := fw.Commit(&f); err != nil {
		lg.Error("archiving the fax", "err", err)
		return
	}
	s.m.faxesReceived.Add(1)
	s.m.pagesReceived.Add(int64(f.Pages))
	lg.Info("received", "fax", f.ID, "pages", f.Pages, "remote", res.RemoteID, "result", f.Result)
	s.route(f)
}

// spoolSink stores each page on disk before T.30 confirms it (MCF).
type spoolSink struct{ w *spool.FaxWriter }

func (k spoolSink) PutPage(p *t4.Page, _ t30.PageInfo) error { return k.w.PutPage(p) }

// route queues the deliveries of an archived fax and marks it routed.
func (s *service) route(f spool.Fax) {
	if err := s.dl.EnqueueFax(f, s.sp.FaxDir(f.ID)); err != nil {
		s.log.Error("queueing the delivery", "fax", f.ID, "err", err)
		return
	}
	if err := s.sp.MarkRouted(f.ID); err != nil {
		s.log.Error("marking the fax routed", "fax", f.ID, "err", err)
	}
}

// send is the spool's SendFunc: one call on the next idle line.
func (s *service) send(ctx context.Context, job spool.Job, pages *spool.JobPages) spool.Result {
	i, ok := s.acquire(ctx)
	if !ok {
		return spool.Result{Outcome: spool.Interrupted}
	}
	defer s.release(i)
	lg := s.log.With("line", s.lines[i].Name, "job", job.ID, "to", job.To)
	s.setActive(i, func(st *lineStatus) { st.Direction, st.Peer, st.Since = "out", job.To, time.Now() })
	p := iax.DialParams{
		Username: s.cfg.IAX.User, Secret: s.cfg.IAX.Secret, Called: job.To,
		CallingNumber: strings.ReplaceAll(s.cfg.StationID, " ", ""), CallingName: s.cfg.Header,
	}
	target := s.cfg.IAX.Dial
	if target == "" {
		target = s.cfg.IAX.Server
	}
	if target == "" {
		return spool.Result{Outcome: spool.CallFailed, Detail: "no [iax] dial or server to call through", Permanent: true}
	}
	ap, err := resolveAddrPort(target)
	if err != nil {
		return spool.Result{Outcome: spool.CallFailed, Detail: "cannot resolve " + target + ": " + err.Error()}
	}
	p.Addr = ap
	s.m.callsOut.Add(1)
	s.waitIdle(i)
	call, err := s.lines[i].Dial(s.ep, p)
	if err != nil {
		return spool.Result{Outcome: spool.CallFailed, Detail: err.Error()}
	}
	if r, ok := waitAnswer(ctx, call, 60*time.Second); !ok {
		lg.Info("not connected", "outcome", r.Outcome, "detail", r.Detail)
		return r
	}
	id := job.From
	if id == "" {
		id = s.cfg.StationID
	}
	src := &stampedPages{src: pages, at: time.Now(), name: s.cfg.Header, from: id, to: job.To}
	sess, err := t30.NewSession(t30.Config{
		Caller: true, Role: t30.Sender, LocalID: id, Source: src, ECM: true,
		Progress: s.progress(i, "out"), Logger: lg,
	})
	if err != nil {
		call.Hangup(iax.CauseTemporaryFailure)
		return spool.Result{Outcome: spool.CallFailed, Detail: err.Error()}
	}
	lg.Info("sending", "pages", pages.Len())
	s.play(ctx, i, call, sess)
	res := sess.Result()
	out := spool.Result{Outcome: spool.OK, RemoteID: res.RemoteID, Rate: res.Modulation.BitRate()}
	if res.Err != nil {
		out.Outcome, out.Detail = spool.CallFailed, fmt.Sprintf("%v (%d of %d pages confirmed)", res.Err, res.Pages, pages.Len())
		if src.err != nil {
			// A page that cannot be read or stamped will not be better
			// on the next call.
			out.Detail, out.Permanent = src.err.Error(), true
		}
		s.m.sendFailed.Add(1)
	} else {
		s.m.faxesSent.Add(1)
		s.m.pagesSent.Add(int64(res.Pages))
	}
	return out
}

// stampedPages is a job's page source for T.30 that stamps the header
// line on each page as T.30 takes it: one page decoded at a time.
type stampedPages struct {
	src interface {
		NextPage() (*t4.Page, error)
		Len() int
	}
	at             time.Time
	name, from, to string
	n              int
	err            error // the first failure to read or stamp a page
}

func (p *stampedPages) NextPage() (*t4.Page, error) {
	pg, err := p.src.NextPage()
	if err == io.EOF {
		return nil, err
	}
	if err == nil {
		p.n++
		if err = t4.StampHeader(pg, headerLine(p.at, p.name, p.from, p.to, p.n, p.src.Len())); err != nil {
			err = fmt.Errorf("page %d header: %w", p.n, err)
		}
	}
	if err != nil {
		p.err = cmp.Or(p.err, err)
		return nil, err
	}
	return pg, nil
}

// waitAnswer follows an outgoing call until it is answered (ok) or ends.
func waitAnswer(ctx context.Context, call *iax.Call, timeout time.Duration) (spool.Result, bool) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev, open := <-call.Events():
			if !open {
				return spool.Result{Outcome: spool.CallFailed, Detail: "the call ended"}, false
			}
			switch ev.Kind {
			case iax.EventAnswered:
				return spool.Result{}, true
			case iax.EventHangup:
				r := spool.Result{Outcome: spool.CallFailed, Detail: fmt.Sprintf("%v", ev.Cause)}
				if ev.Err != nil {
					r.Detail = ev.Err.Error()
				}
				switch ev.Cause {
				case iax.CauseUserBusy, iax.CauseCongestion:
					r.Outcome = spool.Busy
				case iax.CauseNoAnswer, iax.CauseNoUserResponse:
					r.Outcome = spool.NoAnswer
				case iax.CauseUnallocated:
					r.Permanent = true
				}
				return r, false
			}
		case <-t.C:
			call.Hangup(iax.CauseNoAnswer)
			return spool.Result{Outcome: spool.NoAnswer, Detail: fmt.Sprintf("not answered within %v", timeout)}, false
		case <-ctx.Done():
			call.Hangup(iax.CauseNormalClearing)
			return spool.Result{Outcome: spool.Interrupted}, false
		}
	}
}

// serviceStatus is SPOOL/status.json, rewritten every second: what
// softfax status shows of a running service.
type serviceStatus struct {
	PID          int          `json:"pid"`
	Started      time.Time    `json:"started"`
	Updated      time.Time    `json:"updated"`
	Listen       string       `json:"listen"`
	Registration string       `json:"registration"`
	Lines        []lineStatus `json:"lines"`
	Queued       int          `json:"jobs_queued"`
	Delivery     struct {
		Queued    int    `json:"queued"`
		Sent      int    `json:"sent"`
		Failed    int    `json:"failed"`
		Retried   int    `json:"retried"`
		LastError string `json:"last_error,omitempty"`
	} `json:"delivery"`
	Counters map[string]int64 `json:"counters"`
}

func (s *service) status() serviceStatus {
	st := serviceStatus{PID: os.Getpid(), Started: s.started, Updated: time.Now(), Registration: "none configured"}
	if s.ep != nil {
		st.Listen = s.ep.Addr().String()
	}
	s.mu.Lock()
	reg, regErr := s.reg, s.regErr
	s.mu.Unlock()
	switch {
	case s.cfg.IAX.Server == "":
	case reg == nil && regErr != "":
		st.Registration = fmt.Sprintf("NOT registered with %s: %s (retrying)", s.cfg.IAX.Server, regErr)
	case reg == nil:
		st.Registration = "registering with " + s.cfg.IAX.Server
	default:
		rs := reg.Status()
		switch {
		case rs.Registered:
			st.Registration = fmt.Sprintf("registered with %s (refresh %v)", s.cfg.IAX.Server, rs.Refresh)
		case rs.Err != nil:
			st.Registration = fmt.Sprintf("NOT registered with %s: %v (retrying)", s.cfg.IAX.Server, rs.Err)
		default:
			st.Registration = "registering with " + s.cfg.IAX.Server
		}
	}
	s.mu.Lock()
	for i, l := range s.lines {
		ls, ok := s.active[i]
		if !ok {
			ls = lineStatus{Name: l.Name}
		}
		st.Lines = append(st.Lines, ls)
	}
	s.mu.Unlock()
	st.Queued = len(s.sp.Jobs())
	ds := s.dl.Stats()
	st.Delivery.Queued, st.Delivery.Sent, st.Delivery.Failed, st.Delivery.Retried, st.Delivery.LastError = ds.Queued, ds.Sent, ds.Failed, ds.Retried, ds.LastError
	st.Counters = map[string]int64{
		"calls_in": s.m.callsIn.Load(), "calls_out": s.m.callsOut.Load(), "calls_rejected": s.m.callsRejected.Load(),
		"faxes_received": s.m.faxesReceived.Load(), "pages_received": s.m.pagesReceived.Load(),
		"faxes_sent": s.m.faxesSent.Load(), "pages_sent": s.m.pagesSent.Load(), "send_failures": s.m.sendFailed.Load(),
	}
	return st
}

// statusFile is the name of the status snapshot in the spool.
const statusFile = "status.json"

func (s *service) writeStatus(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		b, _ := json.MarshalIndent(s.status(), "", "  ")
		if err := spool.WriteFile(filepath.Join(s.cfg.Spool, statusFile), b, 0o640); err != nil {
			s.log.Warn("writing status", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// serveHTTP offers /healthz and /metrics (Prometheus text format).
func (s *service) serveHTTP(ctx context.Context) {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		st := s.status()
		if s.cfg.IAX.Server != "" && !strings.HasPrefix(st.Registration, "registered") {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, st.Registration)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		writeMetrics(w, s.status(), s.cfg.IAX.Server != "")
	})
	srv := &http.Server{Addr: s.cfg.HTTP, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Error("http", "addr", s.cfg.HTTP, "err", err)
	}
}

func writeMetrics(w io.Writer, st serviceStatus, registering bool) {
	busy := 0
	for _, l := range st.Lines {
		if l.Busy {
			busy++
		}
	}
	g := func(name, help string, v any) {
		fmt.Fprintf(w, "# HELP softfax_%s %s\n# TYPE softfax_%s gauge\nsoftfax_%s %v\n", name, help, name, name, v)
	}
	c := func(name, help string, v any) {
		fmt.Fprintf(w, "# HELP softfax_%s %s\n# TYPE softfax_%s counter\nsoftfax_%s %v\n", name, help, name, name, v)
	}
	g("lines", "Fax lines configured.", len(st.Lines))
	g("lines_busy", "Fax lines in a call.", busy)
	g("jobs_queued", "Outbound jobs in the queue.", st.Queued)
	g("deliveries_queued", "Deliveries waiting (SMTP down or retrying).", st.Delivery.Queued)
	if registering {
		reg := 0
		if strings.HasPrefix(st.Registration, "registered") {
			reg = 1
		}
		g("registered", "1 when registered with the PBX.", reg)
	}
	for _, k := range []string{"calls_in", "calls_out", "calls_rejected", "faxes_received", "pages_received", "faxes_sent", "pages_sent", "send_failures"} {
		c(k+"_total", strings.ReplaceAll(k, "_", " ")+".", st.Counters[k])
	}
	c("deliveries_sent_total", "Deliveries done.", st.Delivery.Sent)
	c("deliveries_failed_total", "Deliveries failed for good.", st.Delivery.Failed)
	c("deliveries_retried_total", "Delivery attempts to retry.", st.Delivery.Retried)
}

// runQueue is "softfax send" without --now: it renders the files into one
// fax TIFF (so a bad document is refused here, not later) and drops it,
// with a sidecar naming the number, into the outbound folder of the spool
// that softfax serve works:
//
//	softfax send --to NUMBER [-config FILE | -spool DIR] [-resolution R]
//	             [-notify ADDR] [-tries N] FILE...
func runQueue(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	to := fs.String("to", "", "NUMBER to fax to")
	cfgPath := fs.String("config", "", "softfax serve's configuration (for its spool folder)")
	spoolDir := fs.String("spool", "", "the spool folder (default: from -config, else "+config.Default().Spool+")")
	resName := fs.String("resolution", "fine", "standard, fine or superfine")
	paperName := fs.String("paper", "a4", "a4 or letter")
	notify := fs.String("notify", "", "email address told when the job ends")
	tries := fs.Int("tries", 0, "calls to try (0: the service's default)")
	fs.Bool("now", false, "send at once over a call of this process instead (see softfax send --now -h)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: softfax send --to NUMBER [-config FILE | -spool DIR] [flags] FILE...   (queue for softfax serve)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *to == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("need --to NUMBER and at least one FILE")
	}
	number, err := spool.NormalizeNumber(*to)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	root := config.Default().Spool
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		root = cfg.Spool
	}
	if *spoolDir != "" {
		root = *spoolDir
	}
	res, err := spool.ParseResolution(*resName)
	if err != nil {
		return err
	}
	paper, err := t4.ParsePaper(*paperName)
	if err != nil {
		return err
	}
	sc := spool.Sidecar{To: number, Notify: *notify, Resolution: *resName, Tries: *tries}
	side, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	if _, err := spool.ParseSidecar(side); err != nil {
		return err
	}
	var pages []*t4.Page
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		p, err := t4.Render(ctx, filepath.Base(name), data, t4.RenderOptions{Res: res, Paper: paper})
		if err != nil {
			return err
		}
		pages = append(pages, p...)
	}
	var tif bytes.Buffer
	if err := t4.WriteTIFF(&tif, pages, t4.TIFFOptions{Compression: t4.MMR}); err != nil {
		return err
	}
	out := filepath.Join(root, spool.DirOutbound)
	if _, err := os.Stat(out); err != nil {
		return fmt.Errorf("no spool at %s (is softfax serve set up? -config or -spool): %w", root, err)
	}
	base := fmt.Sprintf("send-%s-%d.tif", time.Now().UTC().Format("20060102T150405.000"), os.Getpid())
	// The sidecar first: the document's arrival (a rename) completes the pair.
	if err := spool.WriteFile(filepath.Join(out, base+".json"), side, 0o640); err != nil {
		return err
	}
	if err := spool.WriteFile(filepath.Join(out, base), tif.Bytes(), 0o640); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "queued %d page(s) for %s: %s\n", len(pages), number, filepath.Join(out, base))
	return nil
}

// sendNow says whether "softfax send" was asked to call at once (--now)
// rather than to queue.
func sendNow(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		switch a {
		case "-now", "--now", "-now=true", "--now=true":
			return true
		}
	}
	return false
}
