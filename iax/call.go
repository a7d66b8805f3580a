package iax

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// CallState is where a call is in its life.
type CallState uint8

// Call states.
const (
	StateDialing  CallState = iota + 1 // NEW sent, nothing accepted yet
	StateAuthWait                      // incoming: AUTHREQ sent, waiting for AUTHREP
	StateIncoming                      // incoming: offered to the application
	StateAccepted                      // ACCEPT sent or received
	StateRinging                       // the far end (or we) signalled RINGING
	StateAnswered                      // ANSWER sent or received: audio flows
	StateEnded
)

var stateNames = [...]string{"", "dialing", "auth-wait", "incoming", "accepted", "ringing", "answered", "ended"}

func (s CallState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// EventKind is the kind of a call [Event].
type EventKind uint8

// Call events.
const (
	EventAccepted   EventKind = iota + 1 // the far end accepted our NEW (Format is set)
	EventRinging                         // CONTROL RINGING
	EventProceeding                      // CONTROL PROCEEDING
	EventProgress                        // CONTROL PROGRESS
	EventAnswered                        // CONTROL ANSWER
	EventDTMF                            // a DTMF digit (Digit)
	EventQuelch                          // the far end asked us to stop sending audio
	EventUnquelch                        // ... and to resume
	EventHangup                          // the call ended (Cause, Err); last event
)

var eventNames = [...]string{"", "accepted", "ringing", "proceeding", "progress", "answered", "dtmf", "quelch", "unquelch", "hangup"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is a change in a call, delivered on [Call.Events].
type Event struct {
	Kind  EventKind
	Cause Cause  // EventHangup: Q.850 cause (0 if the far end sent none)
	Text  string // EventHangup: the CAUSE text
	Digit rune   // EventDTMF
	Err   error  // EventHangup: transport failure, if any
}

// CallInfo is what the NEW said about a call.
type CallInfo struct {
	Called        string // CALLED_NUMBER: the DID of an incoming call
	DNID          string
	CallingNumber string
	CallingName   string
	Username      string // USERNAME the caller presented
	Peer          string // configured peer the call came from ("" for a guest)
	Addr          netip.AddrPort
	Outgoing      bool
}

// CallStats counts a call's audio frames.
type CallStats struct {
	SentFull, SentMini uint64 // voice frames sent
	RecvFull, RecvMini uint64 // voice frames received
	Dropped            uint64 // SendAudio calls dropped (not answered, quelched)
	Jitter             JitterStats
	RTT                time.Duration // from the last PONG/LAGRP
	EventsDropped      uint64
	FormatMismatch     uint64 // voice frames in another format than negotiated
}

// ErrCallEnded is returned by operations on a call that has ended.
var ErrCallEnded = errors.New("iax: call ended")

// Call is one IAX2 call. Its methods are safe for concurrent use.
type Call struct {
	d        *dialog
	info     CallInfo
	state    CallState
	format   Format
	caps     Format // incoming: the caller's capability
	wide     bool   // the far end uses FORMAT2/CAPABILITY2
	events   chan Event
	done     chan struct{}
	cause    Cause
	err      error
	jb       *JitterBuffer
	stats    CallStats
	quelched bool

	// outgoing authentication
	username, secret string
	// incoming authentication
	challenge string
	authPeer  Peer

	// transmit voice
	txStarted  bool
	txBase     uint32
	txSamples  uint64
	txLastTs   uint32
	txLastFull uint32
	txFormat   Format
	mini       []byte

	// receive voice
	rxSeen bool
	rxTs   uint32

	nextPing, nextLag time.Time
	pingSent          time.Time
}

func newCall(d *dialog, info CallInfo, state CallState) *Call {
	c := &Call{d: d, info: info, state: state, events: make(chan Event, 32), done: make(chan struct{})}
	d.call = c
	return c
}

// Info returns what is known about the call's parties.
func (c *Call) Info() CallInfo { return c.info }

// Events delivers the call's progress; it is closed after EventHangup.
func (c *Call) Events() <-chan Event { return c.events }

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// State returns the call's state.
func (c *Call) State() CallState {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	return c.state
}

// Format is the negotiated voice format (0 before ACCEPT).
func (c *Call) Format() Format {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	return c.format
}

// Cause is the hangup cause once the call has ended.
func (c *Call) Cause() (Cause, error) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	return c.cause, c.err
}

// Stats returns the call's counters.
func (c *Call) Stats() CallStats {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	s := c.stats
	if c.jb != nil {
		s.Jitter = c.jb.Stats()
	}
	return s
}

// LocalCallNumber is this end's call number (for logs).
func (c *Call) LocalCallNumber() uint16 { return c.d.local }

func (c *Call) emit(ev Event) {
	select {
	case c.events <- ev:
	default:
		c.stats.EventsDropped++
	}
}

// endLocked finishes the call once: state, event, Done.
func (c *Call) endLocked(err error, cause Cause) {
	c.endWith(err, cause, cause.Text())
}

func (c *Call) endWith(err error, cause Cause, text string) {
	if c.state == StateEnded {
		return
	}
	c.state = StateEnded
	c.cause, c.err = cause, err
	// The hangup event must not be lost to a full channel: make room.
	ev := Event{Kind: EventHangup, Cause: cause, Text: text, Err: err}
	select {
	case c.events <- ev:
	default:
		select {
		case <-c.events:
			c.stats.EventsDropped++
		default:
		}
		c.events <- ev
	}
	close(c.events)
	close(c.done)
	c.d.endLocked(err)
}

// silenceByte is the idle code of a format.
func silenceByte(f Format) byte {
	switch f {
	case FormatULaw:
		return 0xff
	case FormatALaw:
		return 0xd5
	}
	return 0
}

// FrameBytes is the payload size of one 20 ms frame in f.
func FrameBytes(f Format) int { return 160 * f.BytesPerSample() }

func (c *Call) setFormat(f Format) {
	c.format = f
	cfg := &c.d.e.cfg
	c.jb = NewJitterBuffer(20, FrameBytes(f), cfg.JitterDelay, cfg.JitterCapacity, silenceByte(f), cfg.JitterFill)
	c.mini = make([]byte, MiniHeaderLen, MiniHeaderLen+FrameBytes(f))
}

// Accept accepts an incoming call in its negotiated format (ACCEPT).
func (c *Call) Accept() error {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.state != StateIncoming {
		return fmt.Errorf("iax: accept in state %v", c.state)
	}
	var ies IEs
	ies.AddUint32(IEFormat, uint32(c.format))
	if c.wide {
		ies.AddFormat64(IEFormat2, c.format)
	}
	c.d.sendCmd(CmdAccept, ies)
	c.state = StateAccepted
	return nil
}

// Ring tells the caller the line is ringing (CONTROL RINGING).
func (c *Call) Ring() error { return c.control(CtlRinging, StateRinging) }

// Proceeding tells the caller the call is proceeding (CONTROL PROCEEDING).
func (c *Call) Proceeding() error { return c.control(CtlProceeding, 0) }

// Answer answers the call (CONTROL ANSWER); audio may flow from now on.
func (c *Call) Answer() error { return c.control(CtlAnswer, StateAnswered) }

func (c *Call) control(sub uint32, to CallState) error {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.state == StateEnded {
		return ErrCallEnded
	}
	if c.state < StateAccepted {
		return fmt.Errorf("iax: control %d in state %v", sub, c.state)
	}
	c.d.sendFull(&FullFrame{Type: TypeControl, Subclass: sub})
	if to != 0 {
		c.state = to
	}
	if to == StateAnswered {
		c.startTimers(time.Now())
	}
	return nil
}

// Reject refuses an incoming call with a cause (REJECT).
func (c *Call) Reject(cause Cause) error {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.state == StateEnded {
		return ErrCallEnded
	}
	c.rejectLocked(cause)
	return nil
}

func (c *Call) rejectLocked(cause Cause) { c.endWithLocked(CmdReject, cause) }

// Hangup ends the call with a cause (HANGUP).
func (c *Call) Hangup(cause Cause) error {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.state == StateEnded {
		return ErrCallEnded
	}
	c.hangupLocked(cause)
	return nil
}

func (c *Call) hangupLocked(cause Cause) { c.endWithLocked(CmdHangup, cause) }

// endWithLocked sends REJECT or HANGUP with the cause's text and code, then
// ends the call.
func (c *Call) endWithLocked(cmd uint32, cause Cause) {
	var ies IEs
	ies.AddString(IECause, cause.Text())
	ies.AddUint8(IECauseCode, uint8(cause))
	c.d.sendCmd(cmd, ies)
	c.endLocked(nil, cause)
}

// SendDTMF sends one DTMF digit (a DTMF END frame).
func (c *Call) SendDTMF(digit rune) error {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.state == StateEnded {
		return ErrCallEnded
	}
	c.d.sendFull(&FullFrame{Type: TypeDTMFEnd, Subclass: uint32(digit)})
	return nil
}

// SendAudio sends one frame of voice in the call's format (for 20 ms: 160
// bytes of ulaw/alaw, 320 of big-endian slinear). The frame's timestamp
// follows the samples sent, so paced frames carry an even 20 ms step. A
// full voice frame goes out first, when the 16-bit mini timestamp wraps and
// at least every FullVoiceInterval (iaxmodem needs one every ~50 s).
// Audio is dropped before the call is accepted and while quelched.
func (c *Call) SendAudio(payload []byte) error {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.state == StateEnded {
		return ErrCallEnded
	}
	bps := c.format.BytesPerSample()
	if c.state < StateAccepted || c.quelched || bps == 0 {
		c.stats.Dropped++
		return nil
	}
	if !c.txStarted {
		c.txStarted = true
		c.txBase = c.d.nowTs()
	}
	ts := c.txBase + uint32(c.txSamples/8)
	c.txSamples += uint64(len(payload) / bps)
	full := c.txFormat != c.format || uint16(ts) < uint16(c.txLastTs) ||
		time.Duration(ts-c.txLastFull)*time.Millisecond >= c.d.e.cfg.FullVoiceInterval
	c.txLastTs = ts
	if full {
		c.txFormat = c.format
		c.txLastFull = ts
		c.stats.SentFull++
		c.d.sendFull(&FullFrame{Type: TypeVoice, Subclass: uint32(c.format), Timestamp: ts,
			Payload: append([]byte(nil), payload...)})
		return nil
	}
	c.stats.SentMini++
	m := MiniFrame{SrcCall: c.d.local, Timestamp: uint16(ts), Payload: payload}
	c.mini = m.AppendMarshal(c.mini[:0])
	c.d.e.send(c.mini, c.d.peer)
	return nil
}

// ReadAudio writes the next 20 ms of received audio into dst from the
// jitter buffer (idle or fill when nothing is there). It is meant to be
// called once per 20 ms by the line.
func (c *Call) ReadAudio(dst []byte) GetResult {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.jb == nil {
		for i := range dst {
			dst[i] = silenceByte(c.format)
		}
		return GetIdle
	}
	return c.jb.Get(dst)
}

// JitterDepth is the number of received frames waiting to be played, and
// the target: the line keeps the two level to follow the far end's clock.
func (c *Call) JitterDepth() (depth, target int) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.jb == nil {
		return 0, 0
	}
	return c.jb.Depth(), c.jb.Delay()
}

