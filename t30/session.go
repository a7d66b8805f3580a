package t30

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

// The T.30 timers (T.30 §5.4.3.1), in samples at 8 kHz. T3, the operator's
// procedure-interrupt alert, has no use in an unattended terminal.
const (
	T1 = 35 * dsp.SampleRate // waiting for the far terminal's identification (35 ± 5 s)
	T2 = 6 * dsp.SampleRate  // waiting for a command (6 ± 1 s)
	T4 = 3 * dsp.SampleRate  // waiting for a response before repeating (3 s ± 15%)
	T5 = 60 * dsp.SampleRate // ECM: total wait for the receiver to be ready after RNR (60 ± 5 s)
)

// tcfTrainTimeout bounds the wait for TCF's training after DCS, and
// tcfTimeout the TCF itself once trained (1.5 s, T.30 §5.3.6.1.3, and a
// margin): a receiver must answer before the sender's T4 runs out.
const (
	tcfTrainTimeout = 7 * dsp.SampleRate / 2
	tcfTimeout      = 2 * dsp.SampleRate
)

// pageStall ends a non-ECM page whose data has brought no good row for this
// long. RTC or the engine's NoCarrier end a page; this bounds one whose
// carrier never seems to end (noise taken for it, a far end stuck
// sending, its RTC damaged) so that it cannot hold the line. The slowest
// row (2400 bit/s, 40 ms minimum scan time, a dense 1728-pel row of some
// 2000 bits) takes under a second.
const pageStall = 3 * dsp.SampleRate

// ecmBlockWait is how long a receiver waits for the first good frame of an
// ECM block before it listens for a repeated command at V.21 instead: 2 s
// for the turnaround, the training and the flags, and the time of one frame
// at the block's rate.
func (s *Session) ecmBlockWait() int64 {
	return 2*dsp.SampleRate + s.ecmFrameTime()
}

// ecmFrameTime is the time of one ECM frame at the page rate, in samples.
func (s *Session) ecmFrameTime() int64 {
	rate := s.pageMod.BitRate()
	if rate == 0 {
		rate = 2400
	}
	return int64(s.dcs.FrameSize()+6) * 8 * dsp.SampleRate / int64(rate)
}

// maxRepeats is how often a command is sent without response before the
// session gives up: three tries (T.30 §5.3.2, flow chart note "3 times").
const maxRepeats = 3

// Role says whether the session sends or receives the document.
type Role int

// Roles.
const (
	Sender Role = iota
	Receiver
)

func (r Role) String() string {
	if r == Receiver {
		return "receiver"
	}
	return "sender"
}

// Config sets up a Session.
type Config struct {
	// Caller: the session originates the call (CNG, waits for DIS);
	// otherwise it answers (CED, sends DIS first). A calling receiver polls
	// with DTC; an answering sender offers its document in DIS bit 9.
	Caller bool
	Role   Role
	// LocalID is the identity sent as TSI, CSI or CIG (20 characters max).
	LocalID string
	// SubAddress (SUB) and SenderID (SID, the password of a sender) are sent
	// with DCS when the receiver offers subaddressing and password.
	SubAddress, SenderID string
	// Password (PWD) is sent with DTC by a polling receiver when the polled
	// terminal offers passwords (T.30 §5.3.6.2.x, DIS bit 50).
	Password string
	// Modulations limits the modems used (any order); nil allows all of
	// Fallback.
	Modulations []modem.Modulation
	// ECM offers (receiver) or uses when offered (sender) the error
	// correction mode of T.30 Annex A; Frame64 selects 64-octet frames.
	ECM, Frame64 bool
	// Compressions limits the codings offered or used; nil allows MH, MR
	// and MMR (MMR only with ECM, T.30 §5.3.6.2.1).
	Compressions []t4.Compression
	// NoFine and NoSuperfine stop a receiver from offering those
	// resolutions (a sender then converts its pages).
	NoFine, NoSuperfine bool
	// MaxWidth is the widest recording width a receiver offers; the zero
	// value is A4 (215 mm), B4 and A3 accept wider pages too.
	MaxWidth Width
	// BadRowsRTN: a receiver answers RTN when more than this fraction of
	// a page's rows are damaged, RTP when some are, MCF otherwise (T.30
	// §5.3.6.1.5 leaves the threshold to the receiver). 0 means 0.05.
	BadRowsRTN float64
	// Source provides the pages of a sender; Sink takes a receiver's pages.
	Source PageSource
	Sink   PageSink
	// Progress, if set, is called at each step of the session.
	Progress func(Progress)
	Logger   *slog.Logger
	// Modem configures the engine the session creates.
	Modem modem.Config

	// Test hooks. dropECMFrame makes the receiver discard an ECM frame as
	// if its FCS had been bad; badFrame does the same for a V.21 frame;
	// nsf is sent as an NSF frame before DIS; busy is how many PPS the
	// receiver answers with RNR before it is ready; pageData may change the
	// data of a non-ECM page (numbered from 1) as the receiver's modem
	// delivers it.
	dropECMFrame func() bool
	badFrame     func(Frame) bool
	nsf          []byte
	busy         int
	pageData     func(page int, p []byte) []byte
}

