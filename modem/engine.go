package modem

import (
	"errors"
	"fmt"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/dsp/tone"
	"github.com/softfax/softfax/dsp/v17"
	"github.com/softfax/softfax/dsp/v21"
)

// Errors of the DTE operations. A pty driver answers ERROR to each.
var (
	// ErrBusy: an operation was started while another is in progress
	// (T.31 operations are accepted only in the idle, command state).
	ErrBusy = errors.New("modem: an operation is in progress")
	// ErrModulation: the modulation code is unknown or not allowed here.
	ErrModulation = errors.New("modem: modulation not supported")
	// ErrState: the call does not fit the current operation (a frame
	// outside TransmitHDLC, data outside TransmitData, ...).
	ErrState = errors.New("modem: not valid in this state")
	// ErrFrame: an HDLC frame shorter than two octets, or longer than
	// hdlc.DefaultMaxFrameLen-2.
	ErrFrame = errors.New("modem: bad frame length")
	// ErrBufferFull: WriteData could not take all its bytes.
	ErrBufferFull = errors.New("modem: transmit buffer full")
)

// State is what the engine is doing. Transitions happen in one place,
// Engine.enter.
type State int

// Engine states.
const (
	StateIdle        State = iota // command state: no operation (audio is kept in the history)
	StateAnswering                // ATA: silence, CED, then V.21 HDLC transmission
	StateOriginating              // ATD: CNG while listening for V.21 flags
	StateTxHDLC                   // +FTH: sending flags and frames
	StateRxHDLC                   // +FRH: receiving frames
	StateTxData                   // +FTM: training, then the DTE's data
	StateRxData                   // +FRM: waiting for training, then data
	StateTxSilence                // +FTS: sending silence
	StateRxSilence                // +FRS: waiting for silence on the line
)