func (c *Call) receiveVoice(ts uint32, payload []byte) {
	if c.jb == nil || c.state == StateEnded {
		return
	}
	c.rxSeen = true
	c.rxTs = ts
	c.jb.Put(ts, payload)
}

// handleMini receives a mini frame: its 16-bit timestamp is widened to the
// 32-bit value nearest the last voice timestamp, so wraps in either
// direction (and reordering around a wrap) come out right.
func (d *dialog) handleMini(m *MiniFrame) {
	c := d.call
	if c == nil || d.ended {
		return
	}
	c.stats.RecvMini++
	ts := c.rxTs&^0xffff | uint32(m.Timestamp)
	if c.rxSeen {
		switch diff := int32(ts - c.rxTs); {
		case diff > 0x8000:
			ts -= 0x10000
		case diff < -0x8000:
			ts += 0x10000
		}
	}
	if bps := c.format.BytesPerSample(); bps == 0 || len(m.Payload)%bps != 0 {
		c.stats.FormatMismatch++
		return
	}
	c.receiveVoice(ts, m.Payload)
}

func (c *Call) startTimers(now time.Time) {
	cfg := &c.d.e.cfg
	if cfg.PingInterval > 0 {
		c.nextPing = now.Add(cfg.PingInterval)
	}
	if cfg.LagInterval > 0 {
		c.nextLag = now.Add(cfg.LagInterval)
	}
}

