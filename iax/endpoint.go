package iax

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Peer is a configured IAX2 peer: a PBX or a modem that may register with
// this endpoint and call it, or that this endpoint calls.
type Peer struct {
	Name   string         // USERNAME it presents (and the name to dial it by)
	Secret string         // shared secret; empty means no authentication
	Addr   netip.AddrPort // static address; zero for a peer that registers
	// Auth is the set of methods offered in AUTHREQ/REGAUTH; zero means MD5.
	Auth AuthMethod
}

// Config configures an [Endpoint]. Zero values select the defaults noted.
type Config struct {
	Logger *slog.Logger // default: discard
	// Formats in order of preference; default ulaw, alaw, slinear.
	Formats []Format
	// Peers may register and call in (peer role). Calls from an unknown
	// address or USERNAME are refused unless AcceptGuests.
	Peers        []Peer
	AcceptGuests bool
	// RequireCallToken demands a CALLTOKEN on incoming NEW, REGREQ and
	// REGREL (RFC 5456 section 6.2.3's token exchange as Asterisk 1.6.2+).
	RequireCallToken bool
	// AllowPlaintext lets the endpoint answer a plaintext-only challenge.
	AllowPlaintext bool

	// Retransmission of full frames: first after RetryInitial (200 ms),
	// doubling up to RetryMax (4 s); after RetryLimit (8) retransmissions
	// the dialog is torn down.
	RetryInitial time.Duration
	RetryMax     time.Duration
	RetryLimit   int

	PingInterval      time.Duration // PING on answered calls; default 20 s, <0 off
	LagInterval       time.Duration // LAGRQ on answered calls; default 10 s, <0 off
	FullVoiceInterval time.Duration // a full voice frame at least this often; default 20 s
	Linger            time.Duration // keep ended dialogs to re-ACK; default 4 s

	// Jitter buffer of each call: JitterDelay frames (default 5 = 100 ms) of
	// fixed delay, JitterCapacity frames (default 100), fill policy
	// (default repeat, see FillPolicy).
	JitterDelay    int
	JitterCapacity int
	JitterFill     FillPolicy

	// Registrar: refresh granted to registering peers is clamped to
	// [MinRefresh, MaxRefresh] (defaults 10 s, 3600 s).
	MinRefresh time.Duration
	MaxRefresh time.Duration

	IncomingQueue int // unanswered incoming calls held for Accept; default 16
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if len(c.Formats) == 0 {
		c.Formats = []Format{FormatULaw, FormatALaw, FormatSLinear}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.RetryInitial, 200*time.Millisecond)
	def(&c.RetryMax, 4*time.Second)
	if c.RetryLimit == 0 {
		c.RetryLimit = 8
	}
	def(&c.PingInterval, 20*time.Second)
	def(&c.LagInterval, 10*time.Second)
	def(&c.FullVoiceInterval, 20*time.Second)
	def(&c.Linger, 4*time.Second)
	def(&c.MinRefresh, 10*time.Second)
	def(&c.MaxRefresh, time.Hour)
	if c.JitterDelay == 0 {
		// 100 ms: T.30's timers are in seconds, so delay costs a fax
		// nothing, while a loaded host's scheduling stalls cost frames.
		c.JitterDelay = 5
	}
	if c.JitterCapacity == 0 {
		// 2 s: the line catches up after host stalls of up to 2 s
		// (line.maxCatchUp), and the frames of such a stall must fit.
		c.JitterCapacity = 100
	}
	if c.IncomingQueue == 0 {
		c.IncomingQueue = 16
	}
}

// capability is the set of formats the endpoint offers.
func (c *Config) capability() Format {
	var f Format
	for _, x := range c.Formats {
		f |= x
	}
	return f
}

// Stats are the endpoint's counters. Everything that arrives and is not a
// valid frame for a known dialog is counted, never fatal.
type Stats struct {
	Datagrams     uint64 // received
	Malformed     uint64 // could not be parsed
	Meta          uint64 // trunk / video meta frames (not implemented: dropped)
	UnknownCall   uint64 // frames for no known dialog
	Duplicates    uint64 // full frames received again (re-ACKed)
	OutOfOrder    uint64 // full frames ahead of sequence (VNAK sent)
	Retransmitted uint64 // full frames we sent again
	TimedOut      uint64 // dialogs torn down after the retransmission limit
	TokenRejected uint64 // NEW/REGREQ refused for a missing or bad CALLTOKEN
	AuthFailed    uint64 // authentication failures (incoming)
	SendErrors    uint64
	StaleDialogs  uint64 // dialogs dropped because a restarted peer reused their call number
}

type counters struct {
	datagrams, malformed, meta, unknownCall, duplicates, outOfOrder,
	retransmitted, timedOut, tokenRejected, authFailed, sendErrors, staleDialogs atomic.Uint64
}

