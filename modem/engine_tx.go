package modem

import (
	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/dsp/tone"
	"github.com/softfax/softfax/dsp/v17"
	"github.com/softfax/softfax/dsp/v21"
	"github.com/softfax/softfax/dsp/v27ter"
	"github.com/softfax/softfax/dsp/v29"
)

// Transmit fills out with the samples to send to the far end: the current
// operation's signal, silence when there is none. It always fills out
// and returns len(out). Drain the events with Poll afterwards.
func (e *Engine) Transmit(out []int16) int {
	for rest := out; len(rest) > 0; {
		n := e.txStep(rest[:min(len(rest), chunk)])
		rest = rest[n:]
		e.txClock += int64(n)
	}
	return len(out)
}

// txStep is the transmit side of the state machine: it fills a prefix of
// c (at most one chunk) and returns its length, which is short only when
// the state changed within c.
func (e *Engine) txStep(c []int16) int {
	e.at = e.txClock + int64(len(c))
	switch e.state {
	case StateOriginating:
		if e.tone != nil {
			e.tone.Transmit(c)
			return len(c)
		}
	case StateAnswering:
		if e.tx.phase == 1 { // CED
			n := e.tone.Transmit(c)
			if n < len(c) {
				e.tone = nil
				e.tx.phase, e.tx.left = 2, cedGap
			}
			return n
		}
		n := min(len(c), e.tx.left)
		clear(c[:n])
		if e.tx.left -= n; e.tx.left == 0 {
			e.at = e.txClock + int64(n)
			if e.tx.phase == 0 {
				e.tx.phase = 1
				e.tone = tone.NewGenerator(tone.CED(e.toneLevel()))
			} else if err := e.startHDLCTx(V21); err != nil {
				// V.21 always starts; stay safe on outside input anyway.
				e.emit(Error, 0)
				e.enter(StateIdle)
			}
		}
		return n
	case StateTxSilence:
		n := min(len(c), e.tx.left)
		clear(c[:n])
		if e.tx.left -= n; e.tx.left <= 0 {
			e.at = e.txClock + int64(n)
			e.emit(OK, 0)
			e.enter(StateIdle)
		}
		return n
	case StateTxHDLC, StateTxData:
		if e.waitingForDTE(len(c)) {
			e.emit(Inactive, 0)
			e.offHook = false
			e.enter(StateIdle)
			return 0
		}
		n := e.tx.tx.Transmit(c)
		if n < len(c) {
			// Trailer sent and carrier off: the operation is complete.
			e.at = e.txClock + int64(n)
			e.emit(OK, 0)
			e.enter(StateIdle)
		}
		return n
	}
	clear(c)
	return len(c)
}

// waitingForDTE runs the +FIT timer while a transmission waits for the
// DTE's next frame or data, and reports its expiry.
func (e *Engine) waitingForDTE(n int) bool {
	if !e.offHook || e.cfg.InactivityTimeout == 0 {
		return false
	}
	waiting := e.state == StateTxHDLC && e.fhead == len(e.frames) && !e.tx.sentFinal && !e.tx.ending ||
		e.state == StateTxData && e.txN == 0 && !e.tx.ending
	if !waiting {
		e.idleRun = 0
		return false
	}
	e.idleRun += n
	return e.idleRun >= e.cfg.InactivityTimeout
}

// TransmitHDLC starts +FTH=<m>: preamble flags (1 s at V.21, T.30 §5.3.1;
// 200 ms at a high-speed modulation) and a Connect event at once; then the
// frames given to SendFrame. After each non-final frame has gone, a
// Connect asks for the next (flags are sent meanwhile); after the final
// frame come closing flags, the carrier stops and OK ends the operation.
func (e *Engine) TransmitHDLC(m Modulation) error {
	if !m.Valid() {
		return ErrModulation
	}
	if err := e.begin(); err != nil {
		return err
	}
	e.stopHot()
	e.frames, e.finals, e.fhead = e.frames[:0], e.finals[:0], 0
	e.at = e.txClock
	return e.startHDLCTx(m)
}