func (c *Call) tick(now time.Time) {
	if c.state != StateAnswered {
		return
	}
	cfg := &c.d.e.cfg
	if !c.nextPing.IsZero() && now.After(c.nextPing) {
		c.nextPing = now.Add(cfg.PingInterval)
		c.d.sendCmd(CmdPing, nil)
	}
	if !c.nextLag.IsZero() && now.After(c.nextLag) {
		c.nextLag = now.Add(cfg.LagInterval)
		c.d.sendCmd(CmdLagRq, nil)
	}
}

// handleFull acts on an in-order full frame of the call.
func (c *Call) handleFull(f *FullFrame) {
	d := c.d
	switch f.Type {
	case TypeVoice:
		c.stats.RecvFull++
		if Format(f.Subclass) != c.format {
			c.stats.FormatMismatch++
			return
		}
		c.receiveVoice(f.Timestamp, f.Payload)
	case TypeControl:
		c.handleControl(f)
	case TypeDTMFEnd:
		c.emit(Event{Kind: EventDTMF, Digit: rune(f.Subclass)})
	case TypeIAX:
		switch f.Subclass {
		case CmdPing:
			d.sendPong(f.Timestamp)
		case CmdLagRq:
			d.sendFull(&FullFrame{Type: TypeIAX, Subclass: CmdLagRp, Timestamp: f.Timestamp})
		case CmdPong, CmdLagRp:
			c.stats.RTT = time.Duration(d.nowTs()-f.Timestamp) * time.Millisecond
		case CmdAccept:
			c.handleAccept(f)
		case CmdAuthReq:
			c.handleAuthReq(f)
		case CmdAuthRep:
			c.handleAuthRep(f)
		case CmdReject, CmdHangup:
			cause, _ := f.IEs.Uint(IECauseCode)
			c.endWith(nil, Cause(cause), f.IEs.String(IECause))
		case CmdTxReq:
			// A native transfer in the middle of a fax would break it.
			d.sendCmd(CmdTxRej, nil)
		case CmdQuelch:
			c.quelched = true
			c.emit(Event{Kind: EventQuelch})
		case CmdUnquelch:
			c.quelched = false
			c.emit(Event{Kind: EventUnquelch})
		}
	}
}

