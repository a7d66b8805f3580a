package modem

import (
	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/tone"
	"github.com/softfax/softfax/dsp/v17"
	"github.com/softfax/softfax/dsp/v27ter"
	"github.com/softfax/softfax/dsp/v29"
)

// Receive takes a block of samples heard from the far end, of any length.
// Drain the events with Poll afterwards.
func (e *Engine) Receive(in []int16) {
	start := e.rxClock
	e.rxClock += int64(len(in))
	e.process(in, start)
}

// process hands in, whose first sample is at position at, to the current
// state in chunks, so that a state change takes effect within 10 ms.
func (e *Engine) process(in []int16, at int64) {
	for len(in) > 0 {
		n := min(len(in), chunk)
		e.at = at + int64(n)
		e.rxChunk(in[:n], at)
		in, at = in[n:], at+int64(n)
	}
}

// replayHistory feeds the audio heard while idle to the receiver of the
// operation just started. What the operation does not consume (it may end
// within the replay) returns to the history.
func (e *Engine) replayHistory() {
	if e.hist.n == 0 {
		return
	}
	var at int64
	e.replay, at = e.hist.take(e.replay)
	e.process(e.replay, at)
}

// rxChunk is the receive side of the state machine.
func (e *Engine) rxChunk(c []int16, at int64) {
	switch e.state {
	case StateIdle:
		e.hist.push(c, at)
		switch {
		case e.hot == V21:
			e.v21Rx.Receive(c)
		case e.hot != 0:
			e.hsRx.Receive(c)
			e.v21Rx.Receive(c) // the far end going back to V.21 ends the frames
		}
		e.tickIdle(len(c))
	case StateOriginating:
		e.v21Rx.Receive(c)
		if e.state == StateOriginating {
			if e.rx.wait += len(c); e.rx.wait >= e.cfg.ConnectTimeout {
				e.emit(NoCarrier, 0)
				e.enter(StateIdle)
			}
		}
	case StateRxHDLC:
		if e.rx.mod == V21 {
			e.v21Rx.Receive(c)
		} else if e.rx.v21Framed {
			e.v21Rx.Receive(c)
			if e.state == StateRxHDLC {
				e.hsEndedByV21()
			}
		} else {
			e.hsRx.Receive(c)
			if e.state == StateRxHDLC {
				// ECM: V.21 flags mean the far end's high-speed
				// transmission is over (T.30 Annex A: RCP, then PPS).
				e.v21Rx.Receive(c)
			}
		}
		if e.state == StateRxHDLC && e.rx.finalPending {
			if e.rx.finalWait += len(c); e.rx.finalWait >= finalOKTimeout {
				e.emit(OK, 0)
				e.suspendHDLC()
				e.enter(StateIdle)
			}
		}
	case StateRxData:
		e.hsRx.Receive(c)
		if e.state == StateRxData {
			// Before training V.21 flags mean the far end sent a T.30
			// frame instead (+FCERROR); after it, that the page is over
			// even when the high-speed receiver has not noticed yet (a
			// sender going straight from the page to +FTH=3, or noise
			// above the carrier-off level).
			e.v21Rx.Receive(c)
		}
		if e.state == StateRxData && e.rx.lossLeft > 0 {
			if e.rx.lossLeft -= len(c); e.rx.lossLeft <= 0 {
				e.rx.lossLeft = 0
				e.endData()
			}
		}
	case StateRxSilence:
		thr := tone.MeanSquareOf(e.cfg.SilenceThresholdDBm0)
		for i, s := range c {
			if e.silence.Update(s) >= thr {
				e.rx.silentRun = 0
				continue
			}
			if e.rx.silentRun++; e.rx.silentRun >= e.rx.silenceNeed {
				e.at = at + int64(i) + 1
				e.emit(OK, 0)
				e.enter(StateIdle)
				e.hist.push(c[i+1:], e.at)
				return
			}
		}
	}
	// Answering and transmitting: what is heard is our own echo or
	// nothing the DTE asked for; it is dropped.
}