func (e *Engine) startHDLCTx(m Modulation) error {
	fam, rate, _ := m.spec()
	flags := hdlc.DefaultPreambleFlags
	if fam != famV21 {
		flags = max(rate*hsPreambleMs/1000/8, 1)
	}
	e.enc.Restart(e.nextFrameFn, flags)
	tx, err := e.newTransmitter(m, e.encBitFn)
	if err != nil {
		return err
	}
	e.tx.mod, e.tx.tx = m, tx
	e.enter(StateTxHDLC)
	e.emit(Connect, m)
	return nil
}

// SendFrame queues an HDLC frame (address, control, information; the
// engine adds the FCS) for TransmitHDLC. final marks the last frame of the
// transmission — for T.30 frames, the P/F bit of the control field (0x13).
// Frames may be queued ahead; each non-final one is answered by a Connect
// when it has been sent.
func (e *Engine) SendFrame(frame []byte, final bool) error {
	if e.state != StateTxHDLC && e.state != StateAnswering {
		return ErrState
	}
	if e.tx.finalQueued {
		return ErrState
	}
	if len(frame) < 2 || len(frame) > hdlc.DefaultMaxFrameLen-2 {
		return ErrFrame
	}
	if n := len(e.frames); n < cap(e.frames) {
		e.frames = e.frames[:n+1]
		e.frames[n] = append(e.frames[n][:0], frame...)
	} else {
		e.frames = append(e.frames, append([]byte(nil), frame...))
	}
	e.finals = append(e.finals, final)
	e.tx.finalQueued = final
	return nil
}

// nextFrame is the HDLC encoder's frame source.
func (e *Engine) nextFrame() ([]byte, bool) {
	if e.tx.awaitConnect {
		// The previous non-final frame (and the flag closing it) has gone.
		e.tx.awaitConnect = false
		if !e.tx.ending {
			e.emit(Connect, e.tx.mod)
		}
	}
	if e.fhead < len(e.frames) {
		f, final := e.frames[e.fhead], e.finals[e.fhead]
		if e.fhead++; e.fhead == len(e.frames) {
			// The encoder copies f before SendFrame can reuse the slot.
			e.frames, e.finals, e.fhead = e.frames[:0], e.finals[:0], 0
		}
		e.stats.FramesSent++
		if final {
			e.tx.sentFinal = true
		} else {
			e.tx.awaitConnect = true
		}
		return f, true
	}
	if e.tx.sentFinal || e.tx.ending {
		return nil, false
	}
	return nil, true
}

// EndHDLC ends TransmitHDLC without a final frame, as <DLE><ETX> alone
// after CONNECT does (T.31 §8.3.2: the DTE has no more frames): the frames
// already queued go out, then closing flags; the carrier stops and OK ends
// the operation. Abort, by contrast, cuts the carrier at once.
func (e *Engine) EndHDLC() error {
	if e.state != StateTxHDLC && e.state != StateAnswering {
		return ErrState
	}
	e.tx.ending, e.tx.finalQueued = true, true
	return nil
}

// TransmitData starts +FTM=<m>: the training and a Connect event at once,
// then the bytes given to WriteData (in line order: least significant bit
// first), until EndData. While the buffer is empty the engine sends fill,
// 0xFF before the first byte and 0x00 after it (zeros are T.4 fill), so a
// late DTE costs time, not the carrier.
func (e *Engine) TransmitData(m Modulation) error {
	fam, _, _ := m.spec()
	if fam == famNone || fam == famV21 {
		return ErrModulation
	}
	if err := e.begin(); err != nil {
		return err
	}
	e.stopHot()
	e.txStart, e.txN = 0, 0
	tx, err := e.newTransmitter(m, e.dataBitFn)
	if err != nil {
		return err
	}
	e.tx.mod, e.tx.tx = m, tx
	e.enter(StateTxData)
	e.at = e.txClock
	e.emit(Connect, m)
	return nil
}