func (c *Call) handleControl(f *FullFrame) {
	switch f.Subclass {
	case CtlRinging:
		if c.state < StateRinging {
			c.state = StateRinging
		}
		c.emit(Event{Kind: EventRinging})
	case CtlProceeding:
		c.emit(Event{Kind: EventProceeding})
	case CtlProgress:
		c.emit(Event{Kind: EventProgress})
	case CtlAnswer:
		if c.state < StateAnswered {
			c.state = StateAnswered
			c.startTimers(time.Now())
			c.emit(Event{Kind: EventAnswered})
		}
	case CtlBusy:
		c.hangupLocked(CauseUserBusy)
	case CtlCongestion:
		c.hangupLocked(CauseCongestion)
	case CtlHangup:
		c.endLocked(nil, CauseNormalClearing)
	}
}

func (c *Call) handleAccept(f *FullFrame) {
	if !c.info.Outgoing || c.state != StateDialing {
		return
	}
	format, _ := f.IEs.Formats()
	if !format.single() || format&c.d.e.cfg.capability() == 0 || format.BytesPerSample() == 0 {
		c.hangupLocked(CauseBearerNotAvailable)
		return
	}
	c.setFormat(format)
	c.state = StateAccepted
	c.emit(Event{Kind: EventAccepted})
}

