package dsp

import "math"

// SampleRate is the one sample rate of the fax core: 8 kHz, as on the
// telephone network.
const SampleRate = 8000

// BitSource supplies a transmitter with data bits, one per call. It returns
// ok=false when it has nothing more to send; the transmitter then sends its
// trailer (or, for HDLC, flags) as its recommendation requires.
type BitSource func() (bit int, ok bool)

// BitSink receives demodulated data bits, one per call, in order.
type BitSink func(bit int)

// Status is a receiver's report about the signal it hears.
type Status int

// Receiver status changes, reported at the sample where they happen.
const (
	CarrierUp      Status = iota + 1 // energy in the modem's band, above the on threshold
	Trained                          // training recognised; data bits follow
	TrainingFailed                   // carrier present but training not recognised
	CarrierDown                      // energy fell below the off threshold
)

func (s Status) String() string {
	switch s {
	case CarrierUp:
		return "carrier up"
	case Trained:
		return "trained"
	case TrainingFailed:
		return "training failed"
	case CarrierDown:
		return "carrier down"
	}
	return "unknown status"
}

// StatusFunc receives a receiver's status changes. at is the index, counted
// from the receiver's start, of the sample at which the change happened.
type StatusFunc func(s Status, at int64)

// Transmitter produces modem audio.
type Transmitter interface {
	// Transmit fills out with samples and returns how many it wrote; fewer
	// than len(out) means the transmitter has finished (trailer sent).
	Transmit(out []int16) int
}

// Receiver consumes modem audio.
type Receiver interface {
	// Receive demodulates a block of samples of any length, calling the
	// receiver's BitSink and StatusFunc as bits and changes appear.
	Receive(in []int16)
}

// Levels are in dBm0, relative to the G.711 digital milliwatt: a full-scale
// sine (peak 32767) is +3.14 dBm0, the convention of G.168 and spandsp.
const fullScaleSineDBm0 = 3.14

// SineAmplitude returns the peak amplitude of a sine at level dBm0.
func SineAmplitude(dBm0 float64) float64 {
	return 32767 * math.Pow(10, (dBm0-fullScaleSineDBm0)/20)
}

// PowerDBm0 converts a mean-square sample value into dBm0. Silence is -inf.
func PowerDBm0(meanSquare float64) float64 {
	// A full-scale sine has mean square 32767²/2.
	return 10*math.Log10(meanSquare/(32767.0*32767.0/2)) + fullScaleSineDBm0
}
