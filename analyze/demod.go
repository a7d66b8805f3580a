package analyze

import (
	"math"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/dsp/tone"
	"github.com/softfax/softfax/dsp/v17"
	"github.com/softfax/softfax/dsp/v21"
	"github.com/softfax/softfax/dsp/v27ter"
	"github.com/softfax/softfax/dsp/v29"
	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t30"
)

// blockLen is the analysis step: 10 ms, the resolution of frame times.
const blockLen = 80

// maxBurstBits bounds the bits kept of one high-speed transmission: 10
// minutes at 14400 bit/s, more than any page takes.
const maxBurstBits = 14400 * 600

// finding is what the first pass heard on one channel.
type finding struct {
	at, end int64
	channel int
	kind    Kind
	tone    string  // CNG or CED
	level   float64 // tone level, dBm0
	frame   []byte  // V.21 frame without FCS (own copy)
	burst   *burst
}

// burst is one high-speed transmission: the modem that trained on it and
// the data bits that followed the training.
type burst struct {
	mod   modem.Modulation
	short bool // V.17 short train
	bits  []byte
	nbits int
}

func (b *burst) put(bit int) {
	if b.nbits >= maxBurstBits {
		return
	}
	if b.nbits&7 == 0 {
		b.bits = append(b.bits, 0)
	}
	if bit != 0 {
		b.bits[len(b.bits)-1] |= 1 << (b.nbits & 7)
	}
	b.nbits++
}

func (b *burst) bit(i int) int { return int(b.bits[i>>3]>>(i&7)) & 1 }

// candidate is one high-speed receiver listening for a training.
type candidate struct {
	mod modem.Modulation
	rx  dsp.Receiver
	v17 *v17.Receiver
	// base is the channel sample at which rx was built: receivers count
	// status times from their construction.
	base int64
	// after the carrier of a transmission drops, the receiver is rebuilt
	// (or restarted, for V.17) between blocks, ready for the next.
	rearm bool
	// V.17: trainedLong means the receiver holds a long train's
	// equalizer, so it listens for the short train next (pages after
	// TCF), unless fixedLong keeps it on the long train.
	trainedLong, fixedLong bool
}

// short reports whether a V.17 candidate listens for the short train.
func (cd *candidate) short() bool { return cd.v17 != nil && cd.trainedLong && !cd.fixedLong }

// channelDemod runs the receivers over one channel.
type channelDemod struct {
	index    int
	pos      int64 // channel samples consumed before the current block
	findings []finding

	cng, ced *tone.Detector
	cedStart int64
	cedLevel float64
	v21      *v21.Receiver
	v21hdlc  *hdlc.Decoder

	dcs        *t30.DCS // last DCS heard on this channel
	reconfig   bool
	candidates []*candidate
	owner      *candidate // the receiver that trained on the current transmission
	cur        *burst
	curAt      int64

	// The level of the current transmission: the mean square of its first
	// blocks, and how many blocks in a row have fallen 10 dB below it.
	refPower         float64
	refBlocks, quiet int
	quietAt          int64

	// floor follows the quietest recent level; a block 10 dB above it is
	// the onset of a transmission, where idle receivers are restarted.
	floor float64
	loud  bool
}

// onsetMin is the weakest onset considered: -50 dBm0.
var onsetMin = tone.MeanSquareOf(-50)

// refBlocksN blocks (100 ms) after a training set a transmission's level;
// quietBlocksN blocks (30 ms) 10 dB below it end the transmission even
// when noise holds the receiver's carrier detector up.
const (
	refBlocksN   = 10
	quietBlocksN = 3
)

