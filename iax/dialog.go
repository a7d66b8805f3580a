package iax

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

type dialogKind uint8

const (
	kindCall dialogKind = iota + 1
	kindRegClient
	kindRegServer
	kindPoke
)

// ErrTimeout ends a dialog whose full frame was not acknowledged after the
// retransmission limit.
var ErrTimeout = errors.New("iax: peer stopped acknowledging (retransmission limit)")

// ErrInvalidated ends a dialog the far end says it does not know (INVAL).
var ErrInvalidated = errors.New("iax: peer invalidated the call")

// ErrPeerRestarted ends a dialog whose far end opened a new call with the
// same call number: it restarted and forgot the old one.
var ErrPeerRestarted = errors.New("iax: peer restarted (call number reused)")

// pending is a sent, sequenced full frame waiting for its acknowledgement.
type pending struct {
	oseq     uint8
	buf      []byte
	sent     time.Time // last sent
	next     time.Time // next timer retransmission
	interval time.Duration
	tries    int
}

// dialog is the transport state shared by calls, registrations and pokes:
// call numbers, sequence numbers and the retransmission queue (RFC 5456
// section 7). Its fields are guarded by mu.
type dialog struct {
	e      *Endpoint
	kind   dialogKind
	local  uint16
	remote uint16 // written under both mu and e.mu
	peer   netip.AddrPort
	start  time.Time

	// inbound: the far end opened this dialog with a NEW (or REGREQ,
	// POKE) whose timestamp was openTs.
	inbound bool
	openTs  uint32

	oseq    uint8 // next sequence number we send
	iseq    uint8 // next sequence number we expect
	lastTs  uint32
	unacked []*pending

	// first is the dialog-opening frame, kept to resend it with a
	// CALLTOKEN when the far end demands one.
	first *FullFrame
	// remoteIsApathetic: the far end answered from call number 1 (a
	// CALLTOKEN or an apathetic REJECT), so its call number is not yet known.
	remoteIsApathetic bool

	ended     bool      // no more traffic from the application
	lingerEnd time.Time // when an ended dialog is forgotten
	removed   bool

	call *Call
	reg  *regTxn // registration client transaction
	srv  *regServerTxn

	mu sync.Mutex
}

func newDialog(e *Endpoint, local uint16, peer netip.AddrPort, kind dialogKind) *dialog {
	return &dialog{e: e, kind: kind, local: local, peer: peer, start: time.Now()}
}

// nowTs is the timestamp for a non-voice frame sent now: ms since the
// dialog started, kept strictly increasing as Asterisk expects.
func (d *dialog) nowTs() uint32 {
	ts := uint32(time.Since(d.start) / time.Millisecond)
	if ts <= d.lastTs && d.lastTs != 0 {
		ts = d.lastTs + 1
	}
	if ts == 0 {
		ts = 1
	}
	d.lastTs = ts
	return ts
}

// sendFull fills in the dialog's numbers, sends f and, when it is
// sequenced, keeps it for retransmission until acknowledged.
func (d *dialog) sendFull(f *FullFrame) {
	f.SrcCall = d.local
	f.DstCall = d.remote
	if d.remoteIsApathetic {
		f.DstCall = 0
	}
	if f.Timestamp == 0 {
		f.Timestamp = d.nowTs()
	}
	f.ISeq = d.iseq
	f.OSeq = d.oseq
	seq := f.sequenced()
	if seq {
		d.oseq++
	}
	b, err := f.Marshal()
	if err != nil {
		d.e.log.Error("iax marshal", "frame", f.Name(), "err", err)
		return
	}
	d.e.send(b, d.peer)
	if seq {
		iv := d.e.cfg.RetryInitial
		now := time.Now()
		d.unacked = append(d.unacked, &pending{oseq: f.OSeq, buf: b, sent: now, next: now.Add(iv), interval: iv})
	}
}

// sendCmd sends a sequenced IAX command with IEs.
func (d *dialog) sendCmd(cmd uint32, ies IEs) {
	d.sendFull(&FullFrame{Type: TypeIAX, Subclass: cmd, IEs: ies})
}

// sendAck acknowledges f, echoing its timestamp (RFC 5456 section 6.9.1).
func (d *dialog) sendAck(f *FullFrame) {
	a := FullFrame{SrcCall: d.local, DstCall: f.SrcCall, Timestamp: f.Timestamp,
		OSeq: d.oseq, ISeq: d.iseq, Type: TypeIAX, Subclass: CmdAck}
	b, err := a.Marshal()
	if err == nil {
		d.e.send(b, d.peer)
	}
}