func (s State) String() string {
	switch s {
	case StateIdle:
		return "idle"
	case StateAnswering:
		return "answering"
	case StateOriginating:
		return "originating"
	case StateTxHDLC:
		return "transmit HDLC"
	case StateRxHDLC:
		return "receive HDLC"
	case StateTxData:
		return "transmit data"
	case StateRxData:
		return "receive data"
	case StateTxSilence:
		return "transmit silence"
	case StateRxSilence:
		return "wait for silence"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Samples per 10 ms, the unit of +FTS and +FRS.
const tenMs = dsp.SampleRate / 100

// Defaults of Config.
const (
	DefaultConnectTimeout   = 60 * dsp.SampleRate // S7 as HylaFAX sets it (ATS7=60)
	DefaultHistorySamples   = 2 * dsp.SampleRate
	DefaultTxBufferBytes    = 16384
	DefaultSilenceThreshold = -43.0 // dBm0: below T.30's weakest signal

	// finalOKTimeout bounds the wait for the carrier to drop after a final
	// frame before OK is given anyway.
	finalOKTimeout = 3 * dsp.SampleRate
	// answerSilence and cedGap frame the CED tone: T.30 §4.1.3 asks for
	// 0.2 s of silence after the answer, and 75 ± 20 ms between CED and
	// the V.21 preamble.
	answerSilence = dsp.SampleRate / 5
	cedGap        = 75 * dsp.SampleRate / 1000
	// v21FramingFlags contiguous flags establish framing: CONNECT for
	// +FRH, and the V.21 detection of +FRM (+FCERROR or +FRH:3).
	v21FramingFlags = 3
	// hsPreambleMs of flags open an HDLC transmission at a high-speed
	// modulation (T.30 Annex A ECM frames).
	hsPreambleMs = 200
	// chunk is the block the engine hands its receivers: events are
	// placed to within 10 ms.
	chunk = tenMs
	// maxPending bounds the frames queued by the HDLC receiver while the
	// DTE is between +FRH commands.
	maxPending = 64
)

// Config sets the engine's levels, timers and buffers. Zero values select
// the defaults.
type Config struct {
	// TxLevelDBm0 is the transmit level of every signal (tones, V.21,
	// high-speed); 0 selects each modem's default (V.21 -14, V.17 -10,
	// V.29 -13, V.27 ter -10 dBm0; tones -11 dBm0).
	TxLevelDBm0 float64
	// CarrierLossTimeout (+FCL, which counts 100 ms units) in samples:
	// during ReceiveData a carrier loss shorter than this is bridged (if
	// the receiver trains again in that time the data carries on); NO
	// CARRIER is reported when it expires, or at once when V.21 flags are
	// heard meanwhile (the far end has moved on to T.30 signals). 0
	// reports the loss at once.
	CarrierLossTimeout int
	// InactivityTimeout (+FIT, which counts seconds) in samples: off hook,
	// the engine reports Inactive when the DTE lets this much time pass
	// without a command (idle) or, after a CONNECT of TransmitHDLC or
	// TransmitData, without the data it must send. 0 disables.
	InactivityTimeout int
	// ConnectTimeout in samples: how long Originate waits for the far
	// fax's V.21 flags before NO CARRIER (the modem's S7).
	ConnectTimeout int
	// HistorySamples is how much received audio is kept while the DTE is
	// between commands, to be fed to the next receive operation.
	HistorySamples int
	// TxBufferBytes is the TransmitData buffer; a pty driver uses
	// Engine.Buffered against it for XON/XOFF flow control.
	TxBufferBytes int
	// SilenceThresholdDBm0 is the level below which WaitSilence counts
	// the line as silent.
	SilenceThresholdDBm0 float64
}

func (c Config) withDefaults() Config {
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.HistorySamples <= 0 {
		c.HistorySamples = DefaultHistorySamples
	}
	if c.TxBufferBytes <= 0 {
		c.TxBufferBytes = DefaultTxBufferBytes
	}
	if c.SilenceThresholdDBm0 == 0 {
		c.SilenceThresholdDBm0 = DefaultSilenceThreshold
	}
	c.CarrierLossTimeout = max(c.CarrierLossTimeout, 0)
	c.InactivityTimeout = max(c.InactivityTimeout, 0)
	return c
}

// Stats counts what the engine has done since it was created or hung up.
type Stats struct {
	FramesGood, FramesBad int // HDLC frames received
	FramesSent            int // HDLC frames transmitted
	DataOut, DataIn       int // octets transmitted (TransmitData) and received (ReceiveData)
	FillOctets            int // fill octets sent because the DTE was late (underrun)
	Dropped               int // events or octets dropped: the driver did not Poll
	TrainingsFailed       int // high-speed trainings heard but not recognised (+FRM, +FRH)
}

// rxOp is the state of the current receive operation.
type rxOp struct {
	mod          Modulation
	adaptive     bool // +FAR=1: V.21 flags during +FRM switch to HDLC
	connected    bool // CONNECT reported
	watchV21     bool // +FRM: listening for V.21 flags too (until trained)
	finalPending bool // final frame delivered; OK waits for carrier loss
	v21Framed    bool // high-speed +FRH started while V.21 flags were framed
	finalWait    int  // samples waited for that
	lossLeft     int  // +FCL: samples left before NO CARRIER; 0 when not counting
	wait         int  // Originate: samples waited for the far fax
	silentRun    int  // WaitSilence: samples of silence in a row
	silenceNeed  int  // WaitSilence: samples needed
}

// txOp is the state of the current transmit operation.
type txOp struct {
	mod          Modulation
	tx           dsp.Transmitter
	phase        int // Answering: 0 silence, 1 CED, 2 gap
	left         int // samples left in a timed phase (silence, +FTS)
	awaitConnect bool
	finalQueued  bool
	sentFinal    bool
	ending       bool // EndData or EndHDLC called
	dataStarted  bool // a DTE byte has been sent (fill is 0x00 after, 0xFF before)
	cur          int  // bits left in curByte
	curByte      byte
}

// pendingFrame is a frame (or a carrier loss) heard by the HDLC receiver
// while the DTE was between +FRH commands.
type pendingFrame struct {
	noCarrier bool
	final     bool
	fcsOK     bool
	fcs       [2]byte
	at        int64
	n         int
	data      [hdlc.DefaultMaxFrameLen]byte
}

// Engine is the Class 1 fax modem of one call. Create it with NewEngine.
type Engine struct {
	cfg     Config
	state   State
	offHook bool
	q       eventQueue
	stats   Stats

	rxClock, txClock int64 // samples received / transmitted so far
	at               int64 // position of the block being processed, for events
	idleRun          int   // samples idle off hook (+FIT)

	rx   rxOp
	hist history
	// replay holds history being fed to a receiver; its own buffer so
	// that what the receiver leaves goes back into the history.
	replay []int16

	// V.21: one receiver and HDLC decoder for the call, used by +FRH=3,
	// by Originate and as +FRM's V.21 detector.
	v21Rx      *v21.Receiver
	v21Dec     *hdlc.Decoder
	v21Carrier bool
	// High-speed receiver of the current or hot operation.
	hsRx      dsp.Receiver
	v17Rx     *v17.Receiver // kept for the call: short trains reuse its equalizer
	hsDec     *hdlc.Decoder
	hsMod     Modulation
	hsHDLC    bool // frames (ECM) rather than data
	hsCarrier bool
	hsOver    bool // V.21 flags ended the hot high-speed reception
	rxByte    byte
	rxBits    int
	// hot is the modulation of the HDLC receiver that keeps running while
	// the DTE is between +FRH commands (0: none). Frames it hears wait in
	// pending.
	hot         Modulation
	framedIdle  bool // hot receiver established framing while idle
	frameSince  bool // a frame since the hot receiver's carrier came up
	pending     []pendingFrame
	pendingHead int
	silence     *tone.PowerMeter

	tx      txOp
	v21Tx   *v21.Transmitter
	v17Tx   *v17.Transmitter
	enc     *hdlc.Encoder
	frames  [][]byte // TransmitHDLC queue; slot storage reused
	finals  []bool
	fhead   int
	txBuf   []byte // TransmitData ring
	txStart int
	txN     int
	tone    *tone.Generator

	// Method values made once, so that restarting modems allocates nothing.
	v21BitFn, hsBitFn       dsp.BitSink
	v21StatusFn, hsStatusFn dsp.StatusFunc
	nextFrameFn             hdlc.FrameSource
	dataBitFn, encBitFn     dsp.BitSource
}

// NewEngine returns an idle, on-hook engine.
func NewEngine(cfg Config) *Engine {
	e := &Engine{cfg: cfg.withDefaults()}
	e.hist = newHistory(e.cfg.HistorySamples)
	e.replay = make([]int16, 0, e.cfg.HistorySamples)
	e.txBuf = make([]byte, e.cfg.TxBufferBytes)
	e.silence = tone.NewPowerMeter(4) // 2 ms: +FRS counts from the signal's end
	e.v21BitFn, e.hsBitFn = e.v21Bit, e.hsBit
	e.v21StatusFn, e.hsStatusFn = e.v21Status, e.hsStatus
	e.nextFrameFn, e.dataBitFn = e.nextFrame, e.dataBit

	e.v21Dec = hdlc.NewDecoder(e.v21Frame)
	e.v21Dec.OnFraming(v21FramingFlags, e.v21Framing)
	e.v21Rx = v21.NewReceiver(v21.Config{}, e.v21BitFn, e.v21StatusFn)
	e.hsDec = hdlc.NewDecoder(e.hsFrame)
	e.hsDec.OnFraming(v21FramingFlags, e.hsFraming)
	e.enc = hdlc.NewEncoder(e.nextFrameFn, 1)
	e.encBitFn = e.enc.Bit
	e.v21Tx = v21.NewTransmitter(v21.Config{LevelDBm0: e.cfg.TxLevelDBm0}, e.encBitFn)
	return e
}

// State returns what the engine is doing.
func (e *Engine) State() State { return e.state }

// Stats returns the counts since the engine was created or hung up.
func (e *Engine) Stats() Stats {
	s := e.stats
	s.Dropped += e.q.dropped
	return s
}

// SetCarrierLossTimeout sets +FCL, in samples.
func (e *Engine) SetCarrierLossTimeout(samples int) { e.cfg.CarrierLossTimeout = max(samples, 0) }

// SetInactivityTimeout sets +FIT, in samples (0 disables).
func (e *Engine) SetInactivityTimeout(samples int) {
	e.cfg.InactivityTimeout = max(samples, 0)
	e.idleRun = 0
}

// SetConnectTimeout sets how long Originate waits for the far fax (S7),
// in samples.
func (e *Engine) SetConnectTimeout(samples int) {
	if samples <= 0 {
		samples = DefaultConnectTimeout
	}
	e.cfg.ConnectTimeout = samples
}

// Poll returns the next event, if any. Drain the queue after each Receive,
// Transmit or operation call.
func (e *Engine) Poll() (Event, bool) { return e.q.pop() }

// emit queues an event of kind at the current position.
func (e *Engine) emit(kind EventKind, mod Modulation) {
	e.q.push(kind, mod, e.at, nil)
}

// enter moves the engine to state next. Every transition goes through
// here: leaving an operation drops its transmitter, entering idle starts
// the history afresh and the +FIT timer.
func (e *Engine) enter(next State) {
	if next != e.state {
		e.tone = nil // CNG and CED each belong to one state
	}
	if next == StateIdle {
		e.tx.tx = nil
		e.frames, e.finals, e.fhead = e.frames[:0], e.finals[:0], 0
		e.txStart, e.txN = 0, 0 // an aborted TransmitData drops its buffer
		e.idleRun = 0
		if e.state != StateIdle {
			// The history holds what is heard while idle: start it afresh.
			e.hist.clear()
		}
	}
	e.state = next
}

// begin checks that an operation may start and prepares for it: the hot
// HDLC receiver stops unless keep, and the history is dropped unless the
// operation will replay it.
func (e *Engine) begin() error {
	if e.state != StateIdle {
		return ErrBusy
	}
	e.rx = rxOp{}
	e.tx = txOp{}
	e.idleRun = 0
	return nil
}

// stopHot forgets the HDLC receiver that ran between commands.
func (e *Engine) stopHot() {
	e.hot = 0
	e.pending = e.pending[:0]
	e.pendingHead = 0
	e.framedIdle, e.frameSince = false, false
}

// Answer starts answering a call (ATA): 0.2 s of silence, CED for 3.3 s,
// 75 ms of silence, then a V.21 HDLC transmission as TransmitHDLC(V21),
// with a Connect event when its flags start (T.30 §4.1.3, T.31 §8.3.1).
func (e *Engine) Answer() error {
	if err := e.begin(); err != nil {
		return err
	}
	e.stopHot()
	e.hist.clear()
	e.offHook = true
	e.tx.mod = V21
	e.tx.left = answerSilence
	e.enter(StateAnswering)
	return nil
}

// Originate starts the calling side's handshake once the call is placed
// (ATD): CNG (0.5 s on, 3 s off) while listening for the far fax's V.21
// flags; on them a Connect event, and then the engine is in ReceiveHDLC(V21)
// as ATD's implicit +FRH=3 (T.31 §8.3.1). Without flags within the connect
// timeout: NoCarrier.
func (e *Engine) Originate() error {
	if err := e.begin(); err != nil {
		return err
	}
	e.stopHot()
	e.hist.clear()
	e.offHook = true
	e.rx.mod = V21
	e.v21Rx.Reset()
	e.v21Dec.Reset()
	e.v21Carrier = false
	e.enter(StateOriginating)
	e.tone = tone.NewGenerator(tone.CNG(e.toneLevel()))
	return nil
}

// Hangup returns the engine to idle and on hook, forgetting the call: the
// operation, queued events, history, buffers and the receivers' training.
func (e *Engine) Hangup() {
	e.enter(StateIdle)
	e.offHook = false
	e.rx, e.tx = rxOp{}, txOp{}
	e.stopHot()
	e.hist.clear()
	e.q.reset()
	e.frames, e.finals, e.fhead = e.frames[:0], e.finals[:0], 0
	e.txStart, e.txN = 0, 0
	e.v21Rx.Reset()
	e.v21Dec.Reset()
	e.v21Carrier = false
	e.hsRx, e.v17Rx, e.hsCarrier = nil, nil, false
	e.stats = Stats{}
	e.q.dropped = 0
}

// Abort cancels the current operation, as a character from the DTE does
// during +FRH/+FRM/+FRS (T.31 §8.3.5): the engine stops transmitting at
// once and reports OK, or NoCarrier when it was answering or dialling
// (V.250 §6.3.1: a character aborts the call attempt). In idle it does
// nothing.
func (e *Engine) Abort() {
	switch e.state {
	case StateIdle:
		return
	case StateAnswering, StateOriginating:
		e.at = e.rxClock
		e.emit(NoCarrier, 0)
	case StateRxHDLC:
		e.at = e.rxClock
		e.emit(OK, 0)
		e.suspendHDLC()
	default:
		e.at = e.rxClock
		if e.state == StateTxHDLC || e.state == StateTxData || e.state == StateTxSilence {
			e.at = e.txClock
		}
		e.emit(OK, 0)
	}
	e.enter(StateIdle)
}

func (e *Engine) toneLevel() float64 {
	if e.cfg.TxLevelDBm0 != 0 {
		return e.cfg.TxLevelDBm0
	}
	return tone.DefaultLevelDBm0
}