func (c *Call) handleAuthReq(f *FullFrame) {
	if !c.info.Outgoing || c.state != StateDialing {
		return
	}
	var ies IEs
	if c.username != "" {
		ies.AddString(IEUsername, c.username)
	}
	if c.secret == "" {
		c.hangupLocked(CauseFacilityRejected)
		return
	}
	if err := answerAuth(&ies, f.IEs, c.secret, c.d.e.cfg.AllowPlaintext); err != nil {
		c.d.e.log.Warn("iax call auth", "err", err)
		c.hangupLocked(CauseFacilityRejected)
		return
	}
	c.d.sendCmd(CmdAuthRep, ies)
}

func (c *Call) handleAuthRep(f *FullFrame) {
	if c.info.Outgoing || c.state != StateAuthWait {
		return
	}
	if !verifyAuth(f.IEs, c.challenge, c.authPeer.Secret, authMethods(c.authPeer)) {
		c.d.e.stats.authFailed.Add(1)
		c.rejectLocked(CauseFacilityRejected)
		return
	}
	c.offer()
}

func authMethods(p Peer) AuthMethod {
	if p.Auth == 0 {
		return AuthMD5
	}
	return p.Auth
}

// negotiate picks the voice format of an incoming call: the caller's
// preferred format if we carry it, else our first preference it offers.
func negotiate(ours []Format, preferred, capability Format) Format {
	for _, f := range ours {
		if preferred == f {
			return f
		}
	}
	for _, f := range ours {
		if capability&f != 0 {
			return f
		}
	}
	return 0
}

// offer hands an authenticated incoming call to the application.
func (c *Call) offer() {
	e := c.d.e
	if c.format == 0 {
		c.rejectLocked(CauseBearerNotAvailable)
		return
	}
	c.setFormat(c.format)
	c.state = StateIncoming
	select {
	case e.incoming <- c:
	default:
		c.rejectLocked(CauseCongestion)
	}
}

