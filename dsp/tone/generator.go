package tone

import (
	"math"

	"github.com/softfax/softfax/dsp"
)

// Connect tone parameters (T.30 §4.1.2 and §4.1.3).
const (
	CNGHz = 1100
	CEDHz = 2100

	// CNG cadence: 0.5 s on, 3 s off (each ±15 %).
	CNGOnSamples  = dsp.SampleRate / 2
	CNGOffSamples = 3 * dsp.SampleRate

	// CEDSamples is the CED duration softfax sends, 3.3 s, in the middle
	// of T.30's 2.6 to 4 s.
	CEDSamples = 33 * dsp.SampleRate / 10

	// DefaultLevelDBm0 is the level of generated tones when none is given.
	DefaultLevelDBm0 = -11
)

const (
	sineBits = 10
	sineLen  = 1 << sineBits
)

var sineTable = func() (t [sineLen]float32) {
	for i := range t {
		t[i] = float32(math.Sin(2 * math.Pi * float64(i) / sineLen))
	}
	return t
}()

// GeneratorConfig describes a cadenced single-frequency tone.
type GeneratorConfig struct {
	Hz        float64
	LevelDBm0 float64 // 0 selects DefaultLevelDBm0
	On, Off   int     // cadence in samples; Off 0 means a continuous tone
	Total     int     // samples to generate in all; 0 means no end
}

// CNG returns the configuration of the calling tone, repeated without end.
func CNG(levelDBm0 float64) GeneratorConfig {
	return GeneratorConfig{Hz: CNGHz, LevelDBm0: levelDBm0, On: CNGOnSamples, Off: CNGOffSamples}
}

// CED returns the configuration of the answer tone, CEDSamples long.
func CED(levelDBm0 float64) GeneratorConfig {
	return GeneratorConfig{Hz: CEDHz, LevelDBm0: levelDBm0, On: CEDSamples, Total: CEDSamples}
}

// Generator produces a tone; it implements dsp.Transmitter and does not
// allocate.
type Generator struct {
	cfg       GeneratorConfig
	amplitude float32
	step      uint32
	phase     uint32
	n         int // samples generated
}

// NewGenerator returns a generator for cfg.
func NewGenerator(cfg GeneratorConfig) *Generator {
	level := cfg.LevelDBm0
	if level == 0 {
		level = DefaultLevelDBm0
	}
	return &Generator{
		cfg:       cfg,
		amplitude: float32(dsp.SineAmplitude(level)),
		step:      uint32(math.Round(cfg.Hz / dsp.SampleRate * (1 << 32))),
	}
}

// Transmit fills out; it returns fewer than len(out) when the tone's total
// duration is reached. Each burst starts at phase zero, so bursts begin
// and end cleanly.
func (g *Generator) Transmit(out []int16) int {
	for i := range out {
		if g.cfg.Total > 0 && g.n >= g.cfg.Total {
			return i
		}
		on := true
		if g.cfg.Off > 0 {
			period := g.cfg.On + g.cfg.Off
			pos := g.n % period
			on = pos < g.cfg.On
			if pos == 0 {
				g.phase = 0
			}
		}
		if on {
			out[i] = int16(g.amplitude * sineTable[g.phase>>(32-sineBits)])
			g.phase += g.step
		} else {
			out[i] = 0
		}
		g.n++
	}
	return len(out)
}