// ProgressKind says what a Progress reports.
type ProgressKind int

// Progress kinds.
const (
	ProgressConnected  ProgressKind = iota + 1 // far terminal identified (Remote set)
	ProgressNegotiated                         // DCS sent or received
	ProgressTrained                            // TCF confirmed (CFR)
	ProgressRetrain                            // FTT, RTN, RTP or CTC: lower rate or new training
	ProgressPage                               // a page sent and confirmed, or received
	ProgressBlock                              // ECM: a partial page confirmed
	ProgressDone                               // the session ended (Result is final)
)

var progressNames = [...]string{"?", "connected", "negotiated", "trained", "retrain", "page", "block", "done"}

func (k ProgressKind) String() string {
	if k < 0 || int(k) >= len(progressNames) {
		return fmt.Sprintf("ProgressKind(%d)", int(k))
	}
	return progressNames[k]
}

// Progress is one report of a session's advance.
type Progress struct {
	Kind       ProgressKind
	Page       int // pages done so far
	Modulation modem.Modulation
	ECM        bool
	Remote     string
	Detail     string
	At         int64 // sample clock
}

// Result is the outcome of a session.
type Result struct {
	Err         error // nil when every page went through and the call ended with DCN
	Pages       int   // pages confirmed (sender) or received (receiver)
	Modulation  modem.Modulation
	ECM         bool
	Compression t4.Compression
	Resolution  t4.Resolution
	RemoteID    string // TSI, CSI or CIG of the far terminal
	SubAddress  string // SUB received
	SenderID    string // SID received
	Password    string // PWD received with DTC (a polled sender)
	Ended       int64  // sample clock (samples received) when the session ended
}

// Session errors.
var (
	ErrTimeout      = errors.New("t30: timeout")
	ErrProtocol     = errors.New("t30: protocol error")
	ErrIncompatible = errors.New("t30: no common capability")
	ErrDisconnected = errors.New("t30: far end disconnected (DCN)")
	ErrTraining     = errors.New("t30: training failed at every rate")
	ErrRejected     = errors.New("t30: page rejected too often")
	ErrNoCarrier    = errors.New("t30: no fax answer")
)

// state is the session's T.30 state (phases B to E; phase A is the
// engine's Originate or Answer).
type state int

const (
	stIdle    state = iota
	stSending       // a transmission is under way; then s.next

	// Receiver.
	stRxWaitCmd // phase B: waiting for DCS (after DIS or DTC)
	stRxTCF     // receiving TCF
	stRxPage    // phase C, non-ECM: receiving a page
	stRxECM     // phase C, ECM: receiving a block's frames
	stRxPostCmd // phase D: waiting for MPS/EOM/EOP or PPS
	stRxWaitDCN // phase E: waiting for DCN after MCF to EOP
	stRxPollDIS // calling receiver: waiting for the DIS to poll

	// Sender.
	stTxWaitDIS  // phase B: waiting for DIS (caller) or DTC (answerer)
	stTxWaitCFR  // after DCS and TCF
	stTxWaitResp // phase D: after MPS/EOM/EOP, PPS, RR or EOR
	stTxWaitCTR  // ECM: after CTC

	stDone
)

