package spandsp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/dsp"
)

// Spec selects a spandsp modem.
type Spec struct {
	Modem      string  // "v21" (channel 2), "v27ter", "v29" or "v17"
	Rate       int     // bit/s; ignored for "v21"
	ShortTrain bool    // see the package documentation
	Level      float64 // transmit level in dBm0; 0 keeps spandsp's default
	Flags      int     // HDLC preamble flag octets on transmit; 0 means 32
	// Cutoff sets the receiver's carrier cutoff in dBm0 (spandsp's
	// *_rx_signal_cutoff); 0 keeps spandsp's default, which for V.21
	// (-30 dBm0) and V.29 (-28.5 dBm0) is far above the -43 dBm0 fax
	// needs. spandsp's own fax engine sets FaxCutoffV21 and FaxCutoff.
	Cutoff float64
}

// Carrier cutoffs spandsp's fax engine (fax_modems.c) sets.
const (
	FaxCutoffV21 = -39.09 // V.21 channel 2
	FaxCutoff    = -45.5  // V.27ter, V.29, V.17
)

func (s Spec) String() string {
	train := "long"
	if s.ShortTrain {
		train = "short"
	}
	return s.Modem + ":" + strconv.Itoa(s.Rate) + ":" + train
}

func (s Spec) validate() error {
	ok := false
	switch s.Modem {
	case "v21":
		ok = true
	case "v27ter":
		ok = s.Rate == 2400 || s.Rate == 4800
	case "v29":
		ok = s.Rate == 4800 || s.Rate == 7200 || s.Rate == 9600
	case "v17":
		ok = s.Rate == 7200 || s.Rate == 9600 || s.Rate == 12000 || s.Rate == 14400
	}
	if !ok {
		return fmt.Errorf("spandsp: unsupported modem %s at %d bit/s", s.Modem, s.Rate)
	}
	return nil
}

// spandsp's SIG_STATUS_* values (spandsp/async.h).
const (
	SigCarrierDown      = -1
	SigCarrierUp        = -2
	SigTrainingProgress = -3
	SigTrainingOK       = -4
	SigTrainingFailed   = -5
	SigFramingOK        = -6
	SigEndOfData        = -7
	SigAbort            = -8
)

// Event is a status change reported by spandsp's receiver.
type Event struct {
	Status dsp.Status // the dsp equivalent, or 0 when there is none
	Code   int        // spandsp's SIG_STATUS_* value
	At     int64      // index of the sample being processed, from the start
}

func (e Event) String() string {
	name := map[int]string{
		SigCarrierDown: "carrier down", SigCarrierUp: "carrier up",
		SigTrainingProgress: "training in progress", SigTrainingOK: "training succeeded",
		SigTrainingFailed: "training failed", SigFramingOK: "framing ok",
		SigEndOfData: "end of data", SigAbort: "abort",
	}[e.Code]
	if name == "" {
		name = "status " + strconv.Itoa(e.Code)
	}
	return fmt.Sprintf("%s@%d", name, e.At)
}

func statusOf(code int) dsp.Status {
	switch code {
	case SigCarrierUp:
		return dsp.CarrierUp
	case SigTrainingOK:
		return dsp.Trained
	case SigTrainingFailed:
		return dsp.TrainingFailed
	case SigCarrierDown:
		return dsp.CarrierDown
	}
	return 0
}

// Frame is an HDLC frame received by spandsp, without its FCS.
type Frame struct {
	Data []byte
	OK   bool  // FCS good
	At   int64 // index of the sample at which the closing flag completed
}

// TxSegment is one transmission: a modem run from its training to its
// trailer, with either data bits (one per byte, 0 or 1) or HDLC frames.
type TxSegment struct {
	Spec   Spec
	Bits   []byte
	Frames [][]byte
}

// RxSegment is audio given to spandsp's receiver, restarted with Spec at
// the segment's first sample.
type RxSegment struct {
	Spec    Spec
	Samples []int16
}

// Result is what spandsp's receiver produced.
type Result struct {
	Bits   []byte // data bits, one per byte (plain receive only)
	Frames []Frame
	Events []Event
}