// Endpoint is one IAX2 endpoint on one UDP socket: calls in both
// directions, registrations as client and as registrar.
type Endpoint struct {
	cfg    Config
	log    *slog.Logger
	conn   *net.UDPConn
	tokens *tokenIssuer
	stats  counters

	incoming chan *Call

	mu       sync.Mutex // innermost lock: never take a dialog's lock while holding it
	byLocal  map[uint16]*dialog
	byRemote map[remoteKey]*dialog
	nextCall uint16
	regs     map[string]registration // registrar: peer name -> where it is
	clients  map[*Registration]struct{}

	debug bool // log every full frame

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type remoteKey struct {
	addr netip.AddrPort
	call uint16
}

type registration struct {
	addr    netip.AddrPort
	expires time.Time
}

// Listen opens an endpoint on a UDP address such as "127.0.0.1:4569" or
// ":0". It runs until ctx ends or Close is called.
func Listen(ctx context.Context, addr string, cfg Config) (*Endpoint, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("iax: listen %s: %w", addr, err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("iax: listen %s: %w", addr, err)
	}
	// 200 calls at 50 frames/s arrive in bursts; give the kernel room.
	_ = conn.SetReadBuffer(4 << 20)
	_ = conn.SetWriteBuffer(4 << 20)
	cfg.setDefaults()
	for _, f := range cfg.Formats {
		if f.BytesPerSample() == 0 {
			conn.Close()
			return nil, fmt.Errorf("iax: format %v cannot carry fax (want ulaw, alaw or slinear)", f)
		}
	}
	e := &Endpoint{
		cfg:      cfg,
		log:      cfg.Logger,
		conn:     conn,
		tokens:   newTokenIssuer(),
		incoming: make(chan *Call, cfg.IncomingQueue),
		byLocal:  map[uint16]*dialog{},
		byRemote: map[remoteKey]*dialog{},
		regs:     map[string]registration{},
		clients:  map[*Registration]struct{}{},
		// RFC 5456 section 8.1.1 leaves the choice of call numbers to each
		// end. Starting at a random point means that an endpoint restarted
		// on the same port does not reuse the numbers of its previous life,
		// which the far end may still hold for dialogs it thinks are alive.
		nextCall: uint16(2 + rand.N(0x7ffe)),
	}
	e.debug = cfg.Logger.Enabled(ctx, slog.LevelDebug)
	e.ctx, e.cancel = context.WithCancel(ctx)
	e.wg.Add(2)
	go e.readLoop()
	go e.timerLoop()
	go func() {
		<-e.ctx.Done()
		conn.Close()
	}()
	return e, nil
}

// Addr is the local address of the socket.
func (e *Endpoint) Addr() netip.AddrPort {
	return e.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Close releases this endpoint's registrations (REGREL), hangs up every
// call, waits up to a second for the far ends to acknowledge, then stops
// the endpoint and closes its socket.
func (e *Endpoint) Close() error {
	e.mu.Lock()
	clients := make([]*Registration, 0, len(e.clients))
	for r := range e.clients {
		clients = append(clients, r)
	}
	e.mu.Unlock()
	for _, r := range clients {
		r.Close()
	}
	for _, d := range e.dialogs() {
		d.mu.Lock()
		if d.call != nil && !d.ended {
			d.call.hangupLocked(CauseNormalClearing)
		}
		d.mu.Unlock()
	}
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline) && e.ctx.Err() == nil; {
		pending := false
		for _, d := range e.dialogs() {
			d.mu.Lock()
			pending = pending || len(d.unacked) > 0
			d.mu.Unlock()
		}
		if !pending {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.cancel()
	e.wg.Wait()
	return nil
}

// Done is closed when the endpoint has stopped.
func (e *Endpoint) Done() <-chan struct{} { return e.ctx.Done() }

// Incoming delivers calls that passed authentication and codec negotiation.
// The receiver must Accept (then Ring/Answer) or Reject each one.
func (e *Endpoint) Incoming() <-chan *Call { return e.incoming }

// Stats returns a snapshot of the endpoint's counters.
func (e *Endpoint) Stats() Stats {
	s := &e.stats
	return Stats{
		Datagrams: s.datagrams.Load(), Malformed: s.malformed.Load(), Meta: s.meta.Load(),
		UnknownCall: s.unknownCall.Load(), Duplicates: s.duplicates.Load(),
		OutOfOrder: s.outOfOrder.Load(), Retransmitted: s.retransmitted.Load(),
		TimedOut: s.timedOut.Load(), TokenRejected: s.tokenRejected.Load(),
		AuthFailed: s.authFailed.Load(), SendErrors: s.sendErrors.Load(),
		StaleDialogs: s.staleDialogs.Load(),
	}
}

// Registered returns where the configured peer name registered from, if its
// registration is current.
func (e *Endpoint) Registered(name string) (netip.AddrPort, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.regs[name]
	if !ok || time.Now().After(r.expires) {
		return netip.AddrPort{}, false
	}
	return r.addr, true
}

// ActiveCalls is the number of calls not yet ended.
func (e *Endpoint) ActiveCalls() int {
	n := 0
	for _, d := range e.dialogs() {
		d.mu.Lock()
		if d.call != nil && !d.ended {
			n++
		}
		d.mu.Unlock()
	}
	return n
}

func (e *Endpoint) peerByName(name string) (Peer, bool) {
	for _, p := range e.cfg.Peers {
		if p.Name == name {
			return p, true
		}
	}
	return Peer{}, false
}

func (e *Endpoint) peerByAddr(a netip.AddrPort) (Peer, bool) {
	for _, p := range e.cfg.Peers {
		if p.Addr.IsValid() && p.Addr == a {
			return p, true
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, r := range e.regs {
		if r.addr == a {
			return e.peerByName(name)
		}
	}
	return Peer{}, false
}

func (e *Endpoint) dialogs() []*dialog {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*dialog, 0, len(e.byLocal))
	for _, d := range e.byLocal {
		out = append(out, d)
	}
	return out
}

var errEndpointFull = errors.New("iax: no free call number")

// newDialog allocates a local call number and registers the dialog.
func (e *Endpoint) newDialog(peer netip.AddrPort, remote uint16, kind dialogKind) (*dialog, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for range 0x7fff {
		n := e.nextCall
		e.nextCall++
		if e.nextCall > 0x7fff {
			e.nextCall = 2 // 1 is what Asterisk uses for apathetic replies
		}
		if _, used := e.byLocal[n]; used || n < 2 {
			continue
		}
		d := newDialog(e, n, peer, kind)
		d.remote = remote
		e.byLocal[n] = d
		if remote != 0 {
			e.byRemote[remoteKey{peer, remote}] = d
		}
		return d, nil
	}
	return nil, errEndpointFull
}

// setRemote records the far end's call number of d (first reply).
func (e *Endpoint) setRemote(d *dialog, remote uint16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d.remote != 0 {
		delete(e.byRemote, remoteKey{d.peer, d.remote})
	}
	d.remote = remote
	e.byRemote[remoteKey{d.peer, remote}] = d
}

func (e *Endpoint) removeDialog(d *dialog) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byLocal[d.local] == d {
		delete(e.byLocal, d.local)
	}
	if d.remote != 0 && e.byRemote[remoteKey{d.peer, d.remote}] == d {
		delete(e.byRemote, remoteKey{d.peer, d.remote})
	}
}

func (e *Endpoint) lookupLocal(n uint16) *dialog {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.byLocal[n]
}

func (e *Endpoint) lookupRemote(a netip.AddrPort, n uint16) *dialog {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.byRemote[remoteKey{a, n}]
}

func (e *Endpoint) send(b []byte, to netip.AddrPort) {
	if e.debug && len(b) > 0 && b[0]&0x80 != 0 {
		var f FullFrame
		if f.Unmarshal(b) == nil {
			e.log.Debug("iax tx", "to", to, "frame", f.String())
		}
	}
	if _, err := e.conn.WriteToUDPAddrPort(b, to); err != nil {
		e.stats.sendErrors.Add(1)
		if e.ctx.Err() == nil {
			e.log.Debug("iax send", "to", to, "err", err)
		}
	}
}

// sendApathetic answers a frame that belongs to no dialog (CALLTOKEN,
// INVAL, an early REJECT), from call number 1 as Asterisk does.
func (e *Endpoint) sendApathetic(to netip.AddrPort, in *FullFrame, cmd uint32, ies IEs) {
	f := FullFrame{SrcCall: 1, DstCall: in.SrcCall, Timestamp: in.Timestamp,
		OSeq: 0, ISeq: in.OSeq + 1, Type: TypeIAX, Subclass: cmd, IEs: ies}
	if cmd == CmdInval {
		f.ISeq = in.OSeq
		f.OSeq = in.ISeq
		f.SrcCall = in.DstCall
	}
	b, err := f.Marshal()
	if err != nil {
		return
	}
	e.send(b, to)
}

func (e *Endpoint) readLoop() {
	defer e.wg.Done()
	buf := make([]byte, 8192)
	for {
		n, from, err := e.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if e.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			e.log.Warn("iax read", "err", err)
			continue
		}
		e.handleDatagram(buf[:n], netip.AddrPortFrom(from.Addr().Unmap(), from.Port()))
	}
}

// handleDatagram processes one datagram. Everything in b may be hostile.
func (e *Endpoint) handleDatagram(b []byte, from netip.AddrPort) {
	e.stats.datagrams.Add(1)
	k, err := Classify(b)
	if err != nil {
		e.stats.malformed.Add(1)
		return
	}
	switch k {
	case KindMeta:
		e.stats.meta.Add(1)
		return
	case KindMini:
		var m MiniFrame
		if err := m.Unmarshal(b); err != nil {
			e.stats.malformed.Add(1)
			return
		}
		d := e.lookupRemote(from, m.SrcCall)
		if d == nil {
			e.stats.unknownCall.Add(1)
			return
		}
		d.mu.Lock()
		d.handleMini(&m)
		d.mu.Unlock()
		return
	}
	var f FullFrame
	if err := f.Unmarshal(b); err != nil {
		e.stats.malformed.Add(1)
		return
	}
	if e.debug {
		e.log.Debug("iax rx", "from", from, "frame", f.String())
	}
	if f.DstCall != 0 {
		d := e.lookupLocal(f.DstCall)
		if d != nil {
			d.mu.Lock()
			ok := d.peer == from && !d.removed && (d.remote == 0 || d.remote == f.SrcCall || f.IsCmd(CmdCallToken) || d.remoteIsApathetic)
			if ok {
				d.handleFull(&f)
			}
			d.mu.Unlock()
			if ok {
				return
			}
		}
		e.stats.unknownCall.Add(1)
		switch {
		case f.IsCmd(CmdAck), f.IsCmd(CmdInval), f.IsCmd(CmdVNAK):
		default:
			// Tell the sender this call does not exist here, so it stops
			// retransmitting. It changes no state of ours.
			e.sendApathetic(from, &f, CmdInval, nil)
		}
		return
	}
	// No destination call: a retransmitted first frame, or a new dialog.
	if d := e.lookupRemote(from, f.SrcCall); d != nil {
		d.mu.Lock()
		stale := !d.removed && f.IsCmd(CmdNew) && d.staleFor(&f)
		if stale {
			// The far end restarted and reuses a call number we still
			// hold: the old dialog is dead, this NEW opens a new call.
			e.stats.staleDialogs.Add(1)
			e.log.Info("iax: new call reuses a live call number; dropping the stale dialog",
				"peer", from, "call", f.SrcCall, "stale", d.local)
			d.fail(ErrPeerRestarted)
			e.removeDialog(d)
			d.removed = true
		} else if !d.removed {
			d.handleFull(&f)
		}
		d.mu.Unlock()
		if !stale {
			return
		}
	}
	if f.Type != TypeIAX {
		e.stats.unknownCall.Add(1)
		return
	}
	switch f.Subclass {
	case CmdNew:
		e.handleNew(&f, from)
	case CmdRegReq, CmdRegRel:
		e.handleRegRequest(&f, from)
	case CmdPoke:
		e.handlePoke(&f, from)
	default:
		e.stats.unknownCall.Add(1)
	}
}

// checkToken enforces RequireCallToken on a dialog-opening frame. It
// returns true when the frame may proceed.
func (e *Endpoint) checkToken(f *FullFrame, from netip.AddrPort, rejectCmd uint32) bool {
	if !e.cfg.RequireCallToken {
		return true
	}
	tok, present := f.IEs.Get(IECallToken)
	switch {
	case !present:
		// A peer without token support (iaxmodem) cannot get in.
		e.stats.tokenRejected.Add(1)
		var ies IEs
		ies.AddString(IECause, "CallToken support required")
		ies.AddUint8(IECauseCode, uint8(CauseFacilityRejected))
		e.sendApathetic(from, f, rejectCmd, ies)
		return false
	case len(tok) == 0:
		var ies IEs
		ies.AddString(IECallToken, e.tokens.issue(from, time.Now()))
		e.sendApathetic(from, f, CmdCallToken, ies)
		return false
	case !e.tokens.valid(from, string(tok), time.Now()):
		// Asterisk drops invalid tokens silently; so do we.
		e.stats.tokenRejected.Add(1)
		return false
	}
	return true
}

func (e *Endpoint) handlePoke(f *FullFrame, from netip.AddrPort) {
	d, err := e.newDialog(from, f.SrcCall, kindPoke)
	if err != nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.iseq = f.OSeq + 1
	d.inbound, d.openTs = true, f.Timestamp
	d.sendAck(f)
	d.sendPong(f.Timestamp)
	d.endLocked(nil)
}

func (e *Endpoint) timerLoop() {
	defer e.wg.Done()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	var list []*dialog
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
			// Not the tick's own time: under load it may be stale, and
			// retransmission deadlines computed from it would come early.
			now := time.Now()
			list = list[:0]
			e.mu.Lock()
			for _, d := range e.byLocal {
				list = append(list, d)
			}
			e.mu.Unlock()
			for _, d := range list {
				d.mu.Lock()
				remove := d.tick(now)
				d.mu.Unlock()
				if remove {
					e.removeDialog(d)
				}
			}
		}
	}
}
