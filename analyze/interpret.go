package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/t30"
	"github.com/softfax/softfax/t4"
)

// frameDir tells who sent a frame from its FCF (T.30 §5.3.6.1): the
// identification group comes from the called station, the send-command
// group from the caller, and every other frame carries the X bit of the
// station that received DIS.
func frameDir(fcf t30.FCF) Direction {
	switch fcf.Code() {
	case t30.FCFDIS, t30.FCFCSI, t30.FCFNSF:
		return FromCalled
	case t30.FCFDTC, t30.FCFCIG, t30.FCFNSC, t30.FCFPWD, t30.FCFSEP:
		return FromCaller
	}
	if fcf.Code() != fcf {
		return FromCaller
	}
	return FromCalled
}

func opposite(d Direction) Direction {
	switch d {
	case FromCaller:
		return FromCalled
	case FromCalled:
		return FromCaller
	}
	return DirUnknown
}

// channelRoles attributes each channel of a multi-channel recording to the
// station whose frames and tones it carries (majority vote).
func channelRoles(n int, all []finding) []Direction {
	roles := make([]Direction, n)
	if n < 2 {
		return roles
	}
	votes := make([][3]int, n)
	for _, f := range all {
		switch {
		case f.kind == KindFrame:
			votes[f.channel][frameDir(t30.FCF(f.frame[2]))]++
		case f.kind == KindTone && f.tone == "CNG":
			votes[f.channel][FromCaller]++
		case f.kind == KindTone && f.tone == "CED":
			votes[f.channel][FromCalled]++
		}
	}
	for i, v := range votes {
		switch {
		case v[FromCaller] > v[FromCalled]:
			roles[i] = FromCaller
		case v[FromCalled] > v[FromCaller]:
			roles[i] = FromCalled
		}
	}
	if n == 2 {
		for i := range roles {
			if roles[i] == DirUnknown {
				roles[i] = opposite(roles[1-i])
			}
		}
	}
	return roles
}

// pending is a command waiting for its response.
type pending struct {
	name string
	dir  Direction
	at   int64
}

// ecmBlock collects the FCD frames of one ECM block across its
// transmissions (the first and the retransmissions after PPR).
type ecmBlock struct {
	frames map[int][]byte
	count  int // frames in the block, from PPS
}

// interpreter is the second pass: T.30 read over the merged findings.
type interpreter struct {
	r     *Report
	roles []Direction

	dcs       *t30.DCS
	dcsDir    Direction
	expectTCF bool
	// The last TCF and page seen, copied (Events grows and moves).
	lastTCF  *Event
	lastPage *Event
	post     string // last post-message command (MPS, EOP, EOM, PPS-xxx)
	pageNo   int    // pages confirmed so far
	waiting  *pending
	sawDCN   bool

	// ECM: frames heard since the last PPS, and each (page, block).
	fcd      map[int][]byte
	blocks   map[[2]int]*ecmBlock
	ppsPage  int
	ppsBlock int
	ppsEnd   bool // the last PPS ended a page
	ppsCount int  // frames in the block of the last PPS
	// trainFail is the first failed training after DCS, reported only if
	// no TCF follows (receivers also fail on V.21 and tones).
	trainFail *Event
}

func interpret(r *Report, all []finding) {
	in := &interpreter{r: r, roles: channelRoles(r.Channels, all), blocks: map[[2]int]*ecmBlock{}}
	for _, f := range all {
		switch f.kind {
		case KindTone:
			in.tone(f)
		case KindFrame:
			in.frame(f)
		case KindBadFrame:
			in.add(Event{At: f.at, Channel: f.channel, Dir: in.dir(f, frameDir(t30.FCF(f.frame[2]))), Kind: KindBadFrame,
				Signal: "V.21", Name: "bad FCS", Detail: fmt.Sprintf("%d octets, looked like %s", len(f.frame), t30.FCF(f.frame[2]))})
		case KindData:
			in.data(f)
		case KindTrainingFailed:
			if in.expectTCF && in.trainFail == nil {
				in.trainFail = &Event{At: f.at, Channel: f.channel, Dir: in.dir(f, in.dcsDir), Kind: KindTrainingFailed,
					Signal: f.burst.mod.String(), Name: "no train", Detail: "a carrier came but its training was not recognised"}
			}
		}
	}
	in.end()
}

// dir is the direction of a finding: its channel's role in a stereo
// recording, else what the signal itself says.
func (in *interpreter) dir(f finding, inferred Direction) Direction {
	if in.roles[f.channel] != DirUnknown {
		return in.roles[f.channel]
	}
	return inferred
}

