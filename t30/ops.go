package t30

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/modem"
)

// The operation layer: the Class 1 operations a state asks for run one after
// the other on the engine; the state machine hears only their outcome
// (evSent when a transmission sequence has ended, frames, training, data,
// carrier loss).

type opKind int

const (
	opNone      opKind = iota
	opOriginate        // ATD: CNG until V.21 flags, then receiving frames
	opAnswer           // ATA: CED, then sending frames at V.21
	opSilence          // +FTS
	opTxFrames         // +FTH and frames
	opTxData           // +FTM and data
	opRxFrames         // +FRH, repeated until the state machine moves on
	opRxData           // +FRM with adaptive reception
)

type op struct {
	kind   opKind
	mod    modem.Modulation
	n      int // opSilence: tens of ms
	frames [][]byte
	data   []byte
}

type opQueue struct {
	cur       op
	pending   []op
	holdUntil int64 // a finished reception waits for the far carrier to drop until then
	written   int   // opTxData: bytes given to the engine
	ended     bool  // opTxData: EndData called
}

func (q *opQueue) push(o op) { q.pending = append(q.pending, o) }

func (q *opQueue) pendingKind(k opKind) bool {
	for _, o := range q.pending {
		if o.kind == k {
			return true
		}
	}
	return false
}

// run starts the next queued operation when the engine is free.
func (s *Session) run() {
	for s.ops.cur.kind == opNone && len(s.ops.pending) > 0 && !s.done {
		o := s.ops.pending[0]
		s.ops.pending = s.ops.pending[1:]
		s.ops.cur, s.ops.written, s.ops.ended, s.ops.holdUntil = o, 0, false, 0
		if err := s.start(o); err != nil {
			s.ops.cur = op{}
			s.fail(fmt.Errorf("t30: engine: %w", err))
			return
		}
	}
}

func (s *Session) start(o op) error {
	e := s.eng
	switch o.kind {
	case opOriginate:
		return e.Originate()
	case opAnswer:
		if err := e.Answer(); err != nil {
			return err
		}
		return s.sendFrames(o.frames)
	case opSilence:
		return e.TransmitSilence(o.n)
	case opTxFrames:
		if err := e.TransmitHDLC(o.mod); err != nil {
			return err
		}
		return s.sendFrames(o.frames)
	case opTxData:
		if err := e.TransmitData(o.mod); err != nil {
			return err
		}
		s.feedData()
		return nil
	case opRxFrames:
		return e.ReceiveHDLC(o.mod)
	case opRxData:
		return e.ReceiveData(o.mod, true)
	}
	return nil
}

func (s *Session) sendFrames(frames [][]byte) error {
	for i, f := range frames {
		if err := s.eng.SendFrame(f, i == len(frames)-1); err != nil {
			return err
		}
	}
	return nil
}

// feedData tops up the engine's transmit buffer during opTxData.
func (s *Session) feedData() {
	q := &s.ops
	if q.cur.kind != opTxData || q.ended {
		return
	}
	if free := s.eng.TxBufferSize() - s.eng.Buffered(); free > 0 && q.written < len(q.cur.data) {
		end := min(len(q.cur.data), q.written+free)
		n, _ := s.eng.WriteData(q.cur.data[q.written:end])
		q.written += n
	}
	if q.written == len(q.cur.data) {
		q.ended = true
		if err := s.eng.EndData(); err != nil {
			s.fail(fmt.Errorf("t30: engine: %w", err))
		}
	}
}

// abortOps cancels the current operation and the queued ones; the events
// of the aborted operation are dropped.
func (s *Session) abortOps() {
	s.ops.pending = s.ops.pending[:0]
	s.abortCurrent()
}