var stateNames = [...]string{"idle", "sending", "rx-wait-cmd", "rx-tcf", "rx-page", "rx-ecm",
	"rx-post-cmd", "rx-wait-dcn", "rx-poll-dis", "tx-wait-dis", "tx-wait-cfr", "tx-wait-resp",
	"tx-wait-ctr", "done"}

func (st state) String() string {
	if st < 0 || int(st) >= len(stateNames) {
		return fmt.Sprintf("state(%d)", int(st))
	}
	return stateNames[st]
}

// event is what drives the state machine: the outcome of an engine
// operation or a timer.
type event int

const (
	evSent        event = iota + 1 // the queued transmission has ended
	evFrames                       // s.rx holds a command or response (last frame final)
	evBadFrame                     // a frame with a bad FCS, or an unusable frame set
	evTrained                      // high-speed receiver trained (Connect)
	evCarrierDown                  // high-speed carrier lost (NoCarrier)
	evTimeout                      // s.deadline passed
)

// Session is one T.30 fax session on its own modem engine. Like the
// engine, it is not safe for concurrent use: one goroutine (a line runner,
// a test) calls Receive and Transmit, and reads Done and Result between
// them. A session never ends the call: when Done, the driver hangs up; when
// the call ends first, the driver calls Close.
type Session struct {
	cfg Config
	eng *modem.Engine
	log *slog.Logger

	now      int64 // samples received so far
	state    state
	next     state // after stSending
	deadline int64 // 0: no timer
	started  bool
	result   Result
	done     bool

	ops opQueue

	rx    []Frame // frames heard so far of the current transmission
	rxBad bool    // one of them was damaged
	heard bool    // flags heard since the state started listening
	set   []Frame // the complete set handed to the state machine (evFrames)

	// negotiation
	remoteDIS DIS
	dcs       DCS
	mods      []modem.Modulation // sender: candidates, fastest first
	modIdx    int
	pageMod   modem.Modulation // modulation of page data (short train after TCF)
	repeats   int              // tries of the current command
	lastResp  []Frame          // receiver: last response, for repeated commands
	lastNext  state            // receiver: the state after lastResp
	// pageTrainFails: the engine's failed trainings when the receiver
	// began to wait for a page (one more since: the page was lost).
	pageTrainFails int
	lastCmd        []Frame // sender: last command, for CRP and timeouts
	t1End          int64
	t5End          int64

	// sender pages
	page     *t4.Page // current page, converted
	nextPage *t4.Page // prefetched, nil at the end
	pageNo   int      // pages confirmed
	rtn      int      // RTN for the current page
	coded    []byte   // current page coded
	post     FCF      // MPS, EOM or EOP for the current page
	ecm      ecmTx

	// receiver
	tcfLen, tcfZeros, tcfRun int
	trained                  bool
	goodRows                 int // rows decoded well so far in the page
	dec                      *t4.Decoder
	rxECM                    ecmRx
	pageDone                 bool   // EOP confirmed
	pendingPPS               []byte // PPS answered with RNR, to answer on RR
	rnrSent                  int
}