func (in *interpreter) add(e Event) *Event {
	in.r.Events = append(in.r.Events, e)
	return &in.r.Events[len(in.r.Events)-1]
}

func (in *interpreter) problem(at int64, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	in.r.Problems = append(in.r.Problems, fmt.Sprintf("%s  %s", seconds(at), msg))
	in.add(Event{At: at, Kind: KindProblem, Name: "!!", Detail: msg})
}

func (in *interpreter) tone(f finding) {
	dir := FromCaller
	hz := 1100
	if f.tone == "CED" {
		dir, hz = FromCalled, 2100
	}
	// CNG repeats every 3.5 s: one line for a run of bursts.
	if f.tone == "CNG" {
		for i := len(in.r.Events) - 1; i >= 0; i-- {
			e := &in.r.Events[i]
			if e.Kind == KindTone && e.Name == "CNG" && e.Channel == f.channel && f.at-e.End < 5*dsp.SampleRate {
				n := 1
				fmt.Sscanf(e.Detail, "1100 Hz, %d", &n)
				e.End = f.end
				e.Detail = fmt.Sprintf("1100 Hz, %d bursts, %.1f dBm0", n+1, f.level)
				return
			}
			if e.Kind != KindTone {
				break
			}
		}
		in.add(Event{At: f.at, End: f.end, Channel: f.channel, Dir: in.dir(f, dir), Kind: KindTone, Signal: "tone", Name: "CNG",
			Detail: fmt.Sprintf("1100 Hz, 1 burst, %.1f dBm0", f.level)})
		return
	}
	in.add(Event{At: f.at, End: f.end, Channel: f.channel, Dir: in.dir(f, dir), Kind: KindTone, Signal: "tone", Name: f.tone,
		Detail: fmt.Sprintf("%d Hz, %.2f s, %.1f dBm0", hz, float64(f.end-f.at)/dsp.SampleRate, f.level)})
}

// commands are the frames that expect a response (T.30 §5.3.6.1); the
// rest of the sender's frames (TSI, NSS, SUB, SID) travel with them.
var commands = map[t30.FCF]bool{
	t30.FCFDIS: true, t30.FCFDTC: true, t30.FCFDCS: true, t30.FCFMPS: true, t30.FCFEOP: true, t30.FCFEOM: true,
	t30.FCFPRIMPS: true, t30.FCFPRIEOP: true, t30.FCFPRIEOM: true, t30.FCFPPS: true, t30.FCFEOR: true,
	t30.FCFRR: true, t30.FCFCTC: true,
}