// tickIdle runs the +FIT inactivity timer.
func (e *Engine) tickIdle(n int) {
	if !e.offHook || e.cfg.InactivityTimeout == 0 {
		return
	}
	if e.idleRun += n; e.idleRun >= e.cfg.InactivityTimeout {
		e.idleRun = 0
		e.offHook = false
		e.emit(Inactive, 0)
	}
}

// ReceiveHDLC starts +FRH=<m>: Connect when flags are heard, then one Frame
// event (with its FCS verdict) followed by OK or Error, which ends the
// operation. The OK after a final frame (control field with the P/F bit,
// 0x13) is held until the carrier drops, so the DTE does not answer into
// the tail of the far transmission. A carrier lost after Connect and
// before a frame gives NoCarrier. The receiver keeps running after the
// operation ends, and the next ReceiveHDLC at the same modulation gets
// what it heard meanwhile; a Connect comes at once when its carrier is
// still up. At a high-speed modulation (ECM) a V.21 receiver listens
// alongside: V.21 flags end the operation as a carrier loss would (the far
// end has gone back to T.30 signalling), and are kept for ReceiveHDLC(V21).
func (e *Engine) ReceiveHDLC(m Modulation) error {
	fam, _, _ := m.spec()
	if fam == famNone {
		return ErrModulation
	}
	if err := e.begin(); err != nil {
		return err
	}
	e.rx.mod = m
	if e.hot == m {
		e.hist.clear()
		e.enter(StateRxHDLC)
		e.at = e.rxClock
		e.deliverPending()
		return nil
	}
	keepV21 := fam != famV21 && e.hot == V21
	// The far end is sending V.21 flags: no high-speed frames will come
	// (an ECM receiver that missed RCP asks for more). NoCarrier follows
	// with the next received audio — not at once, so that a DTE asking
	// again and again still lets the sample clock run.
	v21Framed := keepV21 && e.framedIdle
	e.stopHot()
	if !keepV21 {
		// Else the V.21 receiver, watching alongside, goes on from
		// where it is: flags it has begun to hear end this operation.
		e.v21Rx.Reset()
		e.v21Dec.Reset()
		e.v21Carrier = false
	}
	if fam != famV21 {
		if err := e.startHighSpeed(m, true); err != nil {
			return err
		}
	}
	e.rx.v21Framed = v21Framed
	e.enter(StateRxHDLC)
	e.replayHistory()
	return nil
}

// ReceiveData starts +FRM=<m>: Connect once the receiver has trained, then
// Data events, and NoCarrier when the carrier is lost (after the +FCL
// time) or, at once, when V.21 flags are heard (a sender may start its
// post-page frames with no silence after the page, and noise may hold the
// high-speed carrier detector up); ReceiveHDLC(V21) then picks up those
// flags. Until training, V.21 flags are watched for: they end the
// operation with FCError, or with adaptive (+FAR=1) switch it to HDLC
// reception at V.21, reported as a Connect event with Mod V21 (+FRH:3).
func (e *Engine) ReceiveData(m Modulation, adaptive bool) error {
	fam, _, _ := m.spec()
	if fam == famNone || fam == famV21 {
		return ErrModulation
	}
	if err := e.begin(); err != nil {
		return err
	}
	e.stopHot()
	if err := e.startHighSpeed(m, false); err != nil {
		return err
	}
	e.v21Rx.Reset()
	e.v21Dec.Reset()
	e.v21Carrier = false
	e.rx.mod, e.rx.adaptive, e.rx.watchV21 = m, adaptive, true
	e.rxByte, e.rxBits = 0, 0
	e.enter(StateRxData)
	e.replayHistory()
	return nil
}

// WaitSilence starts +FRS=<n>: OK once the line has been silent for
// n × 10 ms in a row, counted from now (n ≤ 0: OK at once).
func (e *Engine) WaitSilence(n int) error {
	if err := e.begin(); err != nil {
		return err
	}
	e.stopHot()
	if n <= 0 {
		e.at = e.rxClock
		e.emit(OK, 0)
		return nil
	}
	e.rx.silenceNeed = n * tenMs
	e.silence.Reset()
	e.enter(StateRxSilence)
	return nil
}

