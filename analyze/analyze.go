package analyze

import (
	"errors"
	"fmt"
	"slices"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/line"
	"github.com/softfax/softfax/t30"
)

// Kind says what an Event is.
type Kind int

// Event kinds.
const (
	KindTone           Kind = iota + 1 // CNG or CED
	KindFrame                          // a T.30 frame on V.21 with a good FCS
	KindBadFrame                       // a V.21 frame with a bad FCS
	KindData                           // a high-speed transmission: TCF, page or ECM block
	KindTrainingFailed                 // the expected high-speed modem did not train
	KindProblem                        // the diagnosis: where the call went wrong
)

// Direction says which terminal sent a signal.
type Direction int

// Directions.
const (
	DirUnknown Direction = iota
	FromCaller           // the calling terminal (the sender, unless polling)
	FromCalled           // the called terminal
)

// Arrow is the direction as the timeline prints it, from the called
// station's side: "<-" what the caller sent, "->" what the called station
// sent.
func (d Direction) Arrow() string {
	switch d {
	case FromCaller:
		return "<-"
	case FromCalled:
		return "->"
	}
	return "  "
}

// Event is one line of the timeline.
type Event struct {
	At      int64     `json:"at"`            // sample index at 8 kHz
	End     int64     `json:"end,omitempty"` // for tones and transmissions
	Channel int       `json:"channel"`
	Dir     Direction `json:"dir"`
	Kind    Kind      `json:"kind"`
	Signal  string    `json:"signal,omitempty"` // "tone", "V.21", "V.17 14400", ...
	Name    string    `json:"name"`             // CNG, DCS, TCF, "page 2", "ECM block", ...
	Detail  string    `json:"detail,omitempty"` // the words

	// Frame is the T.30 frame of a KindFrame event (address, control, FCF,
	// information; no FCS).
	Frame []byte `json:"frame,omitempty"`
	// TCF: the zeros and ones received (ones after the last zero are the
	// modem's trailer and not counted).
	Zeros int `json:"zeros,omitempty"`
	Ones  int `json:"ones,omitempty"`
	// Page statistics (non-ECM pages and confirmed ECM pages).
	Rows    int `json:"rows,omitempty"`
	BadRows int `json:"bad_rows,omitempty"`
}

// FCF returns the event's T.30 control field without its X bit (0 for
// other events).
func (e Event) FCF() t30.FCF {
	if e.Kind != KindFrame || len(e.Frame) < 3 {
		return 0
	}
	return t30.FCF(e.Frame[2]).Code()
}

// Report is the analysis of one recording.
type Report struct {
	Channels int      `json:"channels"`
	Samples  int64    `json:"samples"`          // length of the recording at 8 kHz
	Format   string   `json:"format,omitempty"` // of the file, when read from one
	Rate     int      `json:"rate"`             // of the file
	Events   []Event  `json:"events"`           // in time order
	Problems []string `json:"problems"`
	// Pages counts the pages the receiver confirmed (MCF or RTP).
	Pages int `json:"pages"`
	// Complete: the document ended with EOP (or PPS-EOP) answered by MCF.
	Complete bool `json:"complete"`
}

// ErrNoAudio is returned for a recording without samples.
var ErrNoAudio = errors.New("analyze: recording has no audio")

// File analyzes a WAV file's bytes (any of line.DecodeWAV's formats).
func File(wav []byte) (*Report, error) {
	a, err := line.DecodeWAV(wav)
	if err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	r, err := Channels(a.Channels)
	if err != nil {
		return nil, err
	}
	r.Format, r.Rate = a.Format, a.Rate
	return r, nil
}

// Channels analyzes a recording given as 8 kHz channels. One channel holds
// both directions (a tap on the line); two hold one direction each.
func Channels(chans [][]int16) (*Report, error) {
	var n int64
	for _, c := range chans {
		n = max(n, int64(len(c)))
	}
	if n == 0 {
		return nil, ErrNoAudio
	}
	var all []finding
	for i, samples := range chans {
		d := newChannelDemod(i)
		for p := 0; p < len(samples); p += blockLen {
			d.receive(samples[p:min(p+blockLen, len(samples))])
		}
		d.finish()
		all = append(all, d.findings...)
	}
	slices.SortStableFunc(all, func(a, b finding) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return a.channel - b.channel
	})
	r := &Report{Channels: len(chans), Samples: n, Rate: dsp.SampleRate}
	interpret(r, all)
	return r, nil
}

var kindNames = map[Kind]string{
	KindTone: "tone", KindFrame: "frame", KindBadFrame: "bad frame", KindData: "data",
	KindTrainingFailed: "training failed", KindProblem: "problem",
}

func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// MarshalText names the kind in JSON reports.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for v, n := range kindNames {
		if n == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("analyze: unknown event kind %q", b)
}

func (d Direction) String() string {
	switch d {
	case FromCaller:
		return "caller"
	case FromCalled:
		return "called"
	}
	return "unknown"
}

// MarshalText names the direction in JSON reports: the station that sent.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a direction's name.
func (d *Direction) UnmarshalText(b []byte) error {
	for _, v := range []Direction{DirUnknown, FromCaller, FromCalled} {
		if v.String() == string(b) {
			*d = v
			return nil
		}
	}
	return fmt.Errorf("analyze: unknown direction %q", b)
}
