package t30

import (
	"fmt"

	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

// receiverEvent is the receiving terminal's part of the state machine.
func (s *Session) receiverEvent(ev event) {
	switch ev {
	case evFrames:
		if s.state == stRxECM {
			s.ecmFrames()
			return
		}
		s.receiverCmd()
		return
	case evBadFrame:
		if s.state == stRxPollDIS {
			s.enter(stRxPollDIS)
			return
		}
		// T.30 §5.3.6.1.7 (CRP): ask for the command again.
		s.transmit(s.stateAfterCRP(), s.frame(FCFCRP, nil))
		return
	}
	switch s.state {
	case stRxPollDIS:
		if ev == evTimeout {
			s.fail(fmt.Errorf("%w: no DIS to poll (T1)", ErrTimeout))
		}
	case stRxWaitCmd:
		if ev == evTimeout {
			s.repeats++
			switch {
			case s.result.Modulation == 0 && !s.cfg.Caller && s.now < T1:
				// Phase B: DIS again until T1 (T.30 §5.3.2.2).
				s.transmit(stRxWaitCmd, s.lastResp...)
			case s.repeats < maxRepeats && s.lastResp != nil:
				s.transmit(stRxWaitCmd, s.lastResp...)
			default:
				s.failDCN(fmt.Errorf("%w: waiting for a command", ErrTimeout))
			}
		}
	case stRxTCF:
		switch ev {
		case evTrained:
			s.trained = true
			s.deadline = s.now + tcfTimeout
		case evCarrierDown:
			s.checkTCF()
		case evTimeout:
			if s.trained {
				s.checkTCF() // judge what arrived (a noisy line may never drop the carrier)
				return
			}
			s.progress(Progress{Kind: ProgressRetrain, Detail: "FTT: no training"})
			s.respond(stRxWaitCmd, s.frame(FCFFTT, nil))
		}
	case stRxPage:
		switch ev {
		case evTrained:
			if s.dec != nil {
				return // trained again within the page: the data carries on
			}
			// The receiver's first octets after training may carry ones
			// that are not image data, and noise may have hit the page's
			// first EOL: the decoder skips to the first EOL and counts
			// what it skipped, if anything but that, as a lost row.
			dec, err := t4.NewDecoder(t4.DecodeOptions{
				Compression: s.result.Compression,
				Width:       s.dcs.Width.Pixels(),
				LSBFirst:    true,
				LeadingEOL:  true,
			})
			if err != nil {
				s.failDCN(err)
				return
			}
			s.trained, s.dec, s.goodRows = true, dec, 0
			// A page takes as long as it takes; carrier loss or RTC ends
			// it, and so does a stall (see pageStall).
			s.deadline = s.now + pageStall
		case evCarrierDown:
			s.enter(stRxPostCmd)
		case evTimeout:
			if s.trained {
				// "Data" without a good row for pageStall: the receiver is
				// demodulating line noise after the page (RTC lost).
				s.log.Info("t30 page data stalled", "rows", s.dec.Stats().Rows)
				s.enter(stRxPostCmd)
				return
			}
			s.failDCN(fmt.Errorf("%w: waiting for page data (T2)", ErrTimeout))
		}
	case stRxECM:
		if ev == evTimeout || ev == evCarrierDown {
			// The block is lost or over; the PPS says what to ask for.
			s.enter(stRxPostCmd)
		}
	case stRxPostCmd:
		if ev == evTimeout {
			s.failDCN(fmt.Errorf("%w: waiting for a post-message command (T2)", ErrTimeout))
		}
	case stRxWaitDCN:
		if ev == evTimeout {
			// EOP was confirmed: the document is complete (T.30 §5.3.2.5).
			s.finish()
		}
	}
}

// stateAfterCRP is where a receiver listens after asking for a repeat.
func (s *Session) stateAfterCRP() state {
	if s.state == stRxTCF || s.state == stRxPage {
		return stRxWaitCmd
	}
	return s.state
}

// respond sends a response and remembers it for a repeated command.
func (s *Session) respond(next state, frames ...Frame) {
	s.lastResp = frames
	s.lastNext = next
	s.transmit(next, frames...)
}

// receiverCmd acts on a command set heard at V.21.
func (s *Session) receiverCmd() {
	set := s.set
	s.identify(set)
	cmd := command(set)
	switch cmd.FCF.Code() {
	case FCFDIS:
		if s.state == stRxPollDIS {
			if err := s.remoteDIS.Unmarshal(cmd.Info); err != nil {
				s.failDCN(err)
				return
			}
			if !s.remoteDIS.ReadyToTransmit {
				s.failDCN(fmt.Errorf("%w: the called terminal has nothing to poll", ErrIncompatible))
				return
			}
			frames, err := s.disFrames(FCFCIG, FCFDTC, false)
			if err != nil {
				s.failDCN(err)
				return
			}
			s.respond(stRxWaitCmd, frames...)
			return
		}
		// Our own DIS echoed, or a far end answering too: keep waiting.
		s.enter(s.state)
	case FCFDCS:
		s.trained = false
		var d DCS
		if err := d.Unmarshal(cmd.Info); err != nil {
			s.log.Info("t30 bad DCS", "err", err)
			s.respond(stRxWaitCmd, s.frame(FCFFTT, nil))
			return
		}
		if err := s.acceptDCS(d); err != nil {
			s.failDCN(err)
			return
		}
		s.enter(stRxTCF)
	case FCFDCN:
		if s.pageDone {
			s.finish()
			return
		}
		s.fail(ErrDisconnected)
	case FCFRR:
		if s.pendingPPS != nil {
			s.ecmPPS(s.pendingPPS)
			return
		}
		s.repeatResponse()
	case FCFCRP:
		if s.lastResp == nil {
			s.enter(s.state)
			return
		}
		s.transmit(s.lastNext, s.lastResp...)
	case FCFMPS, FCFEOM, FCFEOP, FCFPRIMPS, FCFPRIEOM, FCFPRIEOP:
		if s.result.ECM {
			// In ECM a post-message command comes inside PPS; a bare one
			// repeats a command we have already answered.
			s.repeatResponse()
			return
		}
		s.postPage(cmd.FCF.Code())
	case FCFPPS:
		s.ecmPPS(cmd.Info)
	case FCFEOR:
		s.ecmEOR(cmd.Info)
	case FCFCTC:
		s.ecmCTC(cmd.Info)
	default:
		s.enter(s.state)
	}
}

func (s *Session) repeatResponse() {
	if s.lastResp == nil {
		s.enter(s.state)
		return
	}
	s.transmit(s.lastNext, s.lastResp...)
}

// acceptDCS checks a DCS against what we offered and sets up phase C.
func (s *Session) acceptDCS(d DCS) error {
	local := s.localDIS()
	switch {
	case !local.Modems.Has(d.Modulation):
		return fmt.Errorf("%w: DCS asks for %v", ErrIncompatible, d.Modulation)
	case d.ECM && !local.ECM, d.MMR && !local.MMR, d.MR && !local.MR:
		return fmt.Errorf("%w: DCS asks for a coding we did not offer", ErrIncompatible)
	case d.Width > local.Width:
		return fmt.Errorf("%w: DCS asks for width %v", ErrIncompatible, d.Width)
	}
	s.dcs = d
	s.pageMod = shortTrain(d.Modulation)
	s.result.Modulation = d.Modulation
	s.result.ECM = d.ECM
	switch {
	case d.MMR:
		s.result.Compression = t4.MMR
	case d.MR:
		s.result.Compression = t4.MR
	default:
		s.result.Compression = t4.MH
	}
	switch {
	case d.Superfine:
		s.result.Resolution = t4.Superfine
	case d.Fine:
		s.result.Resolution = t4.Fine
	default:
		s.result.Resolution = t4.Standard
	}
	s.rxECM.frameSize = d.FrameSize()
	s.progress(Progress{Kind: ProgressNegotiated, Detail: fmt.Sprintf("%v %v %v ECM=%v", d.Modulation, s.result.Compression, d.Width, d.ECM)})
	return nil
}

// rxData takes high-speed data: TCF or a page.
func (s *Session) rxData(p []byte) {
	switch s.state {
	case stRxTCF:
		for _, b := range p {
			s.tcfLen++
			if b == 0 {
				s.tcfZeros++
				if s.tcfZeros > s.tcfRun {
					s.tcfRun = s.tcfZeros
				}
			} else {
				s.tcfZeros = 0
			}
		}
		// Judge once the whole TCF is in: on a noisy line the receiver may
		// hear "carrier" in the noise long after the sender has stopped.
		if s.tcfLen >= s.dcs.Modulation.BitRate()*3/2/8 {
			s.abortOps()
			s.checkTCF()
		}
	case stRxPage:
		if s.dec == nil {
			return
		}
		if s.cfg.pageData != nil {
			p = s.cfg.pageData(s.result.Pages+1, p)
		}
		s.dec.Write(p)
		if st := s.dec.Stats(); st.Rows-st.BadRows > s.goodRows {
			s.goodRows = st.Rows - st.BadRows
			s.deadline = s.now + pageStall
		}
		if s.dec.Done() {
			// RTC: the page is complete (T.4 §4.1.4), whether or not the
			// carrier is heard to end.
			s.abortOps()
			s.enter(stRxPostCmd)
		}
	}
}

// checkTCF judges the training check (T.30 §5.3.6.1.3: 1.5 s of zeros):
// a run of zeros of at least 1 s is good enough, as a receiver may lose the
// first and last octets to training and carrier end.
func (s *Session) checkTCF() {
	want := s.dcs.Modulation.BitRate() / 8 // octets per second
	ok := s.tcfRun >= want
	s.log.Debug("t30 TCF", "octets", s.tcfLen, "zero run", s.tcfRun, "want", want, "ok", ok)
	if !ok {
		s.progress(Progress{Kind: ProgressRetrain, Detail: fmt.Sprintf("FTT: TCF zero run %d of %d octets", s.tcfRun, want)})
		s.respond(stRxWaitCmd, s.frame(FCFFTT, nil))
		return
	}
	s.progress(Progress{Kind: ProgressTrained, Detail: s.dcs.Modulation.String()})
	next := stRxPage
	if s.dcs.ECM {
		next = stRxECM
	}
	s.respond(next, s.frame(FCFCFR, nil))
}

// postPage judges a non-ECM page on MPS, EOM or EOP and answers MCF, RTP or
// RTN (T.30 §5.3.6.1.5).
func (s *Session) postPage(cmd FCF) {
	if s.dec == nil {
		// No page since the last response: the command is a repeat (our
		// response to it was lost), or the page never trained. Only a
		// post-message response can be repeated, and only if no page
		// training was heard since; else the page is lost: RTN, and the
		// sender trains again (T.30 §5.3.6.1.5).
		if s.lastResp != nil && postPageResponse(s.lastResp) &&
			s.eng.Stats().TrainingsFailed == s.pageTrainFails {
			s.repeatResponse()
			return
		}
		s.progress(Progress{Kind: ProgressRetrain, Detail: "RTN: no page data"})
		s.respond(stRxWaitCmd, s.frame(FCFRTN, nil))
		return
	}
	dec := s.dec
	s.dec = nil
	page, stats, err := dec.Finish()
	resp := FCFMCF
	switch {
	case err != nil || stats.Rows == 0:
		resp = FCFRTN
	case float64(stats.BadRows) > s.cfg.BadRowsRTN*float64(stats.Rows):
		resp = FCFRTN
	case stats.BadRows > 0:
		resp = FCFRTP
	}
	s.log.Debug("t30 page", "rows", stats.Rows, "bad", stats.BadRows, "response", resp.String())
	if resp != FCFRTN {
		page.Res = s.result.Resolution
		if err := s.storePage(page, PageInfo{Compression: s.result.Compression, Rows: stats.Rows, BadRows: stats.BadRows}); err != nil {
			s.failDCN(err)
			return
		}
	} else {
		s.progress(Progress{Kind: ProgressRetrain, Detail: fmt.Sprintf("RTN: %d of %d rows bad", stats.BadRows, stats.Rows)})
		s.respond(stRxWaitCmd, s.frame(FCFRTN, nil))
		return
	}
	s.afterPage(cmd, resp)
}

// postPageResponse reports whether frames are a response to a post-message
// command (which a repeated command gets again).
func postPageResponse(frames []Frame) bool {
	switch frames[len(frames)-1].FCF.Code() {
	case FCFMCF, FCFRTP, FCFRTN, FCFPIP, FCFPIN:
		return true
	}
	return false
}

// afterPage answers a confirmed page's post-message command and moves on:
// MPS to the next page (or a new training after RTP), EOM to phase B, EOP
// to phase E.
func (s *Session) afterPage(cmd, respFCF FCF) {
	resp := s.frame(respFCF, nil)
	rtp := respFCF == FCFRTP
	switch cmd {
	case FCFEOP, FCFPRIEOP:
		s.pageDone = true
		s.respond(stRxWaitDCN, resp)
	case FCFEOM, FCFPRIEOM:
		dis, err := s.disFrames(FCFCSI, FCFDIS, false)
		if err != nil {
			s.failDCN(err)
			return
		}
		s.result.Modulation = 0
		s.lastResp, s.lastNext = []Frame{resp}, stRxWaitCmd
		s.queueFrames(modem.V21, []Frame{resp})
		s.queueFrames(modem.V21, dis)
		s.state, s.next, s.deadline = stSending, stRxWaitCmd, 0
		s.run()
	default:
		next := stRxPage
		if s.result.ECM {
			next = stRxECM
		}
		if rtp {
			next = stRxWaitCmd
		}
		s.respond(next, resp)
	}
}

func (s *Session) storePage(p *t4.Page, info PageInfo) error {
	info.Number = s.result.Pages + 1
	info.ECM = s.result.ECM
	if err := s.cfg.Sink.PutPage(p, info); err != nil {
		return fmt.Errorf("t30: page sink: %w", err)
	}
	s.result.Pages++
	s.progress(Progress{Kind: ProgressPage, Detail: fmt.Sprintf("%d rows, %d bad", info.Rows, info.BadRows)})
	return nil
}