// startHighSpeed readies the receiver for m, as data or HDLC frames.
func (e *Engine) startHighSpeed(m Modulation, frames bool) error {
	fam, rate, short := m.spec()
	var err error
	switch fam {
	case famV17:
		if e.v17Rx == nil {
			e.v17Rx, err = v17.NewReceiver(v17.Config{Rate: rate}, e.hsBitFn, e.hsStatusFn)
			if err == nil && short {
				err = e.v17Rx.Restart(rate, true)
			}
		} else {
			err = e.v17Rx.Restart(rate, short)
		}
		e.hsRx = e.v17Rx
	case famV29:
		var r *v29.Receiver
		r, err = v29.NewReceiver(v29.Config{Rate: rate}, e.hsBitFn, e.hsStatusFn)
		e.hsRx = r
	case famV27ter:
		var r *v27ter.Receiver
		r, err = v27ter.NewReceiver(v27ter.Config{Rate: rate}, e.hsBitFn, e.hsStatusFn)
		e.hsRx = r
	default:
		return ErrModulation
	}
	if err != nil {
		e.hsRx = nil
		if fam == famV17 {
			e.v17Rx = nil
		}
		return err
	}
	e.hsMod, e.hsHDLC, e.hsCarrier, e.hsOver = m, frames, false, false
	e.hsDec.Reset()
	return nil
}

// suspendHDLC ends an HDLC receive operation but keeps its receiver
// running ("hot") for the next +FRH.
func (e *Engine) suspendHDLC() {
	e.hot = e.rx.mod
	e.framedIdle = false
}

// hotCarrier reports whether the hot receiver hears its carrier.
func (e *Engine) hotCarrier() bool {
	if e.hot == V21 {
		return e.v21Carrier
	}
	return e.hsCarrier
}

// deliverPending hands a resumed ReceiveHDLC what the hot receiver heard
// while the DTE was between commands.
func (e *Engine) deliverPending() {
	for e.state == StateRxHDLC {
		if e.pendingHead == len(e.pending) {
			e.pending, e.pendingHead = e.pending[:0], 0
			if e.framedIdle || e.hotCarrier() {
				e.rx.connected = true
				e.emit(Connect, e.rx.mod)
			}
			e.framedIdle = false
			return
		}
		p := &e.pending[e.pendingHead]
		e.pendingHead++
		if p.noCarrier {
			e.emit(NoCarrier, 0)
			e.suspendHDLC()
			e.enter(StateIdle)
			return
		}
		more := e.pendingHead < len(e.pending)
		e.at = p.at
		e.deliverFrame(e.rx.mod, p.data[:p.n], p.fcs, p.fcsOK, p.final, !more && e.hotCarrier())
		e.at = e.rxClock
	}
}

// deliverFrame reports a frame to the DTE and ends the operation with OK
// or ERROR — or, for a good final frame while the carrier is up, waits
// for the carrier to drop before OK.
func (e *Engine) deliverFrame(mod Modulation, data []byte, fcs [2]byte, ok, final, carrierUp bool) {
	if !e.rx.connected {
		e.rx.connected = true
		e.emit(Connect, mod)
	}
	if ev := e.q.push(Frame, mod, e.at, data); ev != nil {
		ev.fcs, ev.fcsOK = fcs, ok
	}
	if ok && final && carrierUp {
		e.rx.finalPending, e.rx.finalWait = true, 0
		return
	}
	if ok {
		e.emit(OK, 0)
	} else {
		e.emit(Error, 0)
	}
	e.suspendHDLC()
	e.enter(StateIdle)
}

// gotFrame takes a frame from either HDLC decoder.
func (e *Engine) gotFrame(mod Modulation, data []byte, ok bool) {
	var fcs [2]byte
	if cap(data) >= len(data)+2 { // the decoder leaves the FCS after the data
		copy(fcs[:], data[len(data):len(data)+2])
	}
	final := len(data) >= 2 && data[1]&0x10 != 0
	switch {
	case e.state == StateRxHDLC && e.rx.mod == mod:
		if !e.rx.finalPending {
			e.countFrame(ok)
			e.deliverFrame(mod, data, fcs, ok, final, true)
		}
	case e.state == StateRxHDLC && mod == V21:
		// V.21 watched during high-speed reception: its frames wait for
		// +FRH=3 as the hot V.21 receiver's would.
		e.queueFrame(data, fcs, ok, final)
	case e.state == StateIdle && e.hot == mod:
		if e.hsOver && mod != V21 {
			return
		}
		e.queueFrame(data, fcs, ok, final)
	default:
		return // V.21 watched alongside a high-speed receiver
	}
	e.frameSince = true
}

