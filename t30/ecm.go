package t30

import (
	"fmt"

	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

// Error correction mode (T.30 Annex A, T.4 Annex A): the coded page is cut
// into frames of 64 or 256 octets, sent in blocks (partial pages) of at most
// 256 frames at the high-speed rate as HDLC FCD frames followed by RCP; the
// sender then asks with PPS which frames arrived, and the receiver answers
// MCF or PPR with a bitmap of the frames to send again.

const (
	maxBlockFrames = 256
	pprBeforeCTC   = 4 // T.30 §A.4.2: after the fourth PPR, CTC or EOR
	maxCTC         = 4 // CTCs per block before the sender gives up
)

// ecmTx is a sender's ECM state for the current page.
type ecmTx struct {
	data      []byte
	frameSize int
	block     int       // block number within the page
	first     int       // first frame of the block (index into the page)
	count     int       // frames in the block
	resend    [256]bool // frames of the block still to send
	ppr       int       // PPRs for this block
	ctc       int       // CTCs for this block
	pageCount int       // page counter for PPS
}

func (e *ecmTx) startPage(data []byte, frameSize int) {
	e.data, e.frameSize, e.block, e.first = data, frameSize, 0, 0
	e.setBlock()
}

func (e *ecmTx) frames() int {
	if e.frameSize <= 0 {
		return 0
	}
	return (len(e.data) + e.frameSize - 1) / e.frameSize
}

func (e *ecmTx) setBlock() {
	e.count = min(maxBlockFrames, e.frames()-e.first)
	for i := range e.resend {
		e.resend[i] = i < e.count
	}
	e.ppr, e.ctc = 0, 0
}

func (e *ecmTx) lastBlock() bool { return e.first+e.count >= e.frames() }

func (e *ecmTx) frameData(i int) []byte {
	off := (e.first + i) * e.frameSize
	return e.data[off:min(len(e.data), off+e.frameSize)]
}

// sendBlock sends the frames of the block still to send, three RCPs, and
// the PPS.
func (s *Session) sendBlock() {
	e := &s.ecm
	if e.count == 0 {
		s.failDCN(fmt.Errorf("%w: no ECM block to send", ErrProtocol))
		return
	}
	var frames [][]byte
	for i := 0; i < e.count; i++ {
		if !e.resend[i] {
			continue
		}
		d := e.frameData(i)
		f := make([]byte, 0, 4+len(d))
		f = append(f, 0xFF, 0x03, byte(FCFFCD), byte(i))
		frames = append(frames, append(f, d...))
	}
	for i := 0; i < 3; i++ {
		frames = append(frames, []byte{0xFF, 0x03, byte(FCFRCP)})
	}
	frames[len(frames)-1][1] = 0x13
	s.ops.push(op{kind: opSilence, n: 7})
	s.ops.push(op{kind: opTxFrames, mod: s.pageMod, frames: frames})
	fcf2 := FCFNull
	if e.lastBlock() {
		fcf2 = s.post
		if s.cfg.Caller {
			fcf2 |= 1
		}
	}
	pps := s.frame(FCFPPS, []byte{byte(fcf2), byte(s.result.Pages), byte(e.block), byte(e.count - 1)})
	s.lastCmd = []Frame{pps}
	s.queueFrames(modem.V21, s.lastCmd)
	s.state, s.next, s.deadline = stSending, stTxWaitResp, 0
	s.repeats = 0
	s.run()
}

// ecmResponse acts on the answer to PPS (or RR).
func (s *Session) ecmResponse(code FCF, info []byte) {
	e := &s.ecm
	if e.count == 0 {
		s.failDCN(fmt.Errorf("%w: %v with no block sent", ErrProtocol, code))
		return
	}
	switch code {
	case FCFMCF:
		s.t5End = 0
		s.progress(Progress{Kind: ProgressBlock, Detail: fmt.Sprintf("block %d, %d frames", e.block, e.count)})
		if !e.lastBlock() {
			e.first += e.count
			e.block++
			e.setBlock()
			s.sendBlock()
			return
		}
		s.pageConfirmed()
		switch s.post {
		case FCFEOP:
			s.transmit(stDone, s.frame(FCFDCN, nil))
		case FCFEOM:
			s.t1End = s.now + T1
			s.enter(stTxWaitDIS)
		default:
			if err := s.beginPage(); err != nil {
				s.failDCN(err)
				return
			}
			s.sendBlock()
		}
	case FCFPPR:
		s.t5End = 0
		if len(info) < 32 {
			s.transmit(stTxWaitResp, s.lastCmd...)
			return
		}
		n := 0
		for i := 0; i < e.count; i++ {
			e.resend[i] = info[i/8]&(1<<(i%8)) != 0
			if e.resend[i] {
				n++
			}
		}
		if n == 0 {
			// A PPR that asks for nothing: nothing to send but the PPS.
			s.transmit(stTxWaitResp, s.lastCmd...)
			return
		}
		e.ppr++
		s.progress(Progress{Kind: ProgressBlock, Detail: fmt.Sprintf("PPR: %d of %d frames again", n, e.count)})
		if e.ppr%pprBeforeCTC == 0 {
			e.ctc++
			if e.ctc > maxCTC {
				s.failDCN(fmt.Errorf("%w: block %d not through after %d CTC", ErrRejected, e.block, maxCTC))
				return
			}
			// Continue to correct, one modem slower if there is one.
			s.fallBack()
			s.result.Modulation = s.dcs.Modulation
			f := make(fif, 2)
			f.setField(bitRate, 4, dcsRateCodes[s.dcs.Modulation])
			s.progress(Progress{Kind: ProgressRetrain, Detail: "CTC: " + s.dcs.Modulation.String()})
			s.lastCmd = []Frame{s.frame(FCFCTC, f)}
			s.repeats = 0
			s.transmit(stTxWaitCTR, s.lastCmd...)
			return
		}
		s.sendBlock()
	case FCFRNR:
		// The receiver is busy: ask with RR until it is ready, for at most
		// T5 (T.30 §A.4.5).
		if s.t5End == 0 {
			s.t5End = s.now + T5
		}
		if s.now > s.t5End {
			s.failDCN(fmt.Errorf("%w: receiver not ready (T5)", ErrTimeout))
			return
		}
		s.transmit(stTxWaitResp, s.frame(FCFRR, nil))
	default:
		s.enter(stTxWaitResp)
	}
}

// ecmRx is a receiver's ECM state.
type ecmRx struct {
	frameSize int
	frames    [256][]byte
	got       [256]bool
	page      []byte
	lastPage  int // counters of the last confirmed PPS
	lastBlock int
	ppr       int // PPRs sent for the current block
	confirmed bool
}

// any reports whether a frame of a new block has arrived.
func (r *ecmRx) any() bool {
	for _, g := range r.got {
		if g {
			return true
		}
	}
	return false
}

func (r *ecmRx) clearBlock() {
	for i := range r.got {
		r.got[i] = false
		r.frames[i] = r.frames[i][:0]
	}
}

// ecmFrames stores the FCD frames of a block; RCP ends the block.
func (s *Session) ecmFrames() {
	for _, f := range s.set {
		switch f.FCF.Code() {
		case FCFFCD:
			if len(f.Info) < 1 || len(f.Info)-1 > s.rxECM.frameSize {
				continue
			}
			if s.cfg.dropECMFrame != nil && s.cfg.dropECMFrame() {
				continue
			}
			s.deadline = s.now + T2 // a block lasts as long as its frames keep coming
			n := f.Info[0]
			s.rxECM.frames[n] = append(s.rxECM.frames[n][:0], f.Info[1:]...)
			s.rxECM.got[n] = true
		case FCFRCP:
			s.abortOps()
			s.enter(stRxPostCmd)
			return
		}
	}
}

// ecmPPS answers a partial page signal: PPR with the missing frames, or
// MCF and, at the end of a page, the page to the sink.
func (s *Session) ecmPPS(info []byte) {
	if len(info) < 4 {
		s.transmit(s.state, s.frame(FCFCRP, nil))
		return
	}
	r := &s.rxECM
	if s.rnrSent < s.cfg.busy {
		// Not ready yet (T.30 §A.4.5): RNR, and the PPS is answered when
		// the sender asks again with RR.
		s.rnrSent++
		s.pendingPPS = append(s.pendingPPS[:0], info...)
		s.respond(stRxPostCmd, s.frame(FCFRNR, nil))
		return
	}
	s.pendingPPS = nil
	fcf2 := FCF(info[0]).Code()
	pageNo, block, count := int(info[1]), int(info[2]), int(info[3])+1
	if r.confirmed && pageNo == r.lastPage && block == r.lastBlock && !r.any() {
		// Our MCF was lost: the sender asks again.
		s.repeatResponse()
		return
	}
	var ppr [32]byte
	missing := 0
	for i := 0; i < count; i++ {
		if !r.got[i] {
			ppr[i/8] |= 1 << (i % 8)
			missing++
		}
	}
	if missing > 0 {
		s.log.Debug("t30 PPR", "missing", missing, "of", count)
		r.ppr++
		next := stRxECM
		if r.ppr%pprBeforeCTC == 0 {
			// After the fourth PPR the sender answers at V.21 with CTC
			// or EOR, not with frames (T.30 §A.4.2).
			next = stRxPostCmd
		}
		s.respond(next, s.frame(FCFPPR, ppr[:]))
		return
	}
	s.ecmBlockDone(fcf2, pageNo, block, count, FCFMCF)
}

// ecmBlockDone appends a confirmed block to the page and answers MCF.
func (s *Session) ecmBlockDone(fcf2 FCF, pageNo, block, count int, resp FCF) {
	r := &s.rxECM
	for i := 0; i < count; i++ {
		if r.got[i] {
			r.page = append(r.page, r.frames[i]...)
		}
	}
	// The block is confirmed: forget its frames at once, so that a
	// repeated PPS (our MCF lost) is recognised as a repeat wherever it
	// finds us, and never appends the block twice.
	r.clearBlock()
	r.confirmed, r.lastPage, r.lastBlock, r.ppr = true, pageNo, block, 0
	if fcf2 == FCFNull {
		s.respond(stRxECM, s.frame(resp, nil))
		return
	}
	data := r.page
	r.page = nil
	page, stats, err := t4.Decode(data, t4.DecodeOptions{
		Compression: s.result.Compression,
		Width:       s.dcs.Width.Pixels(),
		LSBFirst:    true,
	})
	if err != nil {
		s.failDCN(fmt.Errorf("t30: ECM page %d: %w", s.result.Pages+1, err))
		return
	}
	page.Res = s.result.Resolution
	if err := s.storePage(page, PageInfo{Compression: s.result.Compression, Rows: stats.Rows, BadRows: stats.BadRows, Bytes: len(data)}); err != nil {
		s.failDCN(err)
		return
	}
	s.afterPage(fcf2, resp)
}

// ecmEOR: the sender gives up correcting the block (T.30 §A.4.2); take what
// arrived and answer ERR.
func (s *Session) ecmEOR(info []byte) {
	if len(info) < 1 {
		s.transmit(s.state, s.frame(FCFCRP, nil))
		return
	}
	fcf2 := FCF(info[0]).Code()
	count := 0
	for i := range s.rxECM.got {
		if s.rxECM.got[i] {
			count = i + 1
		}
	}
	s.ecmBlockDone(fcf2, -1, -1, count, FCFERR)
}

// ecmCTC: continue to correct at the rate given in the FIF's bits 11-14,
// with a long training (T.30 §A.4.2).
func (s *Session) ecmCTC(info []byte) {
	code := fif(info).field(bitRate, 4)
	for m, c := range dcsRateCodes {
		if c == code {
			s.dcs.Modulation = m
		}
	}
	s.pageMod = s.dcs.Modulation
	s.result.Modulation = s.dcs.Modulation
	s.respond(stRxECM, s.frame(FCFCTR, nil))
}