// Transmit modulates the segments back to back with spandsp's transmitters.
// Either all segments carry Frames (HDLC) or none does; the level and
// preamble flags of the first segment apply to all.
func (h *Helper) Transmit(ctx context.Context, segs []TxSegment) ([]int16, error) {
	if len(segs) == 0 {
		return nil, errors.New("spandsp: no segments")
	}
	hdlc := segs[0].Frames != nil
	mode := "tx"
	if hdlc {
		mode = "hdlctx"
	}
	args := []string{mode}
	if segs[0].Spec.Level != 0 {
		args = append(args, "-l", strconv.FormatFloat(segs[0].Spec.Level, 'f', 2, 64))
	}
	if hdlc && segs[0].Spec.Flags > 0 {
		args = append(args, "-f", strconv.Itoa(segs[0].Spec.Flags))
	}
	var in []byte
	for _, s := range segs {
		if err := s.Spec.validate(); err != nil {
			return nil, err
		}
		if (s.Frames != nil) != hdlc {
			return nil, errors.New("spandsp: segments mix HDLC frames and bits")
		}
		args = append(args, s.Spec.String())
		if hdlc {
			in = binary.LittleEndian.AppendUint32(in, uint32(len(s.Frames)))
			for _, f := range s.Frames {
				in = binary.LittleEndian.AppendUint32(in, uint32(len(f)))
				in = append(in, f...)
			}
			continue
		}
		in = binary.LittleEndian.AppendUint32(in, uint32(len(s.Bits)))
		in = append(in, s.Bits...)
	}
	out, err := h.run(ctx, in, args...)
	if err != nil {
		return nil, err
	}
	return bytesToSamples(out), nil
}

// Receive demodulates the segments with spandsp's receivers; with hdlc the
// bits go through spandsp's HDLC receiver and Result.Frames is filled. The
// carrier cutoff of the first segment applies to all.
func (h *Helper) Receive(ctx context.Context, segs []RxSegment, hdlc bool) (Result, error) {
	mode := "rx"
	if hdlc {
		mode = "hdlcrx"
	}
	args := []string{mode}
	if len(segs) > 0 && segs[0].Spec.Cutoff != 0 {
		args = append(args, "-c", strconv.FormatFloat(segs[0].Spec.Cutoff, 'f', 2, 64))
	}
	var in []byte
	for _, s := range segs {
		if err := s.Spec.validate(); err != nil {
			return Result{}, err
		}
		args = append(args, s.Spec.String())
		in = binary.LittleEndian.AppendUint32(in, uint32(len(s.Samples)))
		in = appendSamples(in, s.Samples)
	}
	out, err := h.run(ctx, in, args...)
	if err != nil {
		return Result{}, err
	}
	return parseRecords(out)
}

func parseRecords(b []byte) (Result, error) {
	var r Result
	short := errors.New("spandsp: truncated record from helper")
	for len(b) > 0 {
		switch b[0] {
		case 0, 1:
			r.Bits = append(r.Bits, b[0])
			b = b[1:]
		case 2:
			if len(b) < 13 {
				return r, short
			}
			code := int(int32(binary.LittleEndian.Uint32(b[1:])))
			r.Events = append(r.Events, Event{Status: statusOf(code), Code: code, At: int64(binary.LittleEndian.Uint64(b[5:]))})
			b = b[13:]
		case 3:
			if len(b) < 14 {
				return r, short
			}
			n := int(binary.LittleEndian.Uint32(b[1:]))
			if len(b) < 14+n {
				return r, short
			}
			r.Frames = append(r.Frames, Frame{
				OK:   b[5] == 1,
				At:   int64(binary.LittleEndian.Uint64(b[6:])),
				Data: append([]byte(nil), b[14:14+n]...),
			})
			b = b[14+n:]
		default:
			return r, fmt.Errorf("spandsp: unknown record type %d from helper", b[0])
		}
	}
	return r, nil
}

// Modulate returns spandsp's transmission of bits (one per byte) with the
// modem's training first and its trailer last.
func (h *Helper) Modulate(t testing.TB, spec Spec, bits []byte) []int16 {
	t.Helper()
	return h.ModulateSegments(t, []TxSegment{{Spec: spec, Bits: bits}})
}