func (in *interpreter) frame(f finding) {
	var fr t30.Frame
	if fr.Unmarshal(f.frame) != nil {
		return
	}
	code := fr.FCF.Code()
	dir := in.dir(f, frameDir(fr.FCF))
	e := Event{At: f.at, Channel: f.channel, Dir: dir, Kind: KindFrame, Signal: "V.21", Name: code.String(), Frame: f.frame}
	e.Detail = in.describe(&e, fr)
	if in.expectTCF && in.trainFail != nil && code != t30.FCFDCS && code != t30.FCFTSI {
		in.add(*in.trainFail)
		in.trainFail = nil
	}

	// Responses and repeats.
	if in.waiting != nil && dir != in.waiting.dir {
		in.waiting = nil
	}
	if commands[code] {
		name := e.Name
		if in.waiting != nil && in.waiting.name == name && dir == in.waiting.dir && code != t30.FCFDIS {
			in.problem(f.at, "%s repeated: no answer to the %s sent at %s", name, name, seconds(in.waiting.at))
		}
		if in.waiting != nil && in.waiting.name == name && code == t30.FCFDIS && dir == in.waiting.dir {
			in.problem(f.at, "DIS repeated: the caller did not answer the DIS sent at %s", seconds(in.waiting.at))
		}
		in.waiting = &pending{name: name, dir: dir, at: f.at}
	}
	ev := in.add(e)

	switch code {
	case t30.FCFDCS:
		var d t30.DCS
		if d.Unmarshal(fr.Info) == nil {
			in.dcs, in.dcsDir = &d, dir
		}
		in.expectTCF = true
		in.trainFail = nil
	case t30.FCFCFR:
		in.expectTCF = false
	case t30.FCFFTT:
		in.expectTCF = false
		msg := "FTT: the receiver rejected the training check"
		if in.dcs != nil {
			msg += " at " + in.dcs.Modulation.String()
		}
		if in.lastTCF != nil {
			msg += fmt.Sprintf(" (TCF had %d ones among %d zeros)", in.lastTCF.Ones, in.lastTCF.Zeros)
		} else {
			msg += " (no TCF was recognised)"
		}
		in.problem(f.at, "%s", msg)
	case t30.FCFMPS, t30.FCFEOP, t30.FCFEOM, t30.FCFPRIMPS, t30.FCFPRIEOP, t30.FCFPRIEOM:
		in.post = code.String()
	case t30.FCFPPS:
		in.pps(fr, ev)
	case t30.FCFMCF, t30.FCFPIP:
		in.confirm(f.at, ev)
	case t30.FCFRTP:
		in.confirm(f.at, ev)
		in.problem(f.at, "RTP: page %d accepted, but the receiver asks for a new training", in.pageNo)
	case t30.FCFRTN, t30.FCFPIN:
		msg := fmt.Sprintf("%s: page %d rejected", code, in.pageNo+1)
		if in.lastPage != nil {
			msg += fmt.Sprintf(" (%d of %d rows bad)", in.lastPage.BadRows, in.lastPage.Rows)
		}
		in.problem(f.at, "%s", msg)
		in.post = ""
	case t30.FCFPPR:
		n := len(in.pprFrames(fr.Info))
		in.problem(f.at, "PPR: %d ECM frames of page %d block %d to be sent again", n, in.ppsPage+1, in.ppsBlock)
	case t30.FCFCTC:
		in.problem(f.at, "CTC: the sender continues after four PPRs, at a lower rate")
	case t30.FCFRNR:
		in.problem(f.at, "RNR: the receiver is not ready")
	case t30.FCFCRP:
		in.problem(f.at, "CRP: a command arrived damaged and must be repeated")
	case t30.FCFDCN:
		in.sawDCN = true
		in.waiting = nil
		if !in.r.Complete {
			who := "caller"
			if dir == FromCalled {
				who = "called station"
			}
			in.problem(f.at, "DCN from the %s before the document was complete (%d pages confirmed)", who, in.pageNo)
		}
	}
}

// confirm handles MCF (and RTP, PIP): the page just sent is in.
func (in *interpreter) confirm(at int64, ev *Event) {
	switch {
	case strings.HasPrefix(in.post, "PPS-"):
		if !in.ppsEnd {
			return // a block within a page
		}
		in.pageNo++
		in.r.Pages = in.pageNo
		in.ecmPage(at, ev)
		if in.post == "PPS-EOP" || in.post == "PPS-PRI-EOP" {
			in.r.Complete = true
		}
	case in.post != "":
		in.pageNo++
		in.r.Pages = in.pageNo
		if in.post == "EOP" || in.post == "PRI-EOP" {
			in.r.Complete = true
		}
	}
	in.post = ""
}

func (in *interpreter) describe(e *Event, fr t30.Frame) string {
	code := fr.FCF.Code()
	switch code {
	case t30.FCFDIS, t30.FCFDTC:
		var d t30.DIS
		if err := d.Unmarshal(fr.Info); err != nil {
			return fmt.Sprintf("undecodable (%v)", err)
		}
		return d.Describe()
	case t30.FCFDCS:
		var d t30.DCS
		if err := d.Unmarshal(fr.Info); err != nil {
			return fmt.Sprintf("undecodable (%v)", err)
		}
		return d.Describe()
	case t30.FCFCSI, t30.FCFTSI, t30.FCFCIG, t30.FCFSUB, t30.FCFSID, t30.FCFPWD, t30.FCFSEP:
		id, err := t30.UnmarshalID(fr.Info)
		if err != nil {
			return fmt.Sprintf("undecodable (%v)", err)
		}
		return fmt.Sprintf("%q", id)
	case t30.FCFNSF, t30.FCFNSS, t30.FCFNSC:
		if len(fr.Info) >= 3 {
			return fmt.Sprintf("non-standard, country code 0x%02X, vendor % X, %d octets", fr.Info[0], fr.Info[1:3], len(fr.Info))
		}
		return fmt.Sprintf("non-standard, %d octets", len(fr.Info))
	case t30.FCFPPS:
		if len(fr.Info) < 4 {
			return "short PPS"
		}
		e.Name = "PPS-" + t30.FCF(fr.Info[0]).Code().String()
		return fmt.Sprintf("page %d, block %d, %d frames", int(fr.Info[1])+1, fr.Info[2], int(fr.Info[3])+1)
	case t30.FCFPPR:
		missing := in.pprFrames(fr.Info)
		return fmt.Sprintf("frames %s", ranges(missing))
	case t30.FCFMCF:
		return "message confirmed"
	case t30.FCFCFR:
		return "training check passed"
	case t30.FCFFTT:
		return "training check failed"
	case t30.FCFRTN:
		return "page rejected, retrain"
	case t30.FCFRTP:
		return "page accepted, retrain"
	case t30.FCFMPS:
		return "another page follows"
	case t30.FCFEOP:
		return "last page"
	case t30.FCFEOM:
		return "another document follows (back to phase B)"
	case t30.FCFDCN:
		return "disconnect"
	}
	return ""
}