func newChannelDemod(index int) *channelDemod {
	c := &channelDemod{index: index, floor: math.MaxFloat64}
	// A recording of both directions on one channel often has CNG and
	// CED at once (the caller keeps calling while the answerer answers):
	// a third of the energy at the tone's frequency is enough then; V.21
	// and the data modems spread theirs far wider.
	cngCfg, cedCfg := tone.CNGDetector(), tone.CEDDetector()
	cngCfg.Purity, cedCfg.Purity = 0.3, 0.3
	c.cng = tone.NewDetector(cngCfg, func(e tone.Event) {
		if e.Present {
			c.findings = append(c.findings, finding{at: e.Start, end: e.At, channel: c.index, kind: KindTone, tone: "CNG", level: e.LevelDBm0})
		}
	})
	c.ced = tone.NewDetector(cedCfg, func(e tone.Event) {
		if e.Present {
			c.cedStart, c.cedLevel = e.Start, e.LevelDBm0
			return
		}
		c.findings = append(c.findings, finding{at: c.cedStart, end: e.At, channel: c.index, kind: KindTone, tone: "CED", level: c.cedLevel})
	})
	c.v21hdlc = hdlc.NewDecoder(c.onV21Frame)
	c.v21hdlc.OnFraming(v21Flags, c.onV21Framing)
	c.v21 = v21.NewReceiver(v21.Config{}, c.v21hdlc.PutBit, nil)
	c.configure()
	return c
}

// v21Flags contiguous V.21 flags (about 0.27 s) mean the line carries
// T.30 control again: a high-speed transmission still "up" has ended, its
// receiver fooled by noise above its carrier-off threshold.
const v21Flags = 10

func (c *channelDemod) onV21Framing() {
	if c.owner == nil {
		return
	}
	cd := c.owner
	flags := int64(v21Flags * 8 * dsp.SampleRate / v21.BitRate)
	c.endBurst(max(c.curAt, c.pos+blockLen-flags))
	cd.rearm = true
}

func (c *channelDemod) onV21Frame(data []byte, ok bool) {
	at := c.pos + blockLen
	if !ok {
		// Garbage while a high-speed modem is on the line is expected:
		// V.21's band lies inside theirs. Keep only what looks like a
		// damaged T.30 frame.
		if c.owner == nil && len(data) >= 3 && data[0] == 0xFF && (data[1] == 0x03 || data[1] == 0x13) {
			c.findings = append(c.findings, finding{at: at, channel: c.index, kind: KindBadFrame, frame: append([]byte(nil), data...)})
		}
		return
	}
	var f t30.Frame
	if f.Unmarshal(data) != nil {
		return
	}
	c.findings = append(c.findings, finding{at: at, channel: c.index, kind: KindFrame, frame: append([]byte(nil), data...)})
	if f.FCF.Code() == t30.FCFDCS {
		var d t30.DCS
		if d.Unmarshal(f.Info) == nil && (c.dcs == nil || *c.dcs != d) {
			c.dcs = &d
			c.reconfig = true
		}
	}
}

// configure builds the high-speed receivers: those the last DCS chose, or
// one per family when no DCS has been heard.
func (c *channelDemod) configure() {
	c.endBurst(c.pos)
	c.candidates = c.candidates[:0]
	if c.dcs == nil {
		for _, m := range []modem.Modulation{modem.V17_14400, modem.V29_9600, modem.V27ter4800, modem.V27ter2400} {
			c.add(m, false)
		}
		return
	}
	m := c.dcs.Modulation
	c.add(m, false)
	if isV17(m) {
		// The first V.17 receiver moves to the short train once it has
		// trained on a long one (T.30 lets the pages after TCF use it,
		// see v17.Receiver.Restart); this one stays on the long train
		// for senders that train long for every page.
		c.add(m, true)
	}
}

func isV17(m modem.Modulation) bool {
	switch m {
	case modem.V17_7200, modem.V17_9600, modem.V17_12000, modem.V17_14400:
		return true
	}
	return false
}

func (c *channelDemod) add(m modem.Modulation, fixedLong bool) {
	cd := &candidate{mod: m, fixedLong: fixedLong}
	if c.build(cd) == nil {
		c.candidates = append(c.candidates, cd)
	}
}

