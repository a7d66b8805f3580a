package modem

import (
	"bytes"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/softfax/softfax/dsp"
)

// Characters of the DTE interface (V.250 §5.2, T.31 §8.3.2).
const (
	dle  = 0x10
	etx  = 0x03
	sub  = 0x1A
	xon  = 0x11
	xoff = 0x13
)

// Identity is what a DCE answers to ATI0/ATI3 and +FMI?/+FMM?/+FMR?.
// HylaFAX logs it; nothing in its Class 1 driver depends on it.
type Identity struct {
	Manufacturer, Model, Revision string
}

// DefaultIdentity is softfax's own identity.
var DefaultIdentity = Identity{Manufacturer: "softfax", Model: "softfax Class 1", Revision: "1.0"}

// IaxmodemIdentity is what iaxmodem (spandsp) answers, for DTE setups that
// key on it.
var IaxmodemIdentity = Identity{Manufacturer: "www.soft-switch.org", Model: "spandsp", Revision: "0.0.5"}

// CallerID is the presentation of an incoming call (V.253 §9.2.3 style
// tags, as iaxmodem prints them): DATE=MMDD, TIME=HHMM, NAME, NMBR, NDID.
type CallerID struct {
	Time   time.Time // when the call came; zero prints no DATE/TIME
	Name   string
	Number string
	DID    string // the number that was dialled to reach us (NDID)
}

// DialRequest is what ATD asks the telephone side to call.
type DialRequest struct {
	Number string
	// CallerName and CallerNumber override the configured caller ID
	// (AT+VSID); empty keeps the configured one.
	CallerName, CallerNumber string
}

// Phone is the telephone side of a DCE: the call that ATD, ATA and ATH
// act on. Its methods are called with the DCE's lock held: they must not
// block, nor call back into the DCE synchronously; outcomes come back
// through DCE.Progress.
type Phone interface {
	Dial(req DialRequest)
	Answer()
	Hangup()
	SendDTMF(digit rune)
}

// CallProgress is a change of the call reported by the telephone side.
type CallProgress int

// Call progress reports and the result each gives a dialling DTE.
const (
	CallRinging  CallProgress = iota + 1 // far end alerting: no result
	CallAnswered                         // far end answered: the fax handshake starts
	CallBusy                             // BUSY
	CallRejected                         // the network refused the call: NO DIALTONE
	CallNoAnswer                         // NO ANSWER
	CallEnded                            // far end hung up: NO CARRIER
)

// DCEConfig configures a DCE.
type DCEConfig struct {
	Engine   Config
	Identity Identity // zero: DefaultIdentity
	Phone    Phone    // nil: calls fail with NO DIALTONE / ERROR
	Logger   *slog.Logger
	// OutputLimit bounds the bytes queued for a DTE that does not read;
	// beyond it output is dropped (and counted). Default 1 MiB.
	OutputLimit int
}

// dceMode is the state of the DTE interface (V.250 command and online
// states, and the T.31 operations within them).
type dceMode int

const (
	modeCommand   dceMode = iota // reading command lines
	modeDialing                  // ATD: call placed, waiting for answer and the far fax
	modeAnswering                // ATA: CED and the V.21 preamble until CONNECT
	modeTxHDLC                   // +FTH (or after ATA's CONNECT): frames from the DTE
	modeTxData                   // +FTM: data from the DTE
	modeTxEnding                 // <DLE><ETX> or final frame given: waiting for OK
	modeTxSilence                // +FTS: waiting for OK
	modeRxHDLC                   // +FRH (or after ATD's CONNECT)
	modeRxData                   // +FRM
	modeRxSilence                // +FRS
)

// callState is where the telephone call is.
type callState int

const (
	callNone     callState = iota
	callRinging            // incoming, not answered
	callDialling           // outgoing, not answered
	callUp                 // answered: audio flows
)

// settings are the values ATZ and AT&F restore.
type settings struct {
	echo, verbose, quiet bool
	s                    [256]int
	x, l, m              int
	ampC, ampD, ampK     int
	ifc                  [2]int
	ipr                  int
	flo                  int
	fclass               string // "0", "1" or "1.0"
	far                  bool
	fcl                  int // +FCL in 10 ms
	fit                  [2]int
	fdd                  int
	vcid                 int
}

