package qam

import (
	"math"

	"github.com/softfax/softfax/dsp"
)

// CarrierDetect decides whether a modem signal is present from the signal
// power, with hysteresis: it turns on above the on level and off only below
// the lower off level, so a signal near one threshold does not chatter.
//
// Make one with NewCarrierDetect: the zero value never turns on.
type CarrierDetect struct {
	on, off float64 // mean-square thresholds
	offBase float64 // off threshold as configured, restored at carrier off
	power   float64 // running mean square
	up      bool
	// floor, after a carrier ended at a raised off threshold, is the
	// lowest power seen since: a new carrier must rise 6 dB above it (and
	// above the on level), so neither the tail of the signal that just
	// ended nor line noise above the on level counts as a new one.
	floor float64
	// stayUp is off while the carrier is up and +Inf otherwise, so that
	// Push's common case, a carrier staying up, is one comparison.
	stayUp float64
}

// powerShift sets the power meter's time constant: 2^5 = 32 samples (4 ms),
// fast enough to report a carrier within a few milliseconds and to smooth
// the envelope of a QAM signal.
const powerShift = 5

// NewCarrierDetect returns a detector that turns on at onDBm0 and off at
// offDBm0 (which should be a few dB lower).
func NewCarrierDetect(onDBm0, offDBm0 float64) CarrierDetect {
	off := meanSquare(offDBm0)
	return CarrierDetect{on: meanSquare(onDBm0), off: off, offBase: off, stayUp: math.Inf(1)}
}

func meanSquare(dBm0 float64) float64 {
	a := dsp.SineAmplitude(dBm0)
	return a * a / 2
}

// Push takes one sample and reports whether the carrier state changed with
// it.
func (c *CarrierDetect) Push(x float64) (changed bool) {
	c.power += (x*x - c.power) * (1.0 / (1 << powerShift))
	if c.power >= c.stayUp { // the common case: the carrier stays up
		return false
	}
	return c.decide()
}

// decide is Push's exact path: whether the new power changes the state.
func (c *CarrierDetect) decide() (changed bool) {
	changed = c.transition()
	c.stayUp = math.Inf(1)
	if c.up {
		c.stayUp = c.off
	}
	return changed
}

func (c *CarrierDetect) transition() (changed bool) {
	if c.up {
		if c.power < c.off {
			c.up = false
			if c.off > c.offBase {
				c.floor = c.power
			}
			c.off = c.offBase
			return true
		}
	} else if c.floor != 0 {
		c.floor = min(c.floor, c.power)
		if c.power > c.on && c.power > 4*c.floor {
			c.up, c.floor = true, 0
			return true
		}
	} else if c.power > c.on {
		c.up = true
		return true
	}
	return false
}

// RaiseOff lifts the off threshold, for the current carrier only, to
// meanSquare (never below the configured one). A receiver that has
// measured its signal calls it so the carrier ends when the signal does,
// even on a line whose noise is above the configured off level. After such
// an end a new carrier must also rise 6 dB above the lowest power seen
// since (the line's noise floor).
func (c *CarrierDetect) RaiseOff(meanSquare float64) {
	c.off = max(c.offBase, meanSquare)
	if c.up {
		c.stayUp = c.off
	}
}

// Up reports whether a carrier is present.
func (c *CarrierDetect) Up() bool { return c.up }

// Power returns the running mean-square power, in linear sample units².
func (c *CarrierDetect) Power() float64 { return c.power }

// Reset forgets the measured power and drops the carrier.
func (c *CarrierDetect) Reset() {
	c.power, c.up, c.off, c.floor, c.stayUp = 0, false, c.offBase, 0, math.Inf(1)
}
