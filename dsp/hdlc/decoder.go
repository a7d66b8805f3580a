package hdlc

// DefaultMaxFrameLen bounds a received frame, FCS included: T.4 Annex A
// ECM frames carry at most 256 octets of facsimile data plus 4 octets of
// address, control, FCF and frame number.
const DefaultMaxFrameLen = 262

// minFrameLen is the shortest frame reported: ISO 13239 §4.7 treats fewer
// than 32 bits between flags as invalid and ignores them.
const minFrameLen = 4

// Stats counts what a [Decoder] has seen since it was created or reset.
type Stats struct {
	Flags     int // flag sequences
	Good      int // frames with a good FCS
	Bad       int // frames with a bad FCS or not a whole number of octets
	Aborts    int // frames cut by seven or more ones
	TooLong   int // frames longer than the maximum, discarded
	TooShort  int // runts of fewer than 32 bits, ignored
	OctetsOut int // octets of good and bad frames delivered
}

// Decoder recovers frames from an HDLC bit stream. Its PutBit method is a
// dsp.BitSink. It never allocates after construction.
type Decoder struct {
	onFrame   func(data []byte, fcsOK bool)
	onFraming func()
	onAbort   func()
	threshold int
	maxLen    int

	hunting  bool   // waiting for a flag (at start, after an abort or overflow)
	ones     int    // contiguous ones received
	pending  uint32 // data bits not yet known not to be part of a flag
	npending int
	buf      []byte
	flagRun  int // flags since the last frame, abort or loss of framing
	framing  bool
	stats    Stats
}

// NewDecoder returns a decoder that calls onFrame with each frame closed
// by a flag: its data without the FCS (valid only during the call) and
// whether the FCS was good.
func NewDecoder(onFrame func(data []byte, fcsOK bool)) *Decoder {
	d := &Decoder{onFrame: onFrame, maxLen: DefaultMaxFrameLen}
	d.buf = make([]byte, 0, d.maxLen)
	d.Reset()
	return d
}

// SetMaxFrameLen changes the longest frame accepted, FCS included.
func (d *Decoder) SetMaxFrameLen(n int) {
	d.maxLen = max(n, minFrameLen)
	if cap(d.buf) < d.maxLen {
		d.buf = make([]byte, 0, d.maxLen)
	}
}

// OnFraming makes the decoder call f when it has seen n contiguous flags
// (framing established: T.31 answers +FRH with CONNECT then). It calls f
// again only after a frame, an abort or [Decoder.Reset].
func (d *Decoder) OnFraming(n int, f func()) {
	d.threshold, d.onFraming = max(n, 1), f
}

// OnAbort makes the decoder call f when a frame in progress is aborted
// (seven or more contiguous ones).
func (d *Decoder) OnAbort(f func()) { d.onAbort = f }

// Reset forgets any partial frame and the statistics, and hunts for a flag.
func (d *Decoder) Reset() {
	d.hunting = true
	d.ones = 0
	d.pending, d.npending = 0, 0
	d.buf = d.buf[:0]
	d.flagRun = 0
	d.framing = false
	d.stats = Stats{}
}

// Stats returns the counts so far.
func (d *Decoder) Stats() Stats { return d.stats }

// PutBit takes the next received bit (0 or 1; other values count as 1).
func (d *Decoder) PutBit(bit int) {
	if bit == 0 {
		switch {
		case d.ones == 6:
			d.ones = 0
			d.gotFlag()
			return
		case d.ones == 5: // an inserted zero: drop it
			d.ones = 0
			return
		}
		d.ones = 0
		d.push(0)
		return
	}
	if d.ones++; d.ones == 7 {
		// Seven contiguous ones: abort (ISO 13239 §4.4.2), or idle line.
		if !d.hunting && (len(d.buf) > 0 || d.npending > 7) {
			d.stats.Aborts++
			if d.onAbort != nil {
				defer d.onAbort()
			}
		}
		d.hunting = true
		d.flagRun = 0
		d.framing = false
		d.buf, d.npending = d.buf[:0], 0
	}
	if d.ones < 7 {
		d.push(1)
	}
}

// push queues a data bit. The last seven queued bits may turn out to be
// the start of a flag (0111111), so octets are committed only when more
// than seven bits follow them.
func (d *Decoder) push(b uint32) {
	if d.hunting {
		return
	}
	d.pending |= b << d.npending
	d.npending++
	if d.npending == 15 {
		if len(d.buf) == d.maxLen {
			d.stats.TooLong++
			d.hunting = true
			d.buf, d.npending = d.buf[:0], 0
			return
		}
		d.buf = append(d.buf, byte(d.pending))
		d.pending >>= 8
		d.npending -= 8
	}
}

func (d *Decoder) gotFlag() {
	d.stats.Flags++
	// The flag's leading 0 and six 1s were queued as data: drop them.
	n := max(d.npending-7, 0)
	wasHunting := d.hunting
	d.hunting = false
	frameBits := len(d.buf)*8 + n
	if !wasHunting && frameBits > 0 {
		d.endFrame(n)
	}
	d.buf, d.pending, d.npending = d.buf[:0], 0, 0
	if !wasHunting && frameBits > 0 {
		d.flagRun = 1
		d.framing = false
	} else {
		d.flagRun++
	}
	if !d.framing && d.flagRun >= d.threshold && d.onFraming != nil {
		d.framing = true
		d.onFraming()
	}
}

// endFrame delivers the frame in buf plus n pending bits.
func (d *Decoder) endFrame(n int) {
	// n < 8: whole octets were committed as soon as eight bits followed them.
	if len(d.buf)*8+n < minFrameLen*8 {
		d.stats.TooShort++
		return
	}
	ok := n == 0
	if ok {
		crc := uint16(crcInit)
		for _, b := range d.buf {
			crc = crcUpdate(crc, b)
		}
		ok = crc == goodResidue
	}
	if ok {
		d.stats.Good++
	} else {
		d.stats.Bad++
	}
	data := d.buf
	if len(data) >= 2 {
		data = data[:len(data)-2]
	}
	d.stats.OctetsOut += len(data)
	if d.onFrame != nil {
		d.onFrame(data, ok)
	}
}
