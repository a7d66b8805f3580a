package t30

import (
	"fmt"

	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

// senderEvent is the sending terminal's part of the state machine.
func (s *Session) senderEvent(ev event) {
	if ev == evFrames {
		s.senderResponse()
		return
	}
	if ev != evTimeout && ev != evBadFrame {
		return
	}
	switch s.state {
	case stTxWaitDIS:
		switch {
		case ev == evBadFrame:
			s.enter(stTxWaitDIS)
		case !s.cfg.Caller && s.now < s.t1End && s.lastResp != nil:
			s.transmit(stTxWaitDIS, s.lastResp...)
		default:
			s.fail(fmt.Errorf("%w: no DIS (T1)", ErrTimeout))
		}
	case stTxWaitCFR:
		if s.repeats++; s.repeats >= maxRepeats {
			s.failDCN(fmt.Errorf("%w: no answer to DCS", ErrTimeout))
			return
		}
		s.sendDCS()
	case stTxWaitResp, stTxWaitCTR:
		if s.repeats++; s.repeats >= maxRepeats {
			s.failDCN(fmt.Errorf("%w: no answer to %v", ErrTimeout, s.lastCmd[len(s.lastCmd)-1].FCF))
			return
		}
		s.transmit(s.state, s.lastCmd...)
	}
}

// senderResponse acts on a response set heard at V.21.
func (s *Session) senderResponse() {
	set := s.set
	s.identify(set)
	resp := command(set)
	code := resp.FCF.Code()
	if code == FCFDCN {
		s.fail(ErrDisconnected)
		return
	}
	switch s.state {
	case stTxWaitDIS:
		want := FCFDIS
		if !s.cfg.Caller {
			want = FCFDTC
		}
		if code != want {
			s.enter(stTxWaitDIS)
			return
		}
		if err := s.remoteDIS.Unmarshal(resp.Info); err != nil {
			s.failDCN(err)
			return
		}
		if !s.remoteDIS.CanReceive {
			s.failDCN(fmt.Errorf("%w: the far terminal cannot receive", ErrIncompatible))
			return
		}
		if err := s.negotiate(); err != nil {
			s.failDCN(err)
			return
		}
		s.repeats = 0
		s.sendDCS()
	case stTxWaitCFR:
		switch code {
		case FCFCFR:
			s.repeats = 0
			s.progress(Progress{Kind: ProgressTrained, Detail: s.dcs.Modulation.String()})
			s.sendPage()
		case FCFFTT:
			s.repeats = 0
			if !s.fallBack() {
				s.failDCN(ErrTraining)
				return
			}
			s.progress(Progress{Kind: ProgressRetrain, Detail: "FTT: " + s.dcs.Modulation.String()})
			s.sendDCS()
		case FCFDIS, FCFDTC, FCFCRP:
			// Our DCS was not heard (T.30 §5.3.2.4: repeat it).
			if s.repeats++; s.repeats >= maxRepeats {
				s.failDCN(fmt.Errorf("%w: DCS not acknowledged", ErrProtocol))
				return
			}
			s.sendDCS()
		default:
			s.enter(stTxWaitCFR)
		}
	case stTxWaitResp:
		s.postResponse(code, resp.Info)
	case stTxWaitCTR:
		switch code {
		case FCFCTR:
			s.repeats = 0
			s.ecm.ppr = 0
			s.pageMod = s.dcs.Modulation // long train after CTC (T.30 §A.4.2)
			s.sendBlock()
		case FCFCRP:
			s.transmit(stTxWaitCTR, s.lastCmd...)
		default:
			s.enter(stTxWaitCTR)
		}
	}
}

// negotiate picks the modems and the coding from the far DIS (or DTC).
func (s *Session) negotiate() error {
	r := s.remoteDIS
	s.mods = s.mods[:0]
	for _, m := range Fallback {
		if s.allowsMod(m) && r.Modems.Has(m) {
			s.mods = append(s.mods, m)
		}
	}
	if len(s.mods) == 0 {
		return fmt.Errorf("%w: no common modem", ErrIncompatible)
	}
	s.modIdx = 0
	s.dcs = DCS{Modulation: s.mods[0], ECM: s.cfg.ECM && r.ECM}
	s.dcs.Frame64 = s.dcs.ECM && s.cfg.Frame64
	switch {
	case s.dcs.ECM && r.MMR && s.allows(t4.MMR):
		s.dcs.MMR = true
	case r.MR && s.allows(t4.MR):
		s.dcs.MR = true
	case !s.allows(t4.MH):
		return fmt.Errorf("%w: no common coding", ErrIncompatible)
	}
	s.dcs.Length = LengthA4
	if r.Length == LengthUnlimited {
		s.dcs.Length = LengthUnlimited
	}
	if !s.dcs.ECM {
		s.dcs.ScanTime = r.ScanTime
	}
	s.result.ECM = s.dcs.ECM
	s.result.Compression = compressionOf(s.dcs)
	return s.beginPage()
}

func compressionOf(d DCS) t4.Compression {
	switch {
	case d.MMR:
		return t4.MMR
	case d.MR:
		return t4.MR
	}
	return t4.MH
}

// fallBack moves to the next slower modem (T.30 §5.3.2.2 after FTT).
func (s *Session) fallBack() bool {
	if s.modIdx+1 >= len(s.mods) {
		return false
	}
	s.modIdx++
	s.dcs.Modulation = s.mods[s.modIdx]
	return true
}

// pageParams fits page p to the far terminal: its resolution (converting
// finer pages) and its width.
func (s *Session) pageParams(p *t4.Page) (*t4.Page, error) {
	r := s.remoteDIS
	want := t4.Standard
	switch {
	case p.Res.Y > t4.Fine.Y*1.5 && r.Superfine:
		want = t4.Superfine
	case p.Res.Y > t4.Standard.Y*1.5 && r.Fine:
		want = t4.Fine
	}
	q, err := convertPage(p, want)
	if err != nil {
		return nil, err
	}
	w, ok := WidthOf(q.Width)
	if !ok || w > r.Width {
		return nil, fmt.Errorf("%w: page width %d pixels, the far terminal takes %v", ErrIncompatible, q.Width, r.Width)
	}
	return q, nil
}

// beginPage takes the next page from the source, fits it, codes it, and
// chooses its post-message command: EOP after the last page, EOM when the
// page after it needs another DCS (another resolution or width), else MPS.
func (s *Session) beginPage() error {
	if s.nextPage == nil {
		return fmt.Errorf("%w: a page confirmed twice", ErrProtocol)
	}
	p, err := s.pageParams(s.nextPage)
	if err != nil {
		return err
	}
	if err := s.prefetch(); err != nil {
		return err
	}
	s.page = p
	s.dcs.Fine = p.Res.Y > t4.Standard.Y*1.5 && p.Res.Y < t4.Fine.Y*1.5
	s.dcs.Superfine = p.Res.Y > t4.Fine.Y*1.5
	s.dcs.Width, _ = WidthOf(p.Width)
	s.result.Resolution = p.Res
	s.post = FCFEOP
	if s.nextPage != nil {
		s.post = FCFMPS
		q, err := s.pageParams(s.nextPage)
		if err != nil {
			return err
		}
		if q.Res != p.Res || q.Width != p.Width {
			s.post = FCFEOM
		}
	}
	return s.codePage()
}

// codePage codes s.page for the current DCS: RTC at the end; without ECM,
// rows padded to the minimum scan line time.
func (s *Session) codePage() error {
	if s.page == nil {
		return fmt.Errorf("%w: no page to send", ErrProtocol)
	}
	opt := t4.EncodeOptions{Compression: compressionOf(s.dcs), RTC: true, LSBFirst: true, K: 2}
	if s.dcs.Fine {
		opt.K = 4
	}
	if s.dcs.Superfine {
		opt.K = 8
	}
	if !s.dcs.ECM {
		ms := int(s.remoteDIS.ScanTime)
		if (s.dcs.Fine || s.dcs.Superfine) && s.remoteDIS.ScanTimeHalfFine {
			ms /= 2
		}
		opt.MinRowBits = s.dcs.Modulation.BitRate() * ms / 1000
	}
	coded, err := t4.AppendEncode(s.coded[:0], s.page, opt)
	if err != nil {
		return fmt.Errorf("t30: coding page: %w", err)
	}
	s.coded = coded
	if s.dcs.ECM {
		s.ecm.startPage(coded, s.dcs.FrameSize())
	}
	return nil
}

// sendDCS sends the identification and DCS, then TCF: 1.5 s of zeros with
// the long training (T.30 §5.3.6.1.3).
func (s *Session) sendDCS() {
	var frames []Frame
	if s.cfg.LocalID != "" {
		frames = append(frames, s.frame(FCFTSI, MarshalID(s.cfg.LocalID)))
	}
	s.dcs.SubAddress = s.cfg.SubAddress != "" && s.remoteDIS.Subaddressing
	s.dcs.SenderID = s.cfg.SenderID != "" && s.remoteDIS.Password
	if s.dcs.SubAddress {
		frames = append(frames, s.frame(FCFSUB, MarshalID(s.cfg.SubAddress)))
	}
	if s.dcs.SenderID {
		frames = append(frames, s.frame(FCFSID, MarshalID(s.cfg.SenderID)))
	}
	info, err := s.dcs.Marshal()
	if err != nil {
		s.failDCN(err)
		return
	}
	frames = append(frames, s.frame(FCFDCS, info))
	s.result.Modulation = s.dcs.Modulation
	s.pageMod = shortTrain(s.dcs.Modulation)
	s.progress(Progress{Kind: ProgressNegotiated, Detail: fmt.Sprintf("%v %v %v ECM=%v", s.dcs.Modulation, compressionOf(s.dcs), s.dcs.Width, s.dcs.ECM)})
	s.lastCmd = frames
	s.queueFrames(modem.V21, frames)
	s.ops.push(op{kind: opSilence, n: 7})
	s.ops.push(op{kind: opTxData, mod: s.dcs.Modulation, data: make([]byte, s.dcs.Modulation.BitRate()*3/2/8)})
	s.state, s.next, s.deadline = stSending, stTxWaitCFR, 0
	s.run()
}

// sendPage sends the current page (non-ECM: the coded rows, then the
// post-message command) or its first ECM block.
func (s *Session) sendPage() {
	if s.dcs.ECM {
		s.sendBlock()
		return
	}
	s.ops.push(op{kind: opSilence, n: 7})
	s.ops.push(op{kind: opTxData, mod: s.pageMod, data: s.coded})
	cmd := []Frame{s.frame(s.post, nil)}
	s.lastCmd = cmd
	s.queueFrames(modem.V21, cmd)
	s.state, s.next, s.deadline = stSending, stTxWaitResp, 0
	s.repeats = 0
	s.run()
}

// postResponse acts on the answer to MPS/EOM/EOP, PPS, RR or CTC.
func (s *Session) postResponse(code FCF, info []byte) {
	if code == FCFCRP {
		s.transmit(stTxWaitResp, s.lastCmd...)
		return
	}
	if s.dcs.ECM {
		s.ecmResponse(code, info)
		return
	}
	switch code {
	case FCFMCF, FCFRTP, FCFPIP:
		s.pageConfirmed()
		if s.post == FCFEOP {
			s.transmit(stDone, s.frame(FCFDCN, nil))
			return
		}
		if s.post == FCFEOM {
			s.t1End = s.now + T1
			s.enter(stTxWaitDIS)
			return
		}
		if err := s.beginPage(); err != nil {
			s.failDCN(err)
			return
		}
		if code == FCFRTP {
			s.sendDCS()
			return
		}
		s.sendPage()
	case FCFRTN, FCFPIN:
		// The page was bad: retrain, one modem slower when there is one,
		// and send it again (T.30 §5.3.2.4 lets the sender choose).
		s.rtn++
		if s.rtn > maxRepeats {
			s.failDCN(fmt.Errorf("%w: RTN %d times", ErrRejected, s.rtn))
			return
		}
		s.fallBack()
		if err := s.codePage(); err != nil {
			s.failDCN(err)
			return
		}
		s.progress(Progress{Kind: ProgressRetrain, Detail: "RTN: " + s.dcs.Modulation.String()})
		s.sendDCS()
	default:
		s.enter(stTxWaitResp)
	}
}

func (s *Session) pageConfirmed() {
	s.result.Pages++
	s.rtn = 0
	s.progress(Progress{Kind: ProgressPage})
}