func defaultSettings() settings {
	st := settings{echo: true, verbose: true, fclass: "0", l: 1, m: 1, ampC: 1, ampD: 2, ampK: 4, ifc: [2]int{1, 1}, flo: 1}
	st.s[0] = 0    // rings before auto-answer (0: never)
	st.s[3] = '\r' // command line terminator
	st.s[4] = '\n' // response formatting
	st.s[5] = 8    // backspace
	st.s[6] = 2    // wait before blind dialling
	st.s[7] = 60   // wait for carrier after dial, s
	st.s[8] = 2    // comma pause, s
	st.s[10] = 14  // carrier loss, 0.1 s
	return st
}

// dialStep is one step of ATD's work after the call is answered: a pause
// in samples or a DTMF digit.
type dialStep struct {
	pause int
	digit rune
}

// DCE is a Class 1 fax modem as its DTE (HylaFAX, efax) sees it over a
// serial line: the V.250 command interpreter with the T.31 Class 1
// commands in front of an Engine, the DLE shielding of frames and data,
// result codes, caller ID presentation and the call it controls through a
// Phone.
//
// Three sides drive it, each from its own goroutine: the DTE (Write for
// the bytes it sends, Read for the bytes it receives), the audio runner
// (Receive and Transmit every 20 ms, as line.Run does) and the telephone
// side (Offer, Ring, Progress). All of them serialise on one lock; none
// blocks except Read.
type DCE struct {
	mu     sync.Mutex
	cond   *sync.Cond
	eng    *Engine
	cfg    DCEConfig
	log    *slog.Logger
	st     settings
	mode   dceMode
	closed bool

	// DTE input.
	line     []byte // command line being typed
	lastLine []byte // for A/
	seenA    bool   // 'A' typed, waiting for 'T' or '/'
	dleSeen  bool   // previous DTE byte in data mode was DLE
	frame    []byte // HDLC frame being received from the DTE
	scratch  []byte

	// DTE output.
	out      []byte
	dropped  int
	attached bool
	xoffSent bool
	// dteStopped: the DTE sent XOFF (its tty's IXOFF, as HylaFAX sets it
	// while receiving a page); output waits for its XON.
	dteStopped bool
	connect    bool // CONNECT sent for the current receive operation
	// finalHeld: a good final frame went to the DTE and its OK waits for
	// the carrier to drop (T.31 as spandsp does it).
	finalHeld bool

	// Call.
	call      callState
	busyOut   bool // ATH1
	rings     int
	cid       CallerID
	haveCID   bool
	rxMod     Modulation
	dialSteps []dialStep
	dialCmd   bool // ATD...; : back to command state once answered
	vsid      [2]string
	pauseLeft int
}

// NewDCE returns a DCE in command state, on hook, with no DTE attached.
func NewDCE(cfg DCEConfig) *DCE {
	if cfg.Identity == (Identity{}) {
		cfg.Identity = DefaultIdentity
	}
	if cfg.OutputLimit <= 0 {
		cfg.OutputLimit = 1 << 20
	}
	d := &DCE{cfg: cfg, eng: NewEngine(cfg.Engine), st: defaultSettings()}
	d.log = cfg.Logger
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.cond = sync.NewCond(&d.mu)
	d.applyTimers()
	return d
}

// ErrClosed is returned by Read and Write after Close.
var ErrClosed = errors.New("modem: DCE closed")

// Write takes bytes from the DTE: command lines in command state, frames
// and data after CONNECT of +FTH/+FTM, and an abort during a receive
// operation. It never blocks and always takes all of p.
func (d *DCE) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return 0, ErrClosed
	}
	for i := 0; i < len(p); {
		i += d.input(p[i:])
		d.drain()
	}
	return len(p), nil
}

// Room returns how many bytes the DCE can take from the DTE now: during
// +FTM the free space of the engine's transmit buffer (a pty stops reading
// at 0, and the DTE's writes block: flow control that needs nothing of the
// DTE, which XON/XOFF only adds to), otherwise max.
func (d *DCE) Room(max int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mode != modeTxData {
		return max
	}
	return min(max, d.eng.TxBufferSize()-d.eng.Buffered())
}

// Read returns bytes for the DTE, waiting until there are some. It returns
// ErrClosed once the DCE is closed and all output has been read.
func (d *DCE) Read(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for (len(d.out) == 0 || d.dteStopped) && !d.closed {
		d.cond.Wait()
	}
	if len(d.out) == 0 || d.dteStopped {
		return 0, ErrClosed // closed
	}
	n := copy(p, d.out)
	d.out = d.out[:copy(d.out, d.out[n:])]
	return n, nil
}

// Close hangs up and makes Read and Write return ErrClosed.
func (d *DCE) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		d.onHook()
		d.closed = true
		d.cond.Broadcast()
	}
	return nil
}

