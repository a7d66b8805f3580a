package v21

import (
	"math"

	"github.com/softfax/softfax/dsp"
)

// V.21 channel 2 (V.21 §2, §3): nominal mean frequency 1750 Hz, deviation
// ±100 Hz, 300 bit/s.
const (
	MarkHz   = 1650 // binary 1
	SpaceHz  = 1850 // binary 0
	CentreHz = 1750
	BitRate  = 300
)

// DefaultLevelDBm0 is the transmit level used when Config.LevelDBm0 is 0:
// T.30 fax terminals transmit between -13 and -10 dBm0 or so; this is the
// level spandsp and iaxmodem use for V.21.
const DefaultLevelDBm0 = -14

// Config selects a transmitter's level; a Receiver takes it too, for the
// same constructor shape as the other modems, and needs nothing from it.
type Config struct {
	LevelDBm0 float64 // 0 selects DefaultLevelDBm0
}

const (
	sineBits = 10 // 1024-entry sine table: spurs below -60 dB
	sineLen  = 1 << sineBits
)

var sineTable = func() (t [sineLen]float32) {
	for i := range t {
		t[i] = float32(math.Sin(2 * math.Pi * float64(i) / sineLen))
	}
	return t
}()

func phaseStep(hz float64) uint32 {
	return uint32(math.Round(hz / dsp.SampleRate * (1 << 32)))
}

// Transmitter generates V.21 channel 2 audio from a bit source. The
// frequency switches at bit boundaries with a continuous phase, so the
// spectrum stays clean. It does not allocate.
type Transmitter struct {
	src       dsp.BitSource
	amplitude float32
	phase     uint32
	step      uint32
	tick      int // bit clock: +BitRate per sample, a new bit at SampleRate
	started   bool
	done      bool
}

// NewTransmitter returns a transmitter sending the bits of src.
func NewTransmitter(cfg Config, src dsp.BitSource) *Transmitter {
	t := &Transmitter{}
	t.Restart(cfg, src)
	return t
}

// Restart makes the transmitter start a new transmission from src.
func (t *Transmitter) Restart(cfg Config, src dsp.BitSource) {
	level := cfg.LevelDBm0
	if level == 0 {
		level = DefaultLevelDBm0
	}
	*t = Transmitter{src: src, amplitude: float32(dsp.SineAmplitude(level))}
}

// Transmit fills out with samples; it returns fewer than len(out) when the
// source has run dry at a bit boundary (no trailer: V.21 simply stops).
func (t *Transmitter) Transmit(out []int16) int {
	if t.done {
		return 0
	}
	for i := range out {
		if !t.started || t.tick >= dsp.SampleRate {
			if t.done {
				return i
			}
			t.tick -= dsp.SampleRate
			if !t.started {
				t.tick, t.started = 0, true
			}
			bit, ok := t.src()
			if !ok {
				t.done = true
				return i
			}
			if bit != 0 {
				t.step = phaseStep(MarkHz)
			} else {
				t.step = phaseStep(SpaceHz)
			}
		}
		out[i] = int16(t.amplitude * sineTable[t.phase>>(32-sineBits)])
		t.phase += t.step
		t.tick += BitRate
	}
	return len(out)
}
