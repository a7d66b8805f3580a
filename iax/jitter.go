package iax

// JitterBuffer reorders received voice frames by timestamp and plays them
// out one frame per Get, at a fixed delay behind the first frame heard.
// Fax modems tolerate delay but not time warps, so the delay is fixed (no
// adaptive shrinking that would drop audio in the middle of a page) and a
// missing frame is replaced by a frame of the same length: silence or a
// repeat of the last frame (see [FillPolicy]).
//
// It is clocked by its caller (package line calls Get every 20 ms), never
// by the wall clock, and allocates nothing after construction.
type JitterBuffer struct {
	frameMs  uint32
	delay    int // frames held before playout starts
	slots    []jbSlot
	frameLen int
	fill     FillPolicy
	silence  byte // the idle code of the format, for FillSilence

	started  bool
	base     uint32 // timestamp of frame number 0
	next     int64  // frame number Get plays next
	newest   int64  // highest frame number stored
	prefill  int    // Gets still to answer with fill before playing
	last     []byte
	haveLast bool
	emptyRun int // consecutive Gets that found nothing buffered at all

	stats JitterStats
}

type jbSlot struct {
	n    int64 // frame number held, -1 if empty
	data []byte
	used int
}

// FillPolicy says what replaces a lost frame.
type FillPolicy uint8

// Fill policies. Repeat is the default because it demodulates better:
// measured with V.29 at 9600 bit/s (line.TestFillPolicyV29), a 40 ms
// silence makes the receiver drop carrier and lose the rest of the page,
// while a repeated frame costs a few hundred bits and keeps it locked.
const (
	// FillRepeat repeats the previous frame; a modem sees a phase jump.
	FillRepeat FillPolicy = iota
	// FillSilence plays the format's idle code; a modem sees a dropout.
	FillSilence
)

func (p FillPolicy) String() string {
	if p == FillSilence {
		return "silence"
	}
	return "repeat"
}

// JitterStats counts what the buffer saw.
type JitterStats struct {
	Received  uint64 // frames put
	Played    uint64 // frames played on time
	Lost      uint64 // frames never received by their playout time
	Late      uint64 // frames that arrived after their playout time (dropped)
	Reordered uint64 // frames that arrived before an older one
	Duplicate uint64 // frames received twice
	Resyncs   uint64 // times the playout point was moved after a long gap
	Overflow  uint64 // frames beyond the buffer's capacity (dropped)
}

// GetResult says what Get wrote.
type GetResult uint8

// Get results.
const (
	GetIdle   GetResult = iota // nothing received yet or in a long gap: idle fill
	GetFrame                   // a received frame
	GetFilled                  // a lost frame, replaced by the fill policy
)

// resyncAfter is how many empty Gets make a gap "long": after it the next
// frame restarts playout at the configured delay instead of being late.
const resyncAfter = 10

// NewJitterBuffer returns a buffer for frames of frameLen bytes covering
// frameMs milliseconds each, playing out delay frames behind the first frame
// received. capacity bounds how far ahead of playout frames are kept.
// silence is the idle byte of the format (0xff for ulaw, 0xd5 alaw, 0 slin).
func NewJitterBuffer(frameMs, frameLen, delay, capacity int, silence byte, fill FillPolicy) *JitterBuffer {
	frameMs = max(frameMs, 1)
	delay = max(delay, 0)
	capacity = max(capacity, delay+2)
	jb := &JitterBuffer{
		frameMs:  uint32(frameMs),
		delay:    delay,
		frameLen: frameLen,
		fill:     fill,
		silence:  silence,
		slots:    make([]jbSlot, capacity),
		last:     make([]byte, frameLen),
	}
	for i := range jb.slots {
		jb.slots[i] = jbSlot{n: -1, data: make([]byte, frameLen)}
	}
	return jb
}

// Stats returns the counters.
func (jb *JitterBuffer) Stats() JitterStats { return jb.stats }

// Depth is the number of frames buffered ahead of playout, including the
// remaining prefill: the quantity package line keeps level.
func (jb *JitterBuffer) Depth() int {
	if !jb.started {
		return 0
	}
	return int(jb.newest-jb.next+1) + jb.prefill
}

// Delay is the target depth in frames.
func (jb *JitterBuffer) Delay() int { return jb.delay }

// frameNumber maps a timestamp to a frame number relative to base, rounding
// to the nearest frame so senders whose clocks start off a 20 ms grid
// (iaxmodem: 1501, 1521, ...) still land in one slot each.
func (jb *JitterBuffer) frameNumber(ts uint32) int64 {
	d := int64(int32(ts - jb.base))
	half := int64(jb.frameMs / 2)
	if d >= 0 {
		return (d + half) / int64(jb.frameMs)
	}
	return -((-d + half) / int64(jb.frameMs))
}

// Put stores a received frame with its 32-bit timestamp. Payloads of another
// length than the buffer's frame are cut or padded with silence.
func (jb *JitterBuffer) Put(ts uint32, payload []byte) {
	jb.stats.Received++
	if !jb.started || jb.emptyRun >= resyncAfter {
		if jb.started {
			jb.stats.Resyncs++
		}
		jb.restart(ts)
	}
	n := jb.frameNumber(ts)
	if n < jb.next {
		jb.stats.Late++
		return
	}
	if n >= jb.next+int64(len(jb.slots)) {
		// Far ahead of playout: either a clock jump at the far end or our
		// playout stalled. Restart around this frame.
		jb.stats.Resyncs++
		jb.restart(ts)
		n = jb.frameNumber(ts)
	}
	s := &jb.slots[n%int64(len(jb.slots))]
	if s.n == n {
		jb.stats.Duplicate++
		return
	}
	if n < jb.newest {
		jb.stats.Reordered++
	}
	s.n = n
	s.used = copy(s.data, payload)
	for i := s.used; i < len(s.data); i++ {
		s.data[i] = jb.silence
	}
	jb.newest = max(jb.newest, n)
	jb.emptyRun = 0
}

func (jb *JitterBuffer) restart(ts uint32) {
	jb.started = true
	jb.base = ts
	jb.next = 0
	jb.newest = -1
	jb.prefill = jb.delay
	jb.emptyRun = 0
	for i := range jb.slots {
		jb.slots[i].n = -1
	}
}

// Get writes the next frame to play into dst (len(dst) should be the frame
// length) and says whether it was received, filled or idle.
func (jb *JitterBuffer) Get(dst []byte) GetResult {
	if !jb.started || jb.emptyRun >= resyncAfter {
		jb.idle(dst)
		return GetIdle
	}
	if jb.prefill > 0 {
		jb.prefill--
		jb.idle(dst)
		return GetIdle
	}
	n := jb.next
	jb.next++
	if jb.newest < n {
		jb.emptyRun++
	}
	s := &jb.slots[n%int64(len(jb.slots))]
	if s.n == n {
		s.n = -1
		copy(dst, s.data)
		copy(jb.last, s.data)
		jb.haveLast = true
		jb.stats.Played++
		return GetFrame
	}
	if jb.emptyRun >= resyncAfter {
		// A long gap is the far end not sending, not loss.
		jb.idle(dst)
		return GetIdle
	}
	jb.stats.Lost++
	if jb.fill == FillRepeat && jb.haveLast {
		copy(dst, jb.last)
	} else {
		jb.idle(dst)
	}
	return GetFilled
}

func (jb *JitterBuffer) idle(dst []byte) {
	for i := range dst {
		dst[i] = jb.silence
	}
}