// queueFrame keeps a frame for the next ReceiveHDLC.
func (e *Engine) queueFrame(data []byte, fcs [2]byte, ok, final bool) {
	e.countFrame(ok)
	e.framedIdle = false
	if len(e.pending)-e.pendingHead >= maxPending {
		e.stats.Dropped++
		return
	}
	e.pending = append(e.pending, pendingFrame{})
	p := &e.pending[len(e.pending)-1]
	p.final, p.fcsOK, p.fcs, p.at = final && ok, ok, fcs, e.at
	p.n = copy(p.data[:], data)
}

func (e *Engine) countFrame(ok bool) {
	if ok {
		e.stats.FramesGood++
	} else {
		e.stats.FramesBad++
	}
}

// hdlcFraming: an HDLC receiver established framing.
func (e *Engine) hdlcFraming(mod Modulation) {
	switch {
	case e.state == StateRxHDLC && e.rx.mod == mod && !e.rx.connected:
		e.rx.connected = true
		e.emit(Connect, mod)
	case e.state == StateIdle && e.hot == mod:
		e.framedIdle = true
	}
}

// hdlcCarrierDown: an HDLC receiver lost its carrier.
func (e *Engine) hdlcCarrierDown(mod Modulation) {
	switch {
	case e.state == StateRxHDLC && e.rx.mod == mod:
		switch {
		case e.rx.finalPending:
			e.emit(OK, 0)
			e.suspendHDLC()
			e.enter(StateIdle)
		case e.rx.connected:
			e.emit(NoCarrier, 0)
			e.suspendHDLC()
			e.enter(StateIdle)
		}
	case e.state == StateIdle && e.hot == mod:
		// As spandsp does: a carrier lost after frames, with no final
		// frame among them, is reported to the next +FRH as NO CARRIER.
		lastFinal := e.pendingHead < len(e.pending) && e.pending[len(e.pending)-1].final
		if e.frameSince && !lastFinal && len(e.pending)-e.pendingHead < maxPending {
			e.pending = append(e.pending, pendingFrame{noCarrier: true, at: e.at})
		}
	}
	e.frameSince, e.framedIdle = false, false
}

// v21Bit, v21Status, v21Frame and v21Framing are the V.21 receiver's and
// decoder's callbacks.
func (e *Engine) v21Bit(bit int) { e.v21Dec.PutBit(bit) }

func (e *Engine) v21Status(s dsp.Status, _ int64) {
	switch s {
	case dsp.CarrierUp:
		e.v21Carrier = true
		if e.hot == V21 || (e.state == StateRxHDLC && e.rx.mod == V21) {
			e.frameSince = false
		}
	case dsp.CarrierDown:
		e.v21Carrier = false
		e.v21Dec.Reset()
		if e.state == StateRxHDLC || e.hot == V21 {
			e.hdlcCarrierDown(V21)
		}
	}
}

func (e *Engine) v21Frame(data []byte, ok bool) {
	if e.state == StateOriginating {
		e.v21Framing() // a frame implies flags before it
	}
	e.gotFrame(V21, data, ok)
}

func (e *Engine) v21Framing() {
	switch e.state {
	case StateOriginating:
		e.rx.connected = true
		e.emit(Connect, V21)
		e.enter(StateRxHDLC) // CNG stops
	case StateRxData:
		if e.rx.lossLeft > 0 {
			// V.21 flags during a +FCL wait: the loss is final.
			e.rx.lossLeft = 0
			e.endData()
			return
		}
		if !e.rx.watchV21 {
			if e.rx.connected {
				// The page is over (see rxChunk): NO CARRIER, and the
				// next +FRH=3 picks up these flags.
				e.endData()
				e.hot, e.framedIdle = V21, true
			}
			return
		}
		e.rx.watchV21 = false
		if e.rx.adaptive {
			// +FAR=1: +FRH:3, CONNECT, and the frames follow.
			e.rx.mod, e.rx.connected = V21, true
			e.emit(Connect, V21)
			e.enter(StateRxHDLC)
			return
		}
		e.emit(FCError, 0)
		e.enter(StateIdle)
		e.hot, e.framedIdle = V21, true // the next +FRH=3 picks up these flags
	case StateRxHDLC:
		if e.rx.mod != V21 {
			e.hsEndedByV21()
			return
		}
		e.hdlcFraming(V21)
	case StateIdle:
		if e.hot != V21 && e.hot != 0 {
			e.hsEndedByV21()
			return
		}
		e.hdlcFraming(V21)
	}
}