// SetAttached records whether a DTE has the port open. A DTE that goes
// away drops DTR: the call is hung up (V.250 &D2) and pending output is
// discarded.
func (d *DCE) SetAttached(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.attached == on {
		return
	}
	d.attached = on
	d.dteStopped = false
	if !on {
		d.out = d.out[:0]
		d.line = d.line[:0]
		d.seenA = false
		if d.call != callNone {
			d.log.Info("modem: DTE closed the port, hanging up")
			d.onHook()
		}
		d.mode = modeCommand
	}
}

// Available reports whether an incoming call can be offered: a DTE has the
// port open, it did not go off hook busy (ATH1) and no call is in progress.
// The telephone side refuses calls as busy otherwise.
func (d *DCE) Available() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.available()
}

func (d *DCE) available() bool {
	return d.attached && !d.busyOut && d.call == callNone && !d.closed
}

// Offer presents an incoming call: the first RING, with the caller ID
// block when AT+VCID=1. It returns false when the DCE cannot take the call
// (see Available). The telephone side then calls Ring every ring period
// (5 s) until the call is answered or ends.
func (d *DCE) Offer(cid CallerID) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.available() {
		return false
	}
	d.call = callRinging
	d.cid, d.haveCID = cid, true
	d.rings = 0
	d.ring(true)
	return true
}

// Ring repeats RING for a call that is still ringing.
func (d *DCE) Ring() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.call == callRinging && d.mode == modeCommand {
		d.ring(false)
	}
}

func (d *DCE) ring(first bool) {
	if first && d.st.vcid != 0 {
		d.presentCID()
	}
	d.result(resRing)
	d.rings++
	if d.st.s[0] > 0 && d.rings >= d.st.s[0] {
		d.answer() // S0 auto-answer
	}
}

// presentCID prints the caller ID block (as iaxmodem does, minus the
// fields that carry nothing or, like PASS, must never reach a DTE).
func (d *DCE) presentCID() {
	c := d.cid
	if !c.Time.IsZero() {
		d.text("DATE=" + c.Time.Format("0102"))
		d.text("TIME=" + c.Time.Format("1504"))
	}
	d.text("NAME=" + orNone(c.Name))
	d.text("NMBR=" + orNone(c.Number))
	d.text("NDID=" + orNone(c.DID))
}

func orNone(s string) string {
	if s == "" {
		return "<NONE>"
	}
	return s
}

// Progress reports a change of the call from the telephone side.
func (d *DCE) Progress(p CallProgress) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch p {
	case CallRinging:
	case CallAnswered:
		if d.call != callDialling {
			return
		}
		d.call = callUp
		d.pauseLeft = 0
		if len(d.dialSteps) == 0 {
			d.dialled()
		}
	case CallBusy, CallRejected, CallNoAnswer:
		if d.call != callDialling {
			return
		}
		d.onHook()
		d.mode = modeCommand
		d.result(map[CallProgress]resultCode{CallBusy: resBusy, CallRejected: resNoDialtone, CallNoAnswer: resNoAnswer}[p])
	case CallEnded:
		was := d.call
		if was == callNone {
			return
		}
		d.call = callNone
		d.eng.Hangup()
		d.dialSteps = nil
		if was == callRinging {
			d.rings = 0
			return // iaxmodem prints nothing for a caller who gives up
		}
		if d.mode == modeRxHDLC && d.finalHeld {
			// The hangup overtook the end of the final frame's carrier
			// (a jitter buffer's worth of audio): the frame was complete.
			d.result(resOK)
		}
		d.endRx()
		d.toCommand()
		d.result(resNoCarrier)
	}
	d.drain()
}

