package line

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/softfax/softfax/dsp/g711"
)

// WAV format codes this reader understands (RIFF WAVE fmt chunk).
const (
	wavPCM        = 1
	wavALaw       = 6
	wavMuLaw      = 7
	wavExtensible = 0xfffe
)

// maxWAVChannels bounds the channels accepted: recordings of a call have one
// or two.
const maxWAVChannels = 8

// WAVAudio is a decoded WAV file.
type WAVAudio struct {
	// Channels holds each channel's samples, 16-bit linear at 8 kHz (other
	// rates are resampled). A line recording (WAVWriter with two
	// channels) has the received audio in Channels[0] and the transmitted
	// audio in Channels[1].
	Channels [][]int16
	// Rate and Format describe the file as it was: the sample rate and
	// "PCM 16-bit", "PCM 8-bit", "mu-law" or "A-law".
	Rate   int
	Format string
}

// DecodeWAV decodes a RIFF WAVE file of any channel count (up to 8) and
// sample rate, coded as 16-bit or 8-bit PCM, mu-law or A-law (G.711), the
// codings telephony tools record in. Audio at another rate than 8 kHz is
// resampled with a windowed-sinc low-pass interpolator. Errors wrap
// ErrWAVFormat.
func DecodeWAV(b []byte) (*WAVAudio, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: not RIFF/WAVE", ErrWAVFormat)
	}
	var format, channels, bitsPer, rate int
	haveFmt := false
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		p += 8
		if size < 0 || size > len(b)-p {
			size = len(b) - p // a truncated recording: take what is there
		}
		body := b[p : p+size]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, fmt.Errorf("%w: short fmt chunk", ErrWAVFormat)
			}
			format = int(binary.LittleEndian.Uint16(body))
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = int(binary.LittleEndian.Uint32(body[4:]))
			bitsPer = int(binary.LittleEndian.Uint16(body[14:]))
			if format == wavExtensible {
				// WAVE_FORMAT_EXTENSIBLE: the real code opens the
				// SubFormat GUID at offset 24.
				if len(body) < 26 {
					return nil, fmt.Errorf("%w: short extensible fmt chunk", ErrWAVFormat)
				}
				format = int(binary.LittleEndian.Uint16(body[24:]))
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data before fmt", ErrWAVFormat)
			}
			return decodeWAVData(body, format, channels, bitsPer, rate)
		}
		p += size + size&1
	}
	return nil, fmt.Errorf("%w: no data chunk", ErrWAVFormat)
}

func decodeWAVData(body []byte, format, channels, bitsPer, rate int) (*WAVAudio, error) {
	if channels < 1 || channels > maxWAVChannels {
		return nil, fmt.Errorf("%w: %d channels", ErrWAVFormat, channels)
	}
	if rate < 4000 || rate > 192000 {
		return nil, fmt.Errorf("%w: sample rate %d Hz", ErrWAVFormat, rate)
	}
	var width int
	var sample func([]byte) int16
	var name string
	switch {
	case format == wavPCM && bitsPer == 16:
		width, name = 2, "PCM 16-bit"
		sample = func(b []byte) int16 { return int16(binary.LittleEndian.Uint16(b)) }
	case format == wavPCM && bitsPer == 8:
		width, name = 1, "PCM 8-bit"
		sample = func(b []byte) int16 { return int16(int(b[0])-128) << 8 }
	case format == wavMuLaw && bitsPer == 8:
		width, name = 1, "mu-law"
		sample = func(b []byte) int16 { return g711.DecodeUlaw(b[0]) }
	case format == wavALaw && bitsPer == 8:
		width, name = 1, "A-law"
		sample = func(b []byte) int16 { return g711.DecodeAlaw(b[0]) }
	default:
		return nil, fmt.Errorf("%w: format %d with %d bits per sample", ErrWAVFormat, format, bitsPer)
	}
	frame := width * channels
	n := len(body) / frame
	out := &WAVAudio{Channels: make([][]int16, channels), Rate: rate, Format: name}
	for c := range out.Channels {
		ch := make([]int16, n)
		for i := range n {
			ch[i] = sample(body[i*frame+c*width:])
		}
		if rate != 8000 {
			ch = Resample(ch, rate, 8000)
		}
		out.Channels[c] = ch
	}
	return out, nil
}

// Resample converts samples at rate from to rate to with a Hann-windowed
// sinc interpolator whose cut-off sits below the lower Nyquist frequency,
// so that downsampling does not alias. It is meant for files, not for
// real-time paths: it costs about 32 multiplications per output sample.
func Resample(in []int16, from, to int) []int16 {
	if from == to || len(in) == 0 || from <= 0 || to <= 0 {
		return append([]int16(nil), in...)
	}
	const half = 16 // taps either side, at the lower rate's spacing
	n := int(int64(len(in)) * int64(to) / int64(from))
	out := make([]int16, n)
	step := float64(from) / float64(to)
	// Cut-off at 0.45 of the lower rate (as a fraction of the input rate).
	fc := 0.45 * math.Min(1, float64(to)/float64(from))
	span := float64(half) / (2 * fc) // kernel half-width in input samples
	for i := range out {
		t := float64(i) * step
		lo := int(math.Ceil(t - span))
		hi := int(math.Floor(t + span))
		var acc float64
		for k := max(lo, 0); k <= hi && k < len(in); k++ {
			x := float64(k) - t
			w := 0.5 + 0.5*math.Cos(math.Pi*x/span)
			acc += float64(in[k]) * 2 * fc * sinc(2*fc*x) * w
		}
		out[i] = int16(max(-32768, min(32767, math.Round(acc))))
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}