// hsEndedByV21 ends high-speed HDLC reception on V.21 flags: the far end
// has gone back to T.30 signalling, whatever the high-speed receiver still
// believes (noise or the V.21 signal itself may hold its carrier detector
// up). It is reported as the carrier's end, and the V.21 receiver, which
// has framing, is kept for the next +FRH=3.
func (e *Engine) hsEndedByV21() {
	if e.state == StateRxHDLC {
		e.hsCarrier = false
		e.hsDec.Reset()
		e.hdlcCarrierDown(e.hsMod)
		if e.state == StateRxHDLC {
			// No CONNECT yet: nothing came at this modulation.
			e.emit(NoCarrier, 0)
			e.enter(StateIdle)
		}
		e.hot, e.framedIdle = V21, true
		return
	}
	// Idle: frames heard meanwhile stay for the next +FRH at the high
	// speed, followed by the carrier's end; after them the V.21 frames
	// are found in the history by +FRH=3. What the high-speed receiver
	// makes of the V.21 signal from now on is not frames.
	e.hsOver = true
	if e.hsCarrier {
		e.hsCarrier = false
		e.hsDec.Reset()
		e.hdlcCarrierDown(e.hsMod)
	}
}

// hsBit, hsStatus, hsFrame and hsFraming are the high-speed receiver's and
// its decoder's callbacks.
func (e *Engine) hsBit(bit int) {
	if e.hsHDLC {
		e.hsDec.PutBit(bit)
		return
	}
	if e.state != StateRxData || !e.rx.connected || e.rx.lossLeft > 0 {
		return
	}
	// T.31 §8.3.3: the first bit received is the low-order bit of a byte.
	e.rxByte |= byte(bit&1) << e.rxBits
	if e.rxBits++; e.rxBits == 8 {
		e.q.pushByte(e.rx.mod, e.at, e.rxByte)
		e.stats.DataIn++
		e.rxByte, e.rxBits = 0, 0
	}
}

func (e *Engine) hsStatus(s dsp.Status, _ int64) {
	switch s {
	case dsp.CarrierUp:
		e.hsCarrier = true
		if e.hsHDLC {
			e.frameSince = false
		}
	case dsp.CarrierDown:
		e.hsCarrier = false
		if e.hsHDLC {
			e.hsDec.Reset()
			e.hdlcCarrierDown(e.hsMod)
		} else if e.state == StateRxData && e.rx.connected && e.rx.lossLeft == 0 {
			if e.cfg.CarrierLossTimeout > 0 {
				// V.21 flags meanwhile make the loss final at once.
				e.rx.lossLeft = e.cfg.CarrierLossTimeout
			} else {
				e.endData()
			}
		}
	case dsp.TrainingFailed:
		e.stats.TrainingsFailed++
	case dsp.Trained:
		if e.hsHDLC || e.state != StateRxData {
			return
		}
		e.rxByte, e.rxBits = 0, 0
		if e.rx.lossLeft > 0 { // +FCL: the carrier came back in time
			e.rx.lossLeft = 0
			return
		}
		if !e.rx.connected {
			e.rx.connected, e.rx.watchV21 = true, false
			e.emit(Connect, e.rx.mod)
		}
	}
}

func (e *Engine) hsFrame(data []byte, ok bool) { e.gotFrame(e.hsMod, data, ok) }

func (e *Engine) hsFraming() { e.hdlcFraming(e.hsMod) }

// endData ends ReceiveData on carrier loss.
func (e *Engine) endData() {
	e.emit(NoCarrier, 0)
	e.enter(StateIdle)
}