// DTMF reports a DTMF digit sent by the far end (an IAX2 DTMF frame) and
// whether the DTE was shown it.
//
// A DTE in command state, on hook while the call rings or off hook between
// commands, gets the information line "DTMF=<digit>": iaxmodem's report,
// but with '*', '#' and 'A'-'D' as themselves (iaxmodem prints the digit's
// code minus '0': "DTMF=-6" for '*', "DTMF=-13" for '#', "DTMF=17" for
// 'A'). HylaFAX's CallIDPattern SHIELDED_DTMF collects 0-9, '*' and '#'
// from such lines for DID routing. Online — dialling, answering, or in a
// Class 1 operation — the DTE reads frames or page data, and V.253 shows
// DTMF there only in voice mode (<DLE> digit, §9.3.3), which this modem
// does not have: the digit is logged, not shown. Anything but 0-9, *, #
// and A-D (a-d taken as A-D) is ignored.
func (d *DCE) DTMF(digit rune) bool {
	switch {
	case digit >= 'a' && digit <= 'd':
		digit -= 'a' - 'A'
	case digit >= '0' && digit <= '9', digit == '*', digit == '#', digit >= 'A' && digit <= 'D':
	default:
		d.log.Info("modem: far end sent an invalid DTMF digit", "code", int(digit))
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.call == callNone || d.mode != modeCommand {
		d.log.Info("modem: DTMF from far end not shown: the DTE is online", "digit", string(digit), "mode", d.mode)
		return false
	}
	d.text("DTMF=" + string(digit))
	return true
}

// dialled runs after the dial steps: the fax handshake, or command state
// for ATD...;.
func (d *DCE) dialled() {
	if d.dialCmd {
		d.mode = modeCommand
		d.result(resOK)
		return
	}
	d.applyTimers()
	if err := d.eng.Originate(); err != nil {
		d.result(resError)
		d.mode = modeCommand
	}
}

// Receive feeds audio heard from the far end to the engine.
func (d *DCE) Receive(in []int16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.eng.Receive(in)
	d.drain()
}

// Transmit fills out with the audio to send (line.Engine).
func (d *DCE) Transmit(out []int16) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dialStep(len(out))
	n := d.eng.Transmit(out)
	d.drain()
	if d.xoffSent && d.eng.Buffered() <= d.eng.TxBufferSize()/4 {
		d.raw(xon)
		d.xoffSent = false
	}
	return n
}

// dialStep advances ATD's pauses and DTMF digits by n samples of time.
func (d *DCE) dialStep(n int) {
	if d.call != callUp || len(d.dialSteps) == 0 {
		return
	}
	d.pauseLeft -= n
	for d.pauseLeft <= 0 && len(d.dialSteps) > 0 {
		s := d.dialSteps[0]
		d.dialSteps = d.dialSteps[1:]
		if s.digit != 0 {
			if d.cfg.Phone != nil {
				d.cfg.Phone.SendDTMF(s.digit)
			}
			d.pauseLeft += dsp.SampleRate / 10 // digit and inter-digit gap
		} else {
			d.pauseLeft += s.pause
		}
		if len(d.dialSteps) == 0 {
			d.dialled()
		}
	}
}

// drain turns the engine's events into what the DTE sees.
func (d *DCE) drain() {
	for {
		ev, ok := d.eng.Poll()
		if !ok {
			return
		}
		d.event(ev)
	}
}

func (d *DCE) event(ev Event) {
	switch ev.Kind {
	case Connect:
		switch d.mode {
		case modeRxData:
			if ev.Mod == V21 && d.rxMod != V21 {
				// +FAR=1: V.21 flags instead of the asked modulation.
				d.text("+FRH:3")
				d.mode = modeRxHDLC
			}
			d.connect = true
		case modeAnswering:
			d.mode = modeTxHDLC
			d.frame = d.frame[:0]
		case modeDialing:
			d.mode = modeRxHDLC
			d.connect = true
		case modeRxHDLC:
			d.connect = true
		}
		d.result(resConnect)
	case Frame:
		d.finalHeld = ev.FCSOK && len(ev.Data) >= 2 && ev.Data[1]&0x10 != 0
		d.shield(ev.Data)
		d.shield(ev.FCS[:])
		d.raw(dle, etx)
	case Data:
		d.shield(ev.Data)
	case OK:
		d.endRx()
		d.toCommand()
		d.result(resOK)
	case Error:
		d.toCommand()
		d.result(resError)
	case NoCarrier:
		d.endRx()
		if d.mode == modeDialing || d.mode == modeAnswering {
			d.onHook()
		}
		d.toCommand()
		d.result(resNoCarrier)
	case FCError:
		d.toCommand()
		d.result(resFCError)
	case Inactive:
		d.log.Info("modem: +FIT inactivity, hanging up")
		d.onHook()
		d.toCommand()
		d.result(resNoCarrier)
	}
}

// endRx closes the data stream of a receive operation with <DLE><ETX>.
func (d *DCE) endRx() {
	if d.mode == modeRxData && d.connect {
		d.raw(dle, etx)
	}
	d.connect = false
}

func (d *DCE) toCommand() {
	d.mode = modeCommand
	d.connect = false
	d.finalHeld = false
	if d.xoffSent {
		d.raw(xon)
		d.xoffSent = false
	}
}

