package iax

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// RegisterParams configures a registration with a registrar (a PBX).
type RegisterParams struct {
	Server   netip.AddrPort
	Username string
	Secret   string
	// Refresh requested (REFRESH); default 60 s. The registrar may grant
	// another value; re-registration happens 5 s before it runs out (as
	// iaxmodem), or at half of it for short ones.
	Refresh time.Duration
	// RetryInterval after a failed attempt; default 10 s.
	RetryInterval time.Duration
}

// RegStatus is the state of a registration.
type RegStatus struct {
	Registered bool
	Err        error          // the last failure, if the last attempt failed
	Refresh    time.Duration  // granted
	Apparent   netip.AddrPort // APPARENT_ADDR: where the registrar sees us
	At         time.Time      // when the last attempt ended
}

// ErrRegRejected wraps a REGREJ.
var ErrRegRejected = errors.New("iax: registration rejected")

// Registration keeps this endpoint registered with a server until Close.
type Registration struct {
	e      *Endpoint
	p      RegisterParams
	mu     sync.Mutex
	status RegStatus
	first  chan struct{} // closed after the first attempt
	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}
}

// Register starts registering with p.Server (REGREQ, REGAUTH with MD5,
// CALLTOKEN when demanded, refresh) until ctx ends or Close is called;
// then it releases the registration (REGREL).
func (e *Endpoint) Register(ctx context.Context, p RegisterParams) *Registration {
	if p.Refresh == 0 {
		p.Refresh = 60 * time.Second
	}
	if p.RetryInterval == 0 {
		p.RetryInterval = 10 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Registration{e: e, p: p, first: make(chan struct{}), cancel: cancel, done: make(chan struct{})}
	e.mu.Lock()
	e.clients[r] = struct{}{}
	e.mu.Unlock()
	go r.run(ctx)
	return r
}

// Wait blocks until the first attempt has ended and returns its error.
func (r *Registration) Wait(ctx context.Context) error {
	select {
	case <-r.first:
	case <-ctx.Done():
		return ctx.Err()
	}
	return r.Status().Err
}

// Status returns the registration's state.
func (r *Registration) Status() RegStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Close releases the registration (REGREL) and waits for that to finish.
func (r *Registration) Close() error {
	r.cancel()
	<-r.done
	return nil
}

func (r *Registration) run(ctx context.Context) {
	defer close(r.done)
	defer func() {
		r.e.mu.Lock()
		delete(r.e.clients, r)
		r.e.mu.Unlock()
	}()
	defer r.once.Do(func() { close(r.first) })
	for {
		res := r.transact(ctx, false)
		r.mu.Lock()
		r.status = RegStatus{Registered: res.err == nil, Err: res.err, Refresh: res.refresh,
			Apparent: res.apparent, At: time.Now()}
		if res.err != nil && r.status.Refresh == 0 {
			r.status.Refresh = 0
		}
		r.mu.Unlock()
		r.once.Do(func() { close(r.first) })
		wait := r.p.RetryInterval
		if res.err == nil {
			r.e.log.Info("iax registered", "server", r.p.Server, "user", r.p.Username, "refresh", res.refresh)
			wait = max(res.refresh-5*time.Second, res.refresh/2, time.Second)
		} else if ctx.Err() == nil {
			r.e.log.Warn("iax registration failed", "server", r.p.Server, "user", r.p.Username, "err", res.err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			if r.Status().Registered && r.e.ctx.Err() == nil {
				rctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				rel := r.transact(rctx, true)
				cancel()
				r.mu.Lock()
				r.status = RegStatus{Err: rel.err, At: time.Now()}
				r.mu.Unlock()
			}
			return
		}
	}
}

type regResult struct {
	err      error
	refresh  time.Duration
	apparent netip.AddrPort
}

// transact runs one REGREQ (or REGREL) dialog to its end.
func (r *Registration) transact(ctx context.Context, release bool) regResult {
	e := r.e
	d, err := e.newDialog(r.p.Server, 0, kindRegClient)
	if err != nil {
		return regResult{err: err}
	}
	t := &regTxn{p: r.p, release: release, result: make(chan regResult, 1), allowPlain: e.cfg.AllowPlaintext}
	d.mu.Lock()
	d.reg = t
	f := FullFrame{Type: TypeIAX, Subclass: t.cmd(), IEs: t.ies(nil)}
	f.IEs.AddBytes(IECallToken, nil)
	first := f
	first.IEs = append(IEs(nil), f.IEs...)
	d.first = &first
	d.sendFull(&f)
	d.first.Timestamp = f.Timestamp
	d.mu.Unlock()
	select {
	case res := <-t.result:
		return res
	case <-ctx.Done():
		d.mu.Lock()
		d.endLocked(ctx.Err())
		d.unacked = d.unacked[:0]
		d.mu.Unlock()
		return regResult{err: ctx.Err()}
	case <-e.ctx.Done():
		return regResult{err: ErrClosed}
	}
}

// regTxn is the client side of one registration dialog.
type regTxn struct {
	p          RegisterParams
	release    bool
	authed     bool
	allowPlain bool
	result     chan regResult
	finished   bool
}

func (t *regTxn) cmd() uint32 {
	if t.release {
		return CmdRegRel
	}
	return CmdRegReq
}

// ies builds the REGREQ/REGREL IEs, with the answer to a challenge if any.
func (t *regTxn) ies(auth IEs) IEs {
	var ies IEs
	ies.AddString(IEUsername, t.p.Username)
	ies = append(ies, auth...)
	if t.release {
		ies.AddString(IECause, "Exiting")
	} else {
		ies.AddUint16(IERefresh, uint16(min(t.p.Refresh/time.Second, 65535)))
	}
	return ies
}

func (t *regTxn) handle(d *dialog, f *FullFrame) {
	if f.Type != TypeIAX {
		return
	}
	switch f.Subclass {
	case CmdRegAuth:
		if t.authed {
			t.done(d, fmt.Errorf("%w: challenged twice (wrong secret?)", ErrRegRejected))
			return
		}
		var auth IEs
		if err := answerAuth(&auth, f.IEs, t.p.Secret, t.allowPlain); err != nil {
			t.done(d, err)
			return
		}
		t.authed = true
		d.sendCmd(t.cmd(), t.ies(auth))
	case CmdRegAck:
		res := regResult{}
		res.refresh = t.p.Refresh
		if v, ok := f.IEs.Uint(IERefresh); ok && v > 0 {
			res.refresh = time.Duration(v) * time.Second
		}
		if a, ok := f.IEs.Get(IEApparentAddr); ok {
			res.apparent, _ = ParseApparentAddr(a)
		}
		t.finish(d, res)
	case CmdRegRej:
		cause := f.IEs.String(IECause)
		if cause == "" {
			cause = "no cause given"
		}
		t.done(d, fmt.Errorf("%w: %s", ErrRegRejected, cause))
	}
}

func (t *regTxn) done(d *dialog, err error) { t.finish(d, regResult{err: err}) }

func (t *regTxn) finish(d *dialog, res regResult) {
	if t.finished {
		return
	}
	t.finished = true
	t.result <- res
	d.endLocked(res.err)
}

// regServerTxn is the registrar side of one REGREQ/REGREL dialog.
type regServerTxn struct {
	challenge string
	peer      Peer
}

// handleRegRequest opens a registrar dialog for a REGREQ or REGREL.
func (e *Endpoint) handleRegRequest(f *FullFrame, from netip.AddrPort) {
	if !e.checkToken(f, from, CmdRegRej) {
		return
	}
	d, err := e.newDialog(from, f.SrcCall, kindRegServer)
	if err != nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.srv = &regServerTxn{}
	d.iseq = f.OSeq + 1
	d.inbound, d.openTs = true, f.Timestamp
	// No separate ACK: the reply below carries iseq and acknowledges.
	d.srv.handle(d, f)
}

func (t *regServerTxn) reject(d *dialog, text string) {
	var ies IEs
	ies.AddString(IECause, text)
	ies.AddUint8(IECauseCode, uint8(CauseFacilityRejected))
	d.sendCmd(CmdRegRej, ies)
	d.endLocked(nil)
}

func (t *regServerTxn) handle(d *dialog, f *FullFrame) {
	e := d.e
	if !f.IsCmd(CmdRegReq) && !f.IsCmd(CmdRegRel) {
		return
	}
	name := f.IEs.String(IEUsername)
	peer, ok := e.peerByName(name)
	if !ok {
		// Challenge an unknown name like a known one (a secret nobody
		// knows), so that the answer does not tell which names exist.
		if t.peer.Secret == "" {
			t.peer = Peer{Name: name, Secret: newChallenge() + newChallenge()}
		}
		peer = t.peer
	}
	t.peer = peer
	// iaxmodem sends REGREL as it exits and does not stay to answer a
	// challenge; a release from the very address the peer registered from
	// (with MD5) is accepted without one. Anything else is challenged.
	trusted := false
	if f.IsCmd(CmdRegRel) {
		e.mu.Lock()
		r, ok := e.regs[name]
		e.mu.Unlock()
		trusted = ok && r.addr == d.peer
	}
	if peer.Secret != "" && !trusted {
		if t.challenge == "" {
			t.challenge = newChallenge()
			var ies IEs
			ies.AddUint16(IEAuthMethods, uint16(authMethods(peer)))
			ies.AddString(IEChallenge, t.challenge)
			ies.AddString(IEUsername, name)
			d.sendCmd(CmdRegAuth, ies)
			return
		}
		if !verifyAuth(f.IEs, t.challenge, peer.Secret, authMethods(peer)) {
			e.stats.authFailed.Add(1)
			t.reject(d, "Registration Refused")
			return
		}
	}
	var ies IEs
	ies.AddString(IEUsername, name)
	ies.AddUint32(IEDateTime, DateTime(time.Now()))
	if f.IsCmd(CmdRegRel) {
		e.mu.Lock()
		delete(e.regs, name)
		e.mu.Unlock()
		e.log.Info("iax peer unregistered", "peer", name, "addr", d.peer)
	} else {
		refresh := 60 * time.Second
		if v, ok := f.IEs.Uint(IERefresh); ok {
			refresh = time.Duration(v) * time.Second
		}
		refresh = min(max(refresh, e.cfg.MinRefresh), e.cfg.MaxRefresh)
		e.mu.Lock()
		e.regs[name] = registration{addr: d.peer, expires: time.Now().Add(refresh + 10*time.Second)}
		e.mu.Unlock()
		e.log.Info("iax peer registered", "peer", name, "addr", d.peer, "refresh", refresh)
		ies.AddUint16(IERefresh, uint16(min(refresh/time.Second, 65535)))
		ies.AddBytes(IEApparentAddr, ApparentAddr(d.peer))
	}
	d.sendCmd(CmdRegAck, ies)
	d.endLocked(nil)
}