// ModulateSegments returns spandsp's transmissions of segs, back to back.
func (h *Helper) ModulateSegments(t testing.TB, segs []TxSegment) []int16 {
	t.Helper()
	s, err := h.Transmit(context.Background(), segs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ModulateHDLC returns spandsp's transmission of frames (FCS added by
// spandsp): spec.Flags preamble flags, the frames separated by one flag,
// closing flags, then the modem's trailer.
func (h *Helper) ModulateHDLC(t testing.TB, spec Spec, frames [][]byte) []int16 {
	t.Helper()
	if frames == nil {
		frames = [][]byte{}
	}
	return h.ModulateSegments(t, []TxSegment{{Spec: spec, Frames: frames}})
}

// Demodulate returns the bits and status events of spandsp's receiver.
func (h *Helper) Demodulate(t testing.TB, spec Spec, samples []int16) ([]byte, []Event) {
	t.Helper()
	r := h.DemodulateSegments(t, []RxSegment{{Spec: spec, Samples: samples}})
	return r.Bits, r.Events
}

// DemodulateSegments runs spandsp's receiver over segs in turn.
func (h *Helper) DemodulateSegments(t testing.TB, segs []RxSegment) Result {
	t.Helper()
	r, err := h.Receive(context.Background(), segs, false)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// DemodulateHDLC returns the frames spandsp's receiver and HDLC decoder
// find in samples, and the status events (modem ones plus SigFramingOK and
// SigAbort from HDLC).
func (h *Helper) DemodulateHDLC(t testing.TB, spec Spec, samples []int16) ([]Frame, []Event) {
	t.Helper()
	r, err := h.Receive(context.Background(), []RxSegment{{Spec: spec, Samples: samples}}, true)
	if err != nil {
		t.Fatal(err)
	}
	return r.Frames, r.Events
}

// TimeTransmit measures the CPU time spandsp needs to modulate nbits random
// bits, reps times, and returns it with the number of samples in one run.
func (h *Helper) TimeTransmit(ctx context.Context, spec Spec, nbits, reps int) (time.Duration, int, error) {
	if err := spec.validate(); err != nil {
		return 0, 0, err
	}
	out, err := h.run(ctx, nil, "timetx", spec.String(), strconv.Itoa(nbits), strconv.Itoa(reps))
	if err != nil {
		return 0, 0, err
	}
	return parseTiming(out)
}

// TimeReceive measures the CPU time spandsp needs to demodulate samples
// (in blocks of 160), reps times.
func (h *Helper) TimeReceive(ctx context.Context, spec Spec, samples []int16, reps int) (time.Duration, error) {
	if err := spec.validate(); err != nil {
		return 0, err
	}
	in := binary.LittleEndian.AppendUint32(nil, uint32(len(samples)))
	out, err := h.run(ctx, appendSamples(in, samples), "timerx", spec.String(), strconv.Itoa(reps))
	if err != nil {
		return 0, err
	}
	d, _, err := parseTiming(out)
	return d, err
}

func parseTiming(out []byte) (time.Duration, int, error) {
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("spandsp: bad timing output %q", out)
	}
	sec, err1 := strconv.ParseFloat(f[0], 64)
	n, err2 := strconv.Atoi(f[1])
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("spandsp: bad timing output %q: %w", out, err)
	}
	return time.Duration(sec * float64(time.Second)), n, nil
}

// BitErrors aligns got against sent, trying offsets 0..maxShift of got
// (receivers may deliver training bits first), and counts the differing
// bits over the overlap. The offset chosen is the one with the fewest
// errors over the first min(len(sent), 1000) bits, among offsets that
// leave that many bits of got to compare. It returns the errors, the
// number of bits compared and the offset.
func BitErrors(sent, got []byte, maxShift int) (errs, compared, offset int) {
	w := min(len(sent), 1000)
	best, bestErr := 0, -1
	for off := 0; off <= maxShift && off+w <= len(got); off++ {
		e := 0
		for i := range w {
			if sent[i]&1 != got[off+i]&1 {
				e++
			}
		}
		if bestErr < 0 || e < bestErr {
			best, bestErr = off, e
		}
		if e == 0 {
			break
		}
	}
	n := max(min(len(sent), len(got)-best), 0)
	for i := range n {
		if sent[i]&1 != got[best+i]&1 {
			errs++
		}
	}
	return errs, n, best
}

func bytesToSamples(b []byte) []int16 {
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return s
}

func appendSamples(b []byte, s []int16) []byte {
	for _, v := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// BitErrorRate demodulates samples with spandsp's receiver and compares
// the bits with sent (see [BitErrors]; maxShift 2000). Bits sent but not
// delivered count as errors, so a receiver that never trains scores 1.
func (h *Helper) BitErrorRate(ctx context.Context, spec Spec, samples []int16, sent []byte) (float64, Result, error) {
	r, err := h.Receive(ctx, []RxSegment{{Spec: spec, Samples: samples}}, false)
	if err != nil {
		return 0, r, err
	}
	if len(sent) == 0 {
		return 0, r, nil
	}
	errs, n, _ := BitErrors(sent, r.Bits, 2000)
	return float64(errs+len(sent)-n) / float64(len(sent)), r, nil
}
