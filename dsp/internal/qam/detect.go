package qam

import "github.com/softfax/softfax/dsp"

// CarrierDetect decides whether a modem signal is present from the signal
// power, with hysteresis: it turns on above the on level and off only below
// the lower off level, so a signal near one threshold does not chatter.
type CarrierDetect struct {
	on, off float64 // mean-square thresholds
	power   float64 // running mean square
	up      bool
}

// powerShift sets the power meter's time constant: 2^5 = 32 samples (4 ms),
// fast enough to report a carrier within a few milliseconds and to smooth
// the envelope of a QAM signal.
const powerShift = 5

// NewCarrierDetect returns a detector that turns on at onDBm0 and off at
// offDBm0 (which should be a few dB lower).
func NewCarrierDetect(onDBm0, offDBm0 float64) CarrierDetect {
	return CarrierDetect{on: meanSquare(onDBm0), off: meanSquare(offDBm0)}
}

func meanSquare(dBm0 float64) float64 {
	a := dsp.SineAmplitude(dBm0)
	return a * a / 2
}

// Push takes one sample and reports whether the carrier state changed with
// it.
func (c *CarrierDetect) Push(x float64) (changed bool) {
	c.power += (x*x - c.power) * (1.0 / (1 << powerShift))
	if c.up {
		if c.power < c.off {
			c.up = false
			return true
		}
	} else if c.power > c.on {
		c.up = true
		return true
	}
	return false
}

// Up reports whether a carrier is present.
func (c *CarrierDetect) Up() bool { return c.up }

// Power returns the running mean-square power, in linear sample units².
func (c *CarrierDetect) Power() float64 { return c.power }

// Reset forgets the measured power and drops the carrier.
func (c *CarrierDetect) Reset() { c.power, c.up = 0, false }