// WriteData adds bytes to the TransmitData buffer. It takes what fits and
// returns ErrBufferFull for the rest; a pty driver stops its DTE with XOFF
// well before (see Buffered and TxBufferSize).
func (e *Engine) WriteData(p []byte) (int, error) {
	if e.state != StateTxData || e.tx.ending {
		return 0, ErrState
	}
	size := len(e.txBuf)
	n := min(len(p), size-e.txN)
	end := (e.txStart + e.txN) % size
	k := copy(e.txBuf[end:], p[:n])
	copy(e.txBuf, p[k:n])
	e.txN += n
	if n < len(p) {
		return n, ErrBufferFull
	}
	return n, nil
}

// Buffered returns how many bytes wait in the TransmitData buffer.
func (e *Engine) Buffered() int { return e.txN }

// TxBufferSize returns the capacity of the TransmitData buffer.
func (e *Engine) TxBufferSize() int { return len(e.txBuf) }

// EndData ends TransmitData (<DLE><ETX>): the buffered bytes are sent,
// then the trailer; OK comes when the carrier is off.
func (e *Engine) EndData() error {
	if e.state != StateTxData || e.tx.ending {
		return ErrState
	}
	e.tx.ending = true
	return nil
}

// dataBit is TransmitData's bit source.
func (e *Engine) dataBit() (int, bool) {
	if e.tx.cur == 0 {
		switch {
		case e.txN > 0:
			e.tx.curByte = e.txBuf[e.txStart]
			e.txStart = (e.txStart + 1) % len(e.txBuf)
			e.txN--
			e.tx.dataStarted = true
			e.stats.DataOut++
		case e.tx.ending:
			return 0, false
		case e.tx.dataStarted:
			e.tx.curByte = 0x00
			e.stats.FillOctets++
		default:
			e.tx.curByte = 0xFF
		}
		e.tx.cur = 8
	}
	bit := int(e.tx.curByte & 1)
	e.tx.curByte >>= 1
	e.tx.cur--
	return bit, true
}

// TransmitSilence starts +FTS=<n>: silence for n × 10 ms, then OK
// (n ≤ 0: OK at once).
func (e *Engine) TransmitSilence(n int) error {
	if err := e.begin(); err != nil {
		return err
	}
	e.stopHot()
	if n <= 0 {
		e.at = e.txClock
		e.emit(OK, 0)
		return nil
	}
	e.tx.left = n * tenMs
	e.enter(StateTxSilence)
	return nil
}

// newTransmitter returns a modulator for m taking bits from src, reusing
// the call's V.21 and V.17 modulators.
func (e *Engine) newTransmitter(m Modulation, src dsp.BitSource) (dsp.Transmitter, error) {
	fam, rate, short := m.spec()
	level := e.cfg.TxLevelDBm0
	switch fam {
	case famV21:
		e.v21Tx.Restart(v21.Config{LevelDBm0: level}, src)
		return e.v21Tx, nil
	case famV17:
		cfg := v17.Config{Rate: rate, ShortTrain: short, LevelDBm0: level}
		if e.v17Tx == nil {
			t, err := v17.NewTransmitter(cfg, src)
			if err != nil {
				return nil, err
			}
			e.v17Tx = t
			return t, nil
		}
		if err := e.v17Tx.Restart(cfg, src); err != nil {
			return nil, err
		}
		return e.v17Tx, nil
	case famV29:
		t, err := v29.NewTransmitter(v29.Config{Rate: rate, Level: level}, src)
		if err != nil {
			return nil, err
		}
		return t, nil
	case famV27ter:
		t, err := v27ter.NewTransmitter(v27ter.Config{Rate: rate, Level: level}, src)
		if err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, ErrModulation
}