// onHook ends the call, whatever state it is in.
func (d *DCE) onHook() {
	if d.call != callNone && d.cfg.Phone != nil {
		d.cfg.Phone.Hangup()
	}
	d.call = callNone
	d.rings = 0
	d.dialSteps = nil
	d.eng.Hangup()
}

// input consumes DTE bytes according to the mode and returns how many it
// took. It returns after a byte that changed the mode, so that the rest is
// read in the new mode.
func (d *DCE) input(p []byte) int {
	if c := p[0]; (c == xon || c == xoff) && d.mode != modeTxData && d.mode != modeTxHDLC {
		// Flow control from the DTE's tty, not a character: it must not
		// abort a reception (only in +FTM/+FTH data are these bytes data).
		d.dteStopped = c == xoff
		if !d.dteStopped {
			d.cond.Broadcast()
		}
		return 1
	}
	switch d.mode {
	case modeTxHDLC:
		return d.inputFrame(p)
	case modeTxData:
		return d.inputData(p)
	case modeRxHDLC, modeRxData, modeRxSilence, modeDialing, modeAnswering:
		// Any character aborts (T.31 §8.3.5, V.250 §6.3.1).
		d.log.Debug("modem: DTE aborted the operation", "mode", d.mode)
		if d.mode == modeDialing && d.eng.State() == StateIdle {
			// Not answered yet: the engine has nothing to abort.
			d.onHook()
			d.toCommand()
			d.result(resNoCarrier)
		} else {
			d.eng.Abort()
		}
		return 1
	case modeTxEnding, modeTxSilence:
		return len(p) // nothing to do with it until OK
	}
	return d.inputCommand(p)
}

// inputFrame collects one HDLC frame from the DTE, DLE-shielded and ended
// by <DLE><ETX> (T.31 §8.3.3).
func (d *DCE) inputFrame(p []byte) int {
	for i, c := range p {
		if !d.dleSeen {
			if c == dle {
				d.dleSeen = true
			} else {
				d.frame = append(d.frame, c)
			}
			continue
		}
		d.dleSeen = false
		switch c {
		case dle:
			d.frame = append(d.frame, dle)
		case sub:
			d.frame = append(d.frame, dle, dle)
		case etx:
			d.sendFrame()
			return i + 1
		}
	}
	return len(p)
}

func (d *DCE) sendFrame() {
	f := d.frame
	d.frame = d.frame[:0]
	if len(f) == 0 {
		// <DLE><ETX> alone: the DTE has no more frames. Closing flags,
		// then the carrier stops and OK follows (T.31 §8.3.2).
		d.mode = modeTxEnding
		if err := d.eng.EndHDLC(); err != nil {
			d.eng.Abort()
		}
		return
	}
	final := len(f) >= 2 && f[1]&0x10 != 0
	if err := d.eng.SendFrame(f, final); err != nil {
		d.log.Info("modem: frame refused", "err", err, "len", len(f))
		d.eng.Abort()
		for ok := true; ok; _, ok = d.eng.Poll() {
			// The abort's OK is replaced by ERROR.
		}
		d.toCommand()
		d.result(resError)
		return
	}
	if final {
		d.mode = modeTxEnding
	}
}

// inputData passes +FTM data to the engine, removing the DLE shielding;
// <DLE><ETX> ends it. XOFF stops the DTE above 3/4 of the buffer.
func (d *DCE) inputData(p []byte) int {
	b := d.scratch[:0]
	n := len(p)
	end := false
scan:
	for i, c := range p {
		if !d.dleSeen {
			if c == dle {
				d.dleSeen = true
			} else {
				b = append(b, c)
			}
			continue
		}
		d.dleSeen = false
		switch c {
		case dle:
			b = append(b, dle)
		case sub:
			b = append(b, dle, dle)
		case etx:
			n, end = i+1, true
			break scan
		}
	}
	d.scratch = b
	if len(b) > 0 {
		if w, err := d.eng.WriteData(b); err != nil {
			d.log.Warn("modem: transmit buffer overrun, DTE ignored XOFF", "lost", len(b)-w)
		}
	}
	if !d.xoffSent && d.eng.Buffered() >= d.eng.TxBufferSize()*3/4 {
		d.raw(xoff)
		d.xoffSent = true
	}
	if end {
		d.mode = modeTxEnding
		if err := d.eng.EndData(); err != nil {
			d.toCommand()
			d.result(resError)
		}
	}
	return n
}