// pprFrames lists the frames a PPR asks for (T.30 §5.3.6.2.10: bit i of
// the 256-bit map for frame i), within the block the last PPS announced:
// some terminals also set the bits of frame numbers the block never had.
func (in *interpreter) pprFrames(bitmap []byte) []int {
	var n []int
	for i, b := range bitmap {
		for j := range 8 {
			f := i*8 + j
			if b&(1<<j) != 0 && (in.ppsCount == 0 || f < in.ppsCount) {
				n = append(n, f)
			}
		}
	}
	return n
}

// ranges prints frame numbers compactly: "0-3, 7, 9-10".
func ranges(n []int) string {
	if len(n) == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < len(n); {
		j := i
		for j+1 < len(n) && n[j+1] == n[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(n[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", n[i], n[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// pps files the frames heard since the last PPS under the block PPS names.
func (in *interpreter) pps(fr t30.Frame, ev *Event) {
	if len(fr.Info) < 4 {
		return
	}
	in.post = ev.Name
	in.ppsPage, in.ppsBlock = int(fr.Info[1]), int(fr.Info[2])
	in.ppsEnd = t30.FCF(fr.Info[0]).Code() != t30.FCFNull
	key := [2]int{in.ppsPage, in.ppsBlock}
	b := in.blocks[key]
	if b == nil {
		b = &ecmBlock{frames: map[int][]byte{}}
		in.blocks[key] = b
	}
	// After a PPR the PPS counts only the frames sent again (as spandsp
	// does); the block keeps the size of its first transmission.
	b.count = max(b.count, int(fr.Info[3])+1)
	in.ppsCount = b.count
	for n, d := range in.fcd {
		b.frames[n] = d
	}
	in.fcd = nil
}

// ecmPage decodes a confirmed ECM page from its blocks' frames.
func (in *interpreter) ecmPage(at int64, ev *Event) {
	if in.dcs == nil {
		return
	}
	var data []byte
	missing := 0
	for blk := 0; blk < 256; blk++ {
		b := in.blocks[[2]int{in.ppsPage, blk}]
		if b == nil {
			break
		}
		for n := range b.count {
			d, ok := b.frames[n]
			if !ok {
				missing++
			}
			data = append(data, d...)
		}
	}
	pe := Event{At: at, Channel: ev.Channel, Dir: in.dcsDir, Kind: KindData, Signal: "ECM", Name: fmt.Sprintf("page %d", in.pageNo)}
	pe.Detail = in.decodePage(&pe, data)
	if missing > 0 {
		pe.Detail += fmt.Sprintf(", %d frames never received", missing)
	}
	in.add(pe)
	for k := range in.blocks {
		if k[0] == in.ppsPage {
			delete(in.blocks, k)
		}
	}
}

// decodePage runs t4's streaming decoder over a page's data with the DCS's
// coding and width, and fills e's statistics.
func (in *interpreter) decodePage(e *Event, data []byte) string {
	comp := t4.MH
	switch {
	case in.dcs.MMR:
		comp = t4.MMR
	case in.dcs.MR:
		comp = t4.MR
	}
	width := in.dcs.Width.Pixels()
	d, err := t4.NewDecoder(t4.DecodeOptions{Compression: comp, Width: width, LSBFirst: true})
	if err != nil {
		return fmt.Sprintf("%d octets, not decodable (%v)", len(data), err)
	}
	d.Write(data)
	_, st, err := d.Finish()
	e.Rows, e.BadRows = st.Rows, st.BadRows
	s := fmt.Sprintf("%d octets, %s %d px: %d rows, %d bad", len(data), comp, width, st.Rows, st.BadRows)
	if st.BadRows > 0 {
		s += fmt.Sprintf(" (longest run %d)", st.MaxConsecutiveBad)
	}
	if !st.RTC {
		s += ", no RTC"
		if comp == t4.MMR {
			s = strings.Replace(s, "no RTC", "no EOFB", 1)
		}
	}
	if err != nil {
		s += fmt.Sprintf(", %v", err)
	}
	return s
}

// data interprets a high-speed transmission: TCF after DCS, else a page or
// an ECM block.
func (in *interpreter) data(f finding) {
	b := f.burst
	dir := in.dir(f, in.dcsDir)
	sig := b.mod.String()
	if b.short {
		sig += " short"
	}
	e := Event{At: f.at, End: f.end, Channel: f.channel, Dir: dir, Kind: KindData, Signal: sig}
	dur := float64(f.end-f.at) / dsp.SampleRate
	switch {
	case in.expectTCF:
		in.expectTCF = false
		in.trainFail = nil
		e.Name = "TCF"
		// TCF is 1.5 s of zeros (T.30 §5.3.6.2.5); what the receiver
		// decodes after that is the modem's trailer and the carrier's
		// end, so only the first 1.5 s are counted.
		n := min(b.nbits, b.mod.BitRate()*3/2)
		run, longest := 0, 0
		for i := range n {
			if b.bit(i) == 0 {
				e.Zeros++
				run++
				longest = max(longest, run)
			} else {
				e.Ones++
				run = 0
			}
		}
		e.Detail = fmt.Sprintf("%.2f s: %d zeros, %d ones in the first 1.5 s, longest run of zeros %.2f s", dur, e.Zeros, e.Ones,
			float64(longest)/float64(max(1, b.mod.BitRate())))
		in.add(e)
		in.lastTCF = &e
	case in.dcs != nil && in.dcs.ECM:
		e.Name = "ECM block"
		good, bad := 0, 0
		var nums []int
		rcp := 0
		if in.fcd == nil {
			in.fcd = map[int][]byte{}
		}
		dec := hdlc.NewDecoder(func(data []byte, ok bool) {
			if !ok {
				bad++
				return
			}
			var fr t30.Frame
			if fr.Unmarshal(data) != nil {
				bad++
				return
			}
			switch fr.FCF.Code() {
			case t30.FCFFCD:
				if len(fr.Info) < 1 {
					bad++
					return
				}
				good++
				nums = append(nums, int(fr.Info[0]))
				in.fcd[int(fr.Info[0])] = append([]byte(nil), fr.Info[1:]...)
			case t30.FCFRCP:
				rcp++
			}
		})
		for i := range b.nbits {
			dec.PutBit(b.bit(i))
		}
		slices.Sort(nums)
		nums = slices.Compact(nums)
		e.Detail = fmt.Sprintf("%.2f s: %d FCD frames (%s), %d RCP", dur, good, ranges(nums), rcp)
		if bad > 0 {
			e.Detail += fmt.Sprintf(", %d damaged frames", bad)
		}
		in.add(e)
	case in.dcs != nil:
		e.Name = fmt.Sprintf("page %d", in.pageNo+1)
		e.Detail = fmt.Sprintf("%.2f s, ", dur) + in.decodePage(&e, b.bits[:b.nbits/8])
		in.add(e)
		in.lastPage = &e
	default:
		e.Name = "data"
		e.Detail = fmt.Sprintf("%.2f s, %d bits (no DCS heard: rate and coding unknown)", dur, b.nbits)
		in.add(e)
	}
}

// end adds the diagnosis of how the recording ends and puts the events in
// time order (some are only known later: a failed training once no TCF
// followed, an ECM page once confirmed).
func (in *interpreter) end() {
	r := in.r
	defer slices.SortStableFunc(r.Events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	frames := 0
	for _, e := range r.Events {
		if e.Kind == KindFrame {
			frames++
		}
	}
	at := r.Samples
	if frames == 0 {
		in.problem(at, "no T.30 frame decoded: not a fax call, or the recording misses the fax signals")
		return
	}
	if in.waiting != nil {
		in.problem(at, "no answer to the %s sent at %s (the recording ends)", in.waiting.name, seconds(in.waiting.at))
	}
	if !in.sawDCN {
		in.problem(at, "the recording ends without DCN (hang-up, a timeout, or the recording was cut)")
	}
	if in.expectTCF && in.dcs != nil && !in.sawDCN && in.waiting == nil {
		in.problem(at, "DCS was never followed by a recognised TCF at %s", in.dcs.Modulation)
	}
}

func seconds(at int64) string {
	return fmt.Sprintf("%.3fs", float64(at)/dsp.SampleRate)
}
