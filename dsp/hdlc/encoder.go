package hdlc

// A FrameSource gives an [Encoder] the frames to send, without FCS. It
// returns (frame, true) to send a frame, (nil, true) when no frame is ready
// yet (the encoder idles with one flag and asks again), and (nil, false)
// when the transmission ends. The encoder copies the frame before the next
// call, so the source may reuse its buffer. A frame needs at least two
// octets: with its FCS that makes the 32 bits below which receivers
// discard a frame (ISO/IEC 13239 §4.7).
type FrameSource func() (frame []byte, more bool)

// Default flag counts.
const (
	// DefaultPreambleFlags is about 1 s of flags at 300 bit/s, the V.21
	// preamble T.30 §5.3.1 asks for (1 s ± 15 %).
	DefaultPreambleFlags = 38
	// closingFlags follow the last frame: the flag that closes it and one
	// more, so the far receiver's decoder sees the end before carrier loss.
	closingFlags = 2
)

type encState int

const (
	encFlag  encState = iota // sending a flag octet
	encData                  // sending a frame and its FCS, with zero insertion
	encAbort                 // sending seven ones (ISO 13239 §4.4.2 abort)
	encDone                  // finished; Bit returns ok=false
)

// Encoder turns frames into an HDLC bit stream: preamble flags, each frame
// with zero-bit insertion and FCS, one flag between frames, closing flags.
// Its Bit method is a dsp.BitSource. It allocates only when a frame is
// longer than any before.
type Encoder struct {
	src        FrameSource
	state      encState
	flagsLeft  int // flags still to send after the current one
	closing    bool
	bitPos     int  // bit within the current flag/abort, or within buf
	ones       int  // consecutive ones sent inside the frame
	stuffNext  bool // a zero must be inserted before the next frame bit
	buf        []byte
	abortAsked bool
}

// NewEncoder returns an encoder that sends preambleFlags flags (at least
// one) and then the frames of src.
func NewEncoder(src FrameSource, preambleFlags int) *Encoder {
	e := &Encoder{src: src}
	e.Restart(src, preambleFlags)
	return e
}

// Restart makes the encoder start a new transmission from src.
func (e *Encoder) Restart(src FrameSource, preambleFlags int) {
	e.src = src
	e.state = encFlag
	e.flagsLeft = max(preambleFlags, 1) - 1
	e.closing = false
	e.bitPos = 0
	e.ones = 0
	e.stuffNext = false
	e.buf = e.buf[:0]
	e.abortAsked = false
}

// Abort abandons the frame being sent: the encoder sends an abort sequence
// (seven ones) and carries on with flags and the next frame.
func (e *Encoder) Abort() { e.abortAsked = true }

// Done reports whether the encoder has sent everything.
func (e *Encoder) Done() bool { return e.state == encDone }

// flagOctet is the HDLC flag 0x7E; being symmetric, its bit order does not matter.
const flagOctet = 0x7E

// Bit returns the next bit to transmit; ok is false once the closing flags
// have been sent.
func (e *Encoder) Bit() (bit int, ok bool) {
	if e.abortAsked && e.state == encData {
		e.abortAsked = false
		e.state, e.bitPos = encAbort, 0
	}
	switch e.state {
	case encFlag:
		bit = flagOctet >> e.bitPos & 1
		if e.bitPos++; e.bitPos == 8 {
			e.bitPos = 0
			e.afterFlag()
		}
		return bit, true
	case encData:
		if e.stuffNext { // ISO 13239 §4.3.1: a 0 after five contiguous 1s
			e.stuffNext, e.ones = false, 0
			e.checkFrameEnd()
			return 0, true
		}
		bit = int(e.buf[e.bitPos>>3] >> (e.bitPos & 7) & 1)
		e.bitPos++
		if bit == 1 {
			if e.ones++; e.ones == 5 {
				e.stuffNext = true
			}
		} else {
			e.ones = 0
		}
		e.checkFrameEnd()
		return bit, true
	case encAbort:
		if e.bitPos++; e.bitPos == 7 {
			e.state, e.bitPos, e.flagsLeft = encFlag, 0, 0
		}
		return 1, true
	}
	return 0, false
}

// checkFrameEnd moves to the flag after the frame once all its bits,
// including a pending inserted zero, have gone.
func (e *Encoder) checkFrameEnd() {
	if !e.stuffNext && e.bitPos == len(e.buf)*8 {
		e.state, e.bitPos, e.flagsLeft = encFlag, 0, 0
	}
}

// afterFlag decides what follows a flag: more flags, a frame, or the end.
func (e *Encoder) afterFlag() {
	if e.flagsLeft > 0 {
		e.flagsLeft--
		return
	}
	if e.closing {
		e.state = encDone
		return
	}
	frame, more := e.src()
	switch {
	case len(frame) > 0:
		fcs := FCS(frame)
		e.buf = append(append(e.buf[:0], frame...), fcs[0], fcs[1])
		e.state, e.bitPos, e.ones, e.stuffNext = encData, 0, 0, false
	case more:
		// idle: one more flag, then ask again
	default:
		e.closing = true
		e.flagsLeft = closingFlags - 2 // this flag closed the frame; one more follows
	}
}