// inputCommand collects a command line: "AT" ... S3, with S5 editing, or
// "A/" to repeat the last one (V.250 §5.2).
func (d *DCE) inputCommand(p []byte) int {
	for i, c := range p {
		if d.st.echo {
			d.raw(c)
		}
		switch {
		case len(d.line) == 0 && !d.seenA:
			if c == 'A' || c == 'a' {
				d.seenA = true
			}
		case len(d.line) == 0 && d.seenA:
			switch c {
			case 'T', 't':
				d.line = append(d.line, 'A', 'T')
			case '/':
				d.seenA = false
				d.execute(d.lastLine)
				return i + 1
			case 'A', 'a':
			default:
				d.seenA = false
			}
		case int(c) == d.st.s[3]:
			line := d.line
			d.line = d.line[:0]
			d.seenA = false
			d.lastLine = append(d.lastLine[:0], line...)
			d.execute(d.lastLine)
			return i + 1
		case int(c) == d.st.s[5]:
			if len(d.line) > 2 {
				d.line = d.line[:len(d.line)-1]
			}
		case c == '\n' || c == 0:
		default:
			if len(d.line) < maxCommandLine {
				d.line = append(d.line, c)
			}
		}
	}
	return len(p)
}

// maxCommandLine bounds a command line; longer ones are cut (and then
// normally fail to parse).
const maxCommandLine = 256

// resultCode is a final or unsolicited result (V.250 §5.7, T.31 §8.4).
type resultCode int

const (
	resOK resultCode = iota
	resConnect
	resRing
	resNoCarrier
	resError
	resNoDialtone
	resBusy
	resNoAnswer
	resFCError
)

var resultText = [...]struct{ verbose, numeric string }{
	resOK:         {"OK", "0"},
	resConnect:    {"CONNECT", "1"},
	resRing:       {"RING", "2"},
	resNoCarrier:  {"NO CARRIER", "3"},
	resError:      {"ERROR", "4"},
	resNoDialtone: {"NO DIALTONE", "6"},
	resBusy:       {"BUSY", "7"},
	resNoAnswer:   {"NO ANSWER", "8"},
	resFCError:    {"+FCERROR", "+F4"},
}

func (d *DCE) fmtResult(r resultCode) string {
	if d.st.quiet {
		return ""
	}
	if d.st.verbose {
		return "\r\n" + resultText[r].verbose + "\r\n"
	}
	return resultText[r].numeric + "\r"
}

func (d *DCE) result(r resultCode) { d.emitOut([]byte(d.fmtResult(r))) }

// text sends an information line (V.250 §5.7.1).
func (d *DCE) text(s string) {
	if d.st.verbose {
		d.emitOut([]byte("\r\n" + s + "\r\n"))
	} else {
		d.emitOut([]byte(s + "\r\n"))
	}
}

// shield sends bytes with each DLE doubled (T.31 §8.3.2).
func (d *DCE) shield(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, dle)
		if i < 0 {
			d.emitOut(p)
			return
		}
		d.emitOut(p[:i+1])
		d.raw(dle)
		p = p[i+1:]
	}
}

func (d *DCE) raw(b ...byte) { d.emitOut(b) }

func (d *DCE) emitOut(p []byte) {
	if !d.attached {
		return // nobody to read it: a pty would only fill up
	}
	if len(d.out)+len(p) > d.cfg.OutputLimit {
		d.dropped += len(p)
		return
	}
	d.out = append(d.out, p...)
	d.cond.Broadcast()
}

// applyTimers gives the engine the S-register and +FCL/+FIT timers.
func (d *DCE) applyTimers() {
	d.eng.SetConnectTimeout(d.st.s[7] * dsp.SampleRate)
	d.eng.SetCarrierLossTimeout(d.st.fcl * dsp.SampleRate / 100)
	d.eng.SetInactivityTimeout(d.st.fit[0] * dsp.SampleRate)
}

// Pending returns and removes what the DTE has not read yet, without
// waiting (for tests and diagnostics).
func (d *DCE) Pending() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := append([]byte(nil), d.out...)
	d.out = d.out[:0]
	return p
}

// Dropped returns how many output bytes were dropped because the DTE did
// not read them.
func (d *DCE) Dropped() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped
}

// String names a mode for logs.
func (m dceMode) String() string {
	names := [...]string{"command", "dialing", "answering", "tx-hdlc", "tx-data", "tx-ending", "tx-silence", "rx-hdlc", "rx-data", "rx-silence"}
	if int(m) < len(names) {
		return names[m]
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}