// handleNew opens an incoming call.
func (e *Endpoint) handleNew(f *FullFrame, from netip.AddrPort) {
	if !e.checkToken(f, from, CmdReject) {
		return
	}
	d, err := e.newDialog(from, f.SrcCall, kindCall)
	if err != nil {
		e.sendApathetic(from, f, CmdReject, nil)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.iseq = f.OSeq + 1
	d.inbound, d.openTs = true, f.Timestamp
	d.sendAck(f)
	info := CallInfo{
		Called:        f.IEs.String(IECalledNumber),
		DNID:          f.IEs.String(IEDNID),
		CallingNumber: f.IEs.String(IECallingNumber),
		CallingName:   f.IEs.String(IECallingName),
		Username:      f.IEs.String(IEUsername),
		Addr:          from,
	}
	c := newCall(d, info, StateAuthWait)
	pref, capa := f.IEs.Formats()
	c.caps = capa
	c.wide = f.IEs.Has(IEFormat2) || f.IEs.Has(IECapability2)
	c.format = negotiate(e.cfg.Formats, pref, capa|pref)

	var peer Peer
	var known bool
	if info.Username != "" {
		peer, known = e.peerByName(info.Username)
	} else {
		peer, known = e.peerByAddr(from)
	}
	if !known && info.Username != "" && !e.cfg.AcceptGuests {
		// Challenge an unknown USERNAME as if it existed (with a secret
		// nobody knows), so that REJECT does not tell which names exist.
		peer, known = Peer{Secret: newChallenge() + newChallenge()}, true
	}
	switch {
	case known && peer.Secret != "":
		c.info.Peer = peer.Name
		c.authPeer = peer
		c.challenge = newChallenge()
		var ies IEs
		ies.AddUint16(IEAuthMethods, uint16(authMethods(peer)))
		ies.AddString(IEChallenge, c.challenge)
		if info.Username != "" {
			ies.AddString(IEUsername, info.Username)
		}
		d.sendCmd(CmdAuthReq, ies)
	case known:
		c.info.Peer = peer.Name
		c.offer()
	case e.cfg.AcceptGuests:
		c.offer()
	default:
		e.stats.authFailed.Add(1)
		c.rejectLocked(CauseFacilityRejected)
	}
}

// DialParams describes an outgoing call.
type DialParams struct {
	// Where to: an address, or the name of a configured peer (its static
	// address or where it registered).
	Addr netip.AddrPort
	Peer string
	// Credentials presented (USERNAME) and used to answer AUTHREQ.
	Username, Secret string

	Called        string // CALLED_NUMBER
	DNID          string // DNID; defaults to Called
	CallingNumber string
	CallingName   string
	// Formats overrides the endpoint's preference for this call.
	Formats []Format
}

// Dial places a call. It returns at once; progress arrives as events.
func (e *Endpoint) Dial(p DialParams) (*Call, error) {
	addr := p.Addr
	if !addr.IsValid() && p.Peer != "" {
		if pr, ok := e.peerByName(p.Peer); ok && pr.Addr.IsValid() {
			addr = pr.Addr
		} else if a, ok := e.Registered(p.Peer); ok {
			addr = a
		} else {
			return nil, fmt.Errorf("iax: peer %q is not registered", p.Peer)
		}
		if p.Username == "" && p.Secret == "" {
			if pr, ok := e.peerByName(p.Peer); ok {
				p.Secret = pr.Secret
			}
		}
	}
	if !addr.IsValid() {
		return nil, errors.New("iax: dial: no address")
	}
	if e.ctx.Err() != nil {
		return nil, ErrClosed
	}
	d, err := e.newDialog(addr, 0, kindCall)
	if err != nil {
		return nil, err
	}
	formats := p.Formats
	if len(formats) == 0 {
		formats = e.cfg.Formats
	}
	var capa Format
	for _, f := range formats {
		capa |= f
	}
	dnid := p.DNID
	if dnid == "" {
		dnid = p.Called
	}
	f := FullFrame{Type: TypeIAX, Subclass: CmdNew}
	f.IEs.AddUint16(IEVersion, 2)
	f.IEs.AddString(IECalledNumber, p.Called)
	if p.CallingNumber != "" {
		f.IEs.AddString(IECallingNumber, p.CallingNumber)
		f.IEs.AddUint8(IECallingPres, 0)
	}
	if p.CallingName != "" {
		f.IEs.AddString(IECallingName, p.CallingName)
	}
	f.IEs.AddUint32(IEFormat, uint32(formats[0]))
	f.IEs.AddUint32(IECapability, uint32(capa))
	f.IEs.AddFormat64(IEFormat2, formats[0])
	f.IEs.AddFormat64(IECapability2, capa)
	if p.Username != "" {
		f.IEs.AddString(IEUsername, p.Username)
	}
	f.IEs.AddString(IEDNID, dnid)
	f.IEs.AddUint32(IEDateTime, DateTime(time.Now()))
	f.IEs.AddBytes(IECallToken, nil) // we support call tokens

	d.mu.Lock()
	defer d.mu.Unlock()
	c := newCall(d, CallInfo{Called: p.Called, DNID: dnid, CallingNumber: p.CallingNumber,
		CallingName: p.CallingName, Username: p.Username, Peer: p.Peer, Addr: addr, Outgoing: true}, StateDialing)
	c.username, c.secret = p.Username, p.Secret
	first := f
	first.IEs = append(IEs(nil), f.IEs...)
	d.first = &first
	d.sendFull(&f)
	d.first.Timestamp = f.Timestamp
	return c, nil
}

// ErrClosed is returned when the endpoint has stopped.
var ErrClosed = errors.New("iax: endpoint closed")