// opEnded finishes the current operation and starts the next; when a
// transmission sequence is over, the state machine hears evSent.
func (s *Session) opEnded() {
	kind := s.ops.cur.kind
	s.ops.cur = op{}
	if len(s.ops.pending) > 0 {
		s.run()
		return
	}
	switch kind {
	case opAnswer, opSilence, opTxFrames, opTxData:
		s.handle(evSent)
	}
	s.run()
}

// poll drains the engine's events into the operation layer.
func (s *Session) poll() {
	for !s.done {
		ev, ok := s.eng.Poll()
		if !ok {
			return
		}
		s.engineEvent(ev)
	}
}

func (s *Session) engineEvent(ev modem.Event) {
	if s.log.Enabled(context.Background(), slog.LevelDebug-4) {
		s.log.Log(context.Background(), slog.LevelDebug-4, "t30 engine", "event", ev.String(), "op", s.ops.cur.kind, "state", s.state.String(), "at", s.now)
	}
	o := &s.ops.cur
	switch o.kind {
	case opNone:
		return
	case opOriginate:
		switch ev.Kind {
		case modem.Connect:
			// The engine is now receiving HDLC at V.21 (ATD's implicit +FRH=3).
			o.kind, o.mod = opRxFrames, modem.V21
		case modem.NoCarrier:
			s.ops.cur = op{}
			s.fail(ErrNoCarrier)
		}
	case opAnswer, opSilence, opTxFrames, opTxData:
		switch ev.Kind {
		case modem.OK:
			s.opEnded()
		case modem.NoCarrier, modem.Error:
			s.ops.cur = op{}
			s.fail(fmt.Errorf("%w: engine reported %v while transmitting", ErrProtocol, ev.Kind))
		}
	case opRxFrames:
		s.rxFrameEvent(ev)
	case opRxData:
		switch ev.Kind {
		case modem.Connect:
			if ev.Mod == modem.V21 {
				// +FRH:3 — the far end sends frames instead of data.
				o.kind, o.mod = opRxFrames, modem.V21
				s.rx, s.rxBad = s.rx[:0], false
				return
			}
			s.handle(evTrained)
		case modem.Data:
			s.rxData(ev.Data)
		case modem.NoCarrier, modem.OK, modem.Error, modem.FCError:
			s.ops.cur = op{}
			s.handle(evCarrierDown)
			s.run()
		}
	}
}

// rxFrameEvent collects frames until a final one; the set goes to the state
// machine when the operation reports OK for it (which, after a final frame,
// the engine holds until the far carrier is off).
func (s *Session) rxFrameEvent(ev modem.Event) {
	o := s.ops.cur
	// The first flags, and every good frame, show that the far end is
	// answering: its whole transmission is waited for, however many frames
	// it has (T.30 §5.4.3.1: the timers are for detecting the start). Bad
	// frames do not: a receiver may make them out of line noise forever.
	// (A high-speed receiver may even "train" on noise: there only good
	// frames count.)
	switch {
	case ev.Kind == modem.Connect && !s.heard && o.mod != modem.V21:
		// High speed: the first training may be noise; wait for one frame.
		s.heard = true
		if d := s.now + s.ecmFrameTime() + dsp.SampleRate; s.deadline != 0 && d > s.deadline {
			s.deadline = d
		}
	case (ev.Kind == modem.Connect && !s.heard) || (ev.Kind == modem.Frame && ev.FCSOK):
		s.heard = true
		if d := s.now + T4; s.deadline != 0 && d > s.deadline {
			s.deadline = d
		}
	}
	switch ev.Kind {
	case modem.Connect:
		return
	case modem.Frame:
		if !ev.FCSOK {
			s.rxBad = true
			return
		}
		var f Frame
		if err := f.Unmarshal(ev.Data); err != nil {
			s.rxBad = true
			return
		}
		if s.cfg.badFrame != nil && s.cfg.badFrame(f) {
			s.rxBad = true
			return
		}
		f.Info = append([]byte(nil), f.Info...)
		s.rx = append(s.rx, f)
		if f.Final && o.mod == modem.V21 {
			s.finalFrame()
		}
		return
	case modem.OK, modem.Error, modem.NoCarrier:
	default:
		return
	}
	// The receive operation has ended; decide whether the set is complete.
	s.ops.cur = op{}
	s.frameSetEnded(o, ev.Kind)
}