func (d *dialog) sendPong(ts uint32) {
	var ies IEs
	var st JitterStats
	if d.call != nil && d.call.jb != nil {
		st = d.call.jb.Stats()
	}
	ies.AddUint32(IERRJitter, 0)
	lossPct := uint32(0)
	if total := st.Played + st.Lost; total > 0 {
		lossPct = uint32(st.Lost * 100 / total)
	}
	ies.AddUint32(IERRLoss, lossPct<<24|uint32(st.Lost)&0xffffff)
	ies.AddUint32(IERRPkts, uint32(st.Received))
	ies.AddUint16(IERRDelay, uint16(d.e.cfg.JitterDelay*20))
	ies.AddUint32(IERRDropped, uint32(st.Late+st.Overflow))
	ies.AddUint32(IERROOO, uint32(st.Reordered))
	d.sendFull(&FullFrame{Type: TypeIAX, Subclass: CmdPong, Timestamp: ts, IEs: ies})
}

// seqBefore reports a < b in 8-bit sequence arithmetic.
func seqBefore(a, b uint8) bool { return int8(a-b) < 0 }

// ackUpTo drops every unacknowledged frame with a sequence number before
// iseq: the far end's iseqno acknowledges all of them (implicit ACK).
func (d *dialog) ackUpTo(iseq uint8) {
	// Ignore an iseq that claims frames we have not sent.
	if seqBefore(d.oseq, iseq) {
		return
	}
	i := 0
	for i < len(d.unacked) && seqBefore(d.unacked[i].oseq, iseq) {
		i++
	}
	if i > 0 {
		n := copy(d.unacked, d.unacked[i:])
		clear(d.unacked[n:])
		d.unacked = d.unacked[:n]
	}
}

// retransmitFrom resends every unacknowledged frame from seq on (VNAK).
// A burst of out-of-order arrivals makes the far end send one VNAK per
// frame; frames resent in the last vnakHoldoff are not sent again, and
// VNAK resends do not count toward the retransmission limit.
func (d *dialog) retransmitFrom(seq uint8) {
	now := time.Now()
	for _, p := range d.unacked {
		if !seqBefore(p.oseq, seq) && now.Sub(p.sent) >= vnakHoldoff {
			d.resend(p, now, false)
		}
	}
}

// vnakHoldoff is the least time between two sends of a frame on VNAK.
const vnakHoldoff = 20 * time.Millisecond

// resend sends p again with the R bit and our current iseq. A timer
// retransmission (counted) backs off; a VNAK one keeps the schedule.
func (d *dialog) resend(p *pending, now time.Time, counted bool) {
	p.buf[2] |= 0x80 // R bit
	p.buf[9] = d.iseq
	d.e.send(p.buf, d.peer)
	d.e.stats.retransmitted.Add(1)
	p.sent = now
	if counted {
		p.tries++
		p.interval = min(2*p.interval, d.e.cfg.RetryMax)
		p.next = now.Add(p.interval)
	}
}

// handleFull runs the reliability rules on a full frame for this dialog and
// hands in-order frames to the dialog's owner.
func (d *dialog) handleFull(f *FullFrame) {
	if d.remote == 0 && f.SrcCall != 0 && !f.IsCmd(CmdCallToken) {
		d.e.setRemote(d, f.SrcCall)
		d.remoteIsApathetic = false
	}
	d.ackUpTo(f.ISeq)
	if f.Type == TypeIAX {
		switch f.Subclass {
		case CmdAck:
			d.afterAck()
			return
		case CmdVNAK:
			d.retransmitFrom(f.ISeq)
			return
		case CmdInval:
			d.fail(ErrInvalidated)
			return
		case CmdTxCnt, CmdTxAcc:
			return
		case CmdCallToken:
			d.resendWithToken(f)
			return
		}
	}
	switch {
	case f.OSeq == d.iseq:
		d.iseq++
	case seqBefore(f.OSeq, d.iseq):
		// Already delivered: our ACK was lost. ACK again, deliver nothing.
		d.e.stats.duplicates.Add(1)
		d.sendAck(f)
		return
	default:
		// A gap: ask for everything from the first missing frame.
		d.e.stats.outOfOrder.Add(1)
		v := FullFrame{SrcCall: d.local, DstCall: f.SrcCall, Timestamp: f.Timestamp,
			OSeq: d.oseq, ISeq: d.iseq, Type: TypeIAX, Subclass: CmdVNAK}
		if b, err := v.Marshal(); err == nil {
			d.e.send(b, d.peer)
		}
		return
	}
	d.sendAck(f)
	if d.ended {
		return // lingering: acknowledge, act on nothing
	}
	// The owner is attached just after the dialog is published, so a
	// (hostile) frame may find it missing.
	switch {
	case d.call != nil:
		d.call.handleFull(f)
	case d.reg != nil:
		d.reg.handle(d, f)
	case d.srv != nil:
		d.srv.handle(d, f)
	}
}