// build (re)creates cd's receiver, starting at the current position.
func (c *channelDemod) build(cd *candidate) error {
	sink := func(bit int) {
		if c.owner == cd && c.cur != nil {
			c.cur.put(bit)
		}
	}
	status := func(s dsp.Status, at int64) { c.onStatus(cd, s, cd.base+at) }
	rate := cd.mod.BitRate()
	if cd.v17 != nil {
		// Restart keeps the equalizer (for the short train) and the
		// receiver's sample count, so base stays.
		return cd.v17.Restart(rate, cd.short())
	}
	cd.base = c.pos
	switch {
	case isV17(cd.mod):
		rx, err := v17.NewReceiver(v17.Config{Rate: rate}, sink, status)
		if err != nil {
			return err
		}
		cd.v17, cd.rx = rx, rx
	case cd.mod == modem.V29_9600 || cd.mod == modem.V29_7200:
		rx, err := v29.NewReceiver(v29.Config{Rate: rate}, sink, status)
		if err != nil {
			return err
		}
		cd.rx = rx
	default:
		rx, err := v27ter.NewReceiver(v27ter.Config{Rate: rate}, sink, status)
		if err != nil {
			return err
		}
		cd.rx = rx
	}
	return nil
}

func (c *channelDemod) onStatus(cd *candidate, s dsp.Status, at int64) {
	switch s {
	case dsp.Trained:
		if c.owner == nil {
			c.owner = cd
			c.cur = &burst{mod: cd.mod, short: cd.short()}
			c.curAt = at
			c.refPower, c.refBlocks, c.quiet = 0, 0, 0
		}
		if cd.v17 != nil {
			cd.trainedLong = true
		}
	case dsp.TrainingFailed:
		if c.owner == nil && c.dcs != nil && cd == c.candidates[0] {
			c.findings = append(c.findings, finding{at: at, channel: c.index, kind: KindTrainingFailed, burst: &burst{mod: cd.mod}})
		}
	case dsp.CarrierDown:
		if c.owner == cd {
			c.endBurst(at)
		}
		cd.rearm = true
	}
}

func (c *channelDemod) endBurst(at int64) {
	if c.cur != nil {
		c.findings = append(c.findings, finding{at: c.curAt, end: at, channel: c.index, kind: KindData, burst: c.cur})
	}
	c.cur, c.owner = nil, nil
}

// receive runs one block through every receiver.
func (c *channelDemod) receive(in []int16) {
	c.cng.Receive(in)
	c.ced.Receive(in)
	c.v21.Receive(in)
	var ms float64
	for _, x := range in {
		ms += float64(x) * float64(x)
	}
	ms /= float64(max(1, len(in)))
	// A receiver's carrier detector starts its hunt for a training when
	// the level crosses a fixed threshold; on a noisy line the noise alone
	// may hold it above, and the receiver, still hunting in the noise, can
	// miss the next training. Restarting the idle receivers at every onset
	// puts them where a training can begin.
	c.floor = min(c.floor*1.02, ms)
	loud := ms > 10*c.floor && ms > onsetMin
	if loud && !c.loud {
		for _, cd := range c.candidates {
			if cd != c.owner {
				cd.rearm = false
				_ = c.build(cd)
			}
		}
	}
	c.loud = loud
	for _, cd := range c.candidates {
		cd.rx.Receive(in)
	}
	c.pos += int64(len(in))
	if c.owner != nil {
		c.watchLevel(ms, len(in))
	}
	if c.reconfig {
		c.reconfig = false
		c.configure()
		return
	}
	for _, cd := range c.candidates {
		if cd.rearm && c.owner != cd {
			cd.rearm = false
			_ = c.build(cd) // cannot fail: it was built with these settings
		}
	}
}

// watchLevel ends the current transmission when its level drops by 10 dB:
// the carrier detectors of the receivers have fixed thresholds, and a noisy
// line can stay above them after the far modem has stopped.
func (c *channelDemod) watchLevel(ms float64, n int) {
	if c.refBlocks < refBlocksN {
		c.refPower += ms / refBlocksN
		c.refBlocks++
		return
	}
	if ms >= c.refPower/10 {
		c.quiet = 0
		return
	}
	if c.quiet == 0 {
		c.quietAt = c.pos - int64(n)
	}
	c.quiet++
	if c.quiet >= quietBlocksN {
		c.endBurst(c.quietAt)
	}
}

func (c *channelDemod) finish() {
	c.endBurst(c.pos)
}