// finalFrame hands a complete command or response to the state machine as
// soon as its final frame is in. The engine holds the operation's OK until
// the far carrier drops; what the state asks for next decides whether to
// wait for that:
//   - a reception (TCF after DCS, 75 ms later) starts at once, or its
//     training would be missed;
//   - a transmission waits for the far carrier to end (T.30 §5.3.1.1: the
//     75 ms gap counts from the end of the received signal), but at most
//     holdMax after the frame, because on a noisy line the V.21 receiver
//     may hear "carrier" in the noise long after the far end has stopped.
func (s *Session) finalFrame() {
	s.set = append(s.set[:0], s.rx...)
	s.rx, s.rxBad = s.rx[:0], false
	s.handle(evFrames)
	if s.done || s.ops.cur.kind != opRxFrames || len(s.ops.pending) == 0 {
		return
	}
	switch s.ops.pending[0].kind {
	case opRxData, opRxFrames:
		s.abortCurrent()
		s.run()
	default:
		s.ops.holdUntil = s.now + holdMax
	}
}

// holdMax bounds the wait for the far carrier to drop after a final frame.
const holdMax = 3 * dsp.SampleRate / 10

// abortCurrent ends the current operation but keeps the queued ones.
func (s *Session) abortCurrent() {
	if s.ops.cur.kind == opNone {
		return
	}
	s.eng.Abort()
	for {
		if _, ok := s.eng.Poll(); !ok {
			break
		}
	}
	s.ops.cur = op{}
	s.ops.holdUntil = 0
}

// frameSetEnded hands what a receive operation collected to the state
// machine and, if the state still waits for frames, listens again.
func (s *Session) frameSetEnded(o op, end modem.EventKind) {
	switch {
	case o.mod != modem.V21:
		// ECM data frames: each one is handled on its own.
		if len(s.rx) > 0 {
			s.set = append(s.set[:0], s.rx...)
			s.rx = s.rx[:0]
			s.handle(evFrames)
		}
		s.rx, s.rxBad = s.rx[:0], false
		if s.state == stRxECM && end == modem.NoCarrier && s.rxECM.any() {
			// The block's carrier is gone, its RCP lost: the PPS follows
			// at V.21 (T.30 Annex A).
			s.handle(evCarrierDown)
		}
	case len(s.rx) > 0 && s.rx[len(s.rx)-1].Final:
		s.set = append(s.set[:0], s.rx...)
		s.rx, s.rxBad = s.rx[:0], false
		s.handle(evFrames)
	case end == modem.Error:
		// Keep listening: a frame made of noise often comes just before
		// the far end's preamble (1 s of flags) and its real frames. If
		// nothing good follows, the timeout, with rxBad set, becomes
		// evBadFrame.
	case s.rxBad:
		// The carrier ended after a damaged frame (OK or NO CARRIER).
		s.handle(evBadFrame)
	}
	adaptive := o.mod == modem.V21 && (s.state == stRxTCF || s.state == stRxPage)
	if s.ops.cur.kind == opNone && len(s.ops.pending) == 0 && !s.done && (s.listening() || adaptive) {
		// Keep listening at the same modulation until the state moves on.
		s.ops.push(op{kind: opRxFrames, mod: o.mod})
	}
	s.run()
}

// listening reports whether the current state waits for frames.
func (s *Session) listening() bool {
	switch s.state {
	case stRxWaitCmd, stRxECM, stRxPostCmd, stRxWaitDCN, stRxPollDIS,
		stTxWaitDIS, stTxWaitCFR, stTxWaitResp, stTxWaitCTR:
		return true
	}
	return false
}