// NewSession creates a session with its engine and starts phase A:
// Originate for a caller, Answer for an answerer.
func NewSession(cfg Config) (*Session, error) {
	if cfg.Role == Sender && cfg.Source == nil {
		return nil, fmt.Errorf("%w: a sender needs a PageSource", ErrProtocol)
	}
	if cfg.Role == Receiver && cfg.Sink == nil {
		return nil, fmt.Errorf("%w: a receiver needs a PageSink", ErrProtocol)
	}
	if cfg.BadRowsRTN == 0 {
		cfg.BadRowsRTN = 0.05
	}
	if cfg.Modulations == nil {
		cfg.Modulations = Fallback
	}
	if cfg.Compressions == nil {
		cfg.Compressions = []t4.Compression{t4.MH, t4.MR, t4.MMR}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Session{cfg: cfg, eng: modem.NewEngine(cfg.Modem), log: log.With("role", cfg.Role.String())}
	s.t1End = T1
	if cfg.Role == Sender {
		if err := s.prefetch(); err != nil {
			return nil, err
		}
		if s.nextPage == nil {
			return nil, fmt.Errorf("%w: no pages to send", ErrProtocol)
		}
	}
	if cfg.Caller {
		s.ops.push(op{kind: opOriginate})
		if cfg.Role == Sender {
			s.enter(stTxWaitDIS)
		} else {
			s.enter(stRxPollDIS)
		}
	} else {
		var frames []Frame
		var err error
		if cfg.Role == Receiver {
			frames, err = s.disFrames(FCFCSI, FCFDIS, false)
		} else {
			frames, err = s.disFrames(FCFCSI, FCFDIS, true)
		}
		if err != nil {
			return nil, err
		}
		s.ops.push(op{kind: opAnswer, frames: marshalSet(frames)})
		s.state, s.next = stSending, stRxWaitCmd
		if cfg.Role == Sender {
			s.next = stTxWaitDIS
		}
		s.lastResp = frames
	}
	s.run()
	return s, nil
}

// Engine returns the session's modem engine (for its Stats).
func (s *Session) Engine() *modem.Engine { return s.eng }

// Done reports whether the session has ended; Result is then final.
func (s *Session) Done() bool { return s.done }

// Result returns the session's outcome so far.
func (s *Session) Result() Result { return s.result }

// Receive feeds audio heard from the far end (line.Engine).
func (s *Session) Receive(in []int16) {
	s.eng.Receive(in)
	s.now += int64(len(in))
	s.poll()
	if h := s.ops.holdUntil; h != 0 && s.now >= h && !s.done {
		s.abortCurrent() // the far carrier never seemed to end: go on
		s.run()
		s.poll()
	}
	if s.deadline != 0 && s.now >= s.deadline && !s.done {
		s.deadline = 0
		bad := s.rxBad
		s.abortOps()
		if bad {
			s.handle(evBadFrame)
		} else {
			s.handle(evTimeout)
		}
		s.poll()
	}
	if !s.done && s.ops.cur.kind == opNone && len(s.ops.pending) == 0 && s.deadline == 0 {
		// Nothing running and nothing awaited: a state without a way out.
		// It would be a bug; end the session rather than hold the line.
		s.failDCN(fmt.Errorf("%w: stalled in state %v", ErrProtocol, s.state))
	}
}

// Transmit fills out with audio for the far end (line.Engine).
func (s *Session) Transmit(out []int16) int {
	s.feedData()
	n := s.eng.Transmit(out)
	s.poll()
	return n
}

// Close ends the session from outside (the call was hung up): a session not
// yet done fails with err.
func (s *Session) Close(err error) {
	if !s.done {
		switch {
		case s.pageDone, s.state == stSending && s.next == stDone:
			// The document was complete (MCF to EOP): only DCN was
			// missing or under way when the call ended, which many
			// terminals do (T.30 §5.3.2.5 phase E). The result stands.
			s.finish()
		default:
			s.fail(err)
		}
	}
	s.eng.Hangup()
}

func (s *Session) progress(p Progress) {
	p.At = s.now
	p.Page = s.result.Pages
	p.Modulation = s.result.Modulation
	p.ECM = s.result.ECM
	p.Remote = s.result.RemoteID
	s.log.Debug("t30 progress", "kind", p.Kind.String(), "page", p.Page, "detail", p.Detail)
	if s.cfg.Progress != nil {
		s.cfg.Progress(p)
	}
}

// enter moves to st and does its entry action: every waiting state starts
// the engine operation it waits on and its timer.
func (s *Session) enter(st state) {
	s.log.Debug("t30 state", "from", s.state.String(), "to", st.String(), "at", s.now)
	s.state = st
	s.deadline = 0
	switch st {
	case stRxWaitCmd:
		s.listen(modem.V21, T4)
	case stRxPollDIS, stTxWaitDIS:
		if s.cfg.Caller {
			s.listen(modem.V21, s.t1End-s.now)
		} else {
			s.listen(modem.V21, T4)
		}
	case stRxTCF:
		s.tcfLen, s.tcfZeros, s.tcfRun = 0, 0, 0
		s.ops.push(op{kind: opRxData, mod: s.dcs.Modulation})
		// TCF follows DCS after 75 ms; the longest training (V.17, 1.4 s)
		// must have ended well within 3.5 s, or the answer (FTT) would
		// come after the sender's T4.
		s.deadline = s.now + tcfTrainTimeout
	case stRxPage:
		s.trained = false
		s.dec = nil
		s.pageTrainFails = s.eng.Stats().TrainingsFailed
		s.ops.push(op{kind: opRxData, mod: s.pageMod})
		s.deadline = s.now + T2
	case stRxECM:
		// The block follows our response within a training time; without
		// it, the sender may be repeating its command at V.21 (our
		// response was lost), which only stRxPostCmd hears. The repeat
		// starts T4 after the command, about 1.5 s after our response
		// ended, with 1 s of flags: listening at V.21 after ecmBlockWait
		// catches it.
		s.listen(s.pageMod, s.ecmBlockWait())
	case stRxPostCmd:
		// T2, and T4 more: when our last response was lost, the sender's
		// repeats of its command (T4 apart) must still find us listening.
		s.listen(modem.V21, T2+T4)
	case stRxWaitDCN:
		s.listen(modem.V21, T2)
	case stTxWaitCFR, stTxWaitResp, stTxWaitCTR:
		s.listen(modem.V21, T4)
	case stDone:
		s.done = true
	}
	s.run()
}

func (s *Session) listen(m modem.Modulation, timeout int64) {
	s.rx, s.rxBad, s.heard = s.rx[:0], false, false
	s.deadline = s.now + timeout
	if s.ops.cur.kind == opOriginate || s.ops.pendingKind(opOriginate) {
		return // ATD goes on receiving at V.21 by itself (T.31 §8.3.1)
	}
	s.ops.push(op{kind: opRxFrames, mod: m})
}

// transmit sends frames at V.21 (after the turnaround silence of T.30
// §5.3.1.1, 75 ms) and then enters next.
func (s *Session) transmit(next state, frames ...Frame) {
	s.queueFrames(modem.V21, frames)
	s.state, s.next = stSending, next
	s.deadline = 0
	s.run()
}

func (s *Session) queueFrames(m modem.Modulation, frames []Frame) {
	s.ops.push(op{kind: opSilence, n: 7})
	s.ops.push(op{kind: opTxFrames, mod: m, frames: marshalSet(frames)})
}

// marshalSet codes a set of frames, the last one final.
func marshalSet(frames []Frame) [][]byte {
	raw := make([][]byte, len(frames))
	for i, f := range frames {
		f.Final = i == len(frames)-1
		raw[i] = f.Marshal()
	}
	return raw
}

func (s *Session) frame(fcf FCF, info []byte) Frame {
	if !fcf.initial() && s.cfg.Caller {
		fcf |= 1 // X bit: the caller is the station that received DIS
	}
	return Frame{FCF: fcf, Info: info}
}

func (s *Session) fail(err error) {
	if s.done {
		return
	}
	s.log.Info("t30 session failed", "err", err, "state", s.state.String())
	s.result.Err = err
	s.finish()
}

func (s *Session) finish() {
	s.result.Ended = s.now
	s.deadline = 0
	s.state = stDone
	s.done = true
	s.progress(Progress{Kind: ProgressDone, Detail: fmt.Sprint(s.result.Err)})
}

// failDCN ends the session with err after sending DCN (T.30 §5.3.6.1.7).
func (s *Session) failDCN(err error) {
	if s.done {
		return
	}
	s.abortOps()
	s.result.Err = err
	s.transmit(stDone, s.frame(FCFDCN, nil))
}

// handle is the state machine: one event in the current state.
func (s *Session) handle(ev event) {
	if s.done {
		return
	}
	switch s.state {
	case stSending:
		if ev == evSent {
			if s.next == stDone {
				s.finish()
				return
			}
			s.enter(s.next)
		}
	case stRxPollDIS, stRxWaitCmd, stRxTCF, stRxPage, stRxECM, stRxPostCmd, stRxWaitDCN:
		s.receiverEvent(ev)
	case stTxWaitDIS, stTxWaitCFR, stTxWaitResp, stTxWaitCTR:
		s.senderEvent(ev)
	}
}

// identify records the identification frames of a received set.
func (s *Session) identify(frames []Frame) {
	for _, f := range frames {
		switch f.FCF.Code() {
		case FCFCSI, FCFTSI, FCFCIG:
			if id, err := UnmarshalID(f.Info); err == nil {
				first := s.result.RemoteID == ""
				s.result.RemoteID = id
				if first {
					s.progress(Progress{Kind: ProgressConnected})
				}
			}
		case FCFSUB:
			s.result.SubAddress, _ = UnmarshalID(f.Info)
		case FCFSID:
			s.result.SenderID, _ = UnmarshalID(f.Info)
		case FCFPWD:
			s.result.Password, _ = UnmarshalID(f.Info)
		}
		// NSF, NSS, NSC and anything unknown are ignored (T.30
		// §5.3.6.2.x: non-standard facilities need not be understood).
	}
}

// find returns the frame of the set with code c.
func find(frames []Frame, c FCF) (Frame, bool) {
	for _, f := range frames {
		if f.FCF.Code() == c {
			return f, true
		}
	}
	return Frame{}, false
}

// command returns the last (final) frame of a set: the command or response
// it carries.
func command(frames []Frame) Frame {
	return frames[len(frames)-1]
}

// disFrames builds the identification and DIS (or DTC) of this terminal.
func (s *Session) disFrames(idFCF, disFCF FCF, readyToTransmit bool) ([]Frame, error) {
	d := s.localDIS()
	d.ReadyToTransmit = readyToTransmit
	if readyToTransmit && s.cfg.Role == Sender {
		d.CanReceive = false
	}
	info, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	var frames []Frame
	if s.cfg.nsf != nil && disFCF == FCFDIS {
		frames = append(frames, s.frame(FCFNSF, s.cfg.nsf))
	}
	if s.cfg.LocalID != "" {
		frames = append(frames, s.frame(idFCF, MarshalID(s.cfg.LocalID)))
	}
	if disFCF == FCFDTC && s.cfg.Password != "" && s.remoteDIS.Password {
		frames = append(frames, s.frame(FCFPWD, MarshalID(s.cfg.Password)))
	}
	return append(frames, s.frame(disFCF, info)), nil
}

func (s *Session) allows(c t4.Compression) bool {
	for _, x := range s.cfg.Compressions {
		if x == c {
			return true
		}
	}
	return false
}

func (s *Session) allowsMod(m modem.Modulation) bool {
	for _, x := range s.cfg.Modulations {
		if x == m {
			return true
		}
	}
	return false
}

// localDIS is what this terminal can receive.
func (s *Session) localDIS() DIS {
	d := DIS{
		CanReceive:    s.cfg.Role == Receiver,
		Fine:          !s.cfg.NoFine,
		Superfine:     !s.cfg.NoFine && !s.cfg.NoSuperfine,
		MR:            s.allows(t4.MR),
		ECM:           s.cfg.ECM,
		MMR:           s.cfg.ECM && s.allows(t4.MMR),
		Width:         s.cfg.MaxWidth,
		Length:        LengthUnlimited,
		ScanTime:      0,
		Frame64:       s.cfg.Frame64,
		Subaddressing: true,
		Password:      true,
		InchPreferred: false,
	}
	v27, v29, v17 := false, false, false
	for _, m := range s.cfg.Modulations {
		switch m {
		case modem.V27ter2400, modem.V27ter4800:
			v27 = true
		case modem.V29_7200, modem.V29_9600:
			v29 = true
		case modem.V17_7200, modem.V17_9600, modem.V17_12000, modem.V17_14400:
			v17 = true
		}
	}
	switch {
	case v17:
		d.Modems = ModemsV27terV29V17
	case v29 && v27:
		d.Modems = ModemsV27terV29
	case v29:
		d.Modems = ModemsV29
	case s.allowsMod(modem.V27ter4800):
		d.Modems = ModemsV27ter
	default:
		d.Modems = ModemsV27terFallback
	}
	return d
}

// prefetch loads the next page of the source.
func (s *Session) prefetch() error {
	p, err := s.cfg.Source.NextPage()
	if errors.Is(err, io.EOF) {
		s.nextPage = nil
		return nil
	}
	if err != nil {
		return fmt.Errorf("t30: page source: %w", err)
	}
	if p == nil || p.Height == 0 {
		return fmt.Errorf("%w: empty page", ErrProtocol)
	}
	s.nextPage = p
	return nil
}