// staleFor reports whether a NEW (no destination call number) that
// matches this dialog's far-end address and call number opens a new call
// rather than repeating the NEW that opened this one. A retransmission
// repeats the first frame exactly (sequence 0, same timestamp) with the R
// bit set (RFC 5456 section 8.1.2), and may arrive late, after the dialog
// moved on. So a NEW is a restarted far end's new call when it carries
// another timestamp, when this dialog is one we opened, or when it is no
// retransmission (R bit clear) yet the dialog is past its first frame.
func (d *dialog) staleFor(f *FullFrame) bool {
	switch {
	case f.OSeq != 0:
		return false // not a first frame: the sequence rules handle it
	case !d.inbound:
		return true
	case f.Timestamp != d.openTs:
		return true
	case !f.Retransmit && d.iseq > 1:
		return true
	}
	return false
}

// afterAck lets a dialog that only waits for its last frame to be
// acknowledged finish early.
func (d *dialog) afterAck() {}

// resendWithToken answers a CALLTOKEN: the dialog-opening frame goes out
// again, now carrying the token, as the first frame of a fresh sequence.
func (d *dialog) resendWithToken(f *FullFrame) {
	if d.first == nil || d.iseq != 0 {
		return // only valid before the far end accepted anything
	}
	tok, _ := f.IEs.Get(IECallToken)
	if len(tok) == 0 {
		return
	}
	nf := *d.first
	nf.IEs = nil
	for _, ie := range d.first.IEs {
		if ie.Type != IECallToken {
			nf.IEs = append(nf.IEs, ie)
		}
	}
	nf.IEs.AddBytes(IECallToken, append([]byte(nil), tok...))
	d.first = nil
	d.unacked = d.unacked[:0]
	d.oseq, d.iseq = 0, 0
	d.remoteIsApathetic = true
	d.sendFull(&nf)
}

// fail tears the dialog down because of a transport error.
func (d *dialog) fail(err error) {
	switch {
	case d.call != nil:
		d.call.endLocked(err, CauseRecoveryOnTimer)
	case d.reg != nil:
		d.reg.done(d, err)
	}
	d.endLocked(err)
	d.unacked = d.unacked[:0]
	d.lingerEnd = time.Now() // forget at once
}

// endLocked marks the dialog finished; it lingers to re-ACK retransmissions
// and to deliver its own last frames.
func (d *dialog) endLocked(error) {
	if !d.ended {
		d.ended = true
		d.lingerEnd = time.Now().Add(d.e.cfg.Linger)
	}
}

// tick runs the dialog's timers; it returns true when the dialog should be
// forgotten.
func (d *dialog) tick(now time.Time) bool {
	if d.removed {
		return true
	}
	for _, p := range d.unacked {
		if now.Before(p.next) {
			continue
		}
		if p.tries >= d.e.cfg.RetryLimit {
			d.e.stats.timedOut.Add(1)
			d.e.log.Debug("iax dialog timed out", "local", d.local, "peer", d.peer, "oseq", p.oseq)
			if d.kind == kindCall && !d.ended {
				// Tell the far end, best effort, before forgetting.
				h := FullFrame{SrcCall: d.local, DstCall: d.remote, Timestamp: d.nowTs(),
					OSeq: d.oseq, ISeq: d.iseq, Type: TypeIAX, Subclass: CmdHangup}
				h.IEs.AddString(IECause, CauseRecoveryOnTimer.Text())
				h.IEs.AddUint8(IECauseCode, uint8(CauseRecoveryOnTimer))
				if b, err := h.Marshal(); err == nil {
					d.e.send(b, d.peer)
				}
			}
			d.fail(ErrTimeout)
			break
		}
		d.resend(p, now, true)
	}
	if d.ended {
		if now.After(d.lingerEnd) && len(d.unacked) == 0 {
			d.removed = true
			return true
		}
		return false
	}
	if d.call != nil {
		d.call.tick(now)
	}
	return false
}

func (d *dialog) String() string {
	return fmt.Sprintf("dialog %d/%d %s", d.local, d.remote, d.peer)
}
