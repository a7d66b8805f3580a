package spool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/softfax/softfax/t4"
)

// Sidecar is the optional FILE.json beside an outbound FILE.
type Sidecar struct {
	To         string `json:"to"`         // the number to fax to
	From       string `json:"from"`       // our fax identity (TSI) for this job; default the station's
	Notify     string `json:"notify"`     // email address told of the outcome
	Resolution string `json:"resolution"` // standard, fine (default) or superfine
	Tries      int    `json:"tries"`      // calls to try; 0 means the service's default
}

// MaxSidecar bounds the size of a sidecar file.
const MaxSidecar = 64 << 10

// ErrSidecar is wrapped by every sidecar problem.
var ErrSidecar = errors.New("spool: bad sidecar")

// ParseSidecar decodes and checks a sidecar. Unknown fields are an error,
// so a misspelt "notfiy" is not silently ignored.
func ParseSidecar(b []byte) (Sidecar, error) {
	var s Sidecar
	if len(b) > MaxSidecar {
		return s, fmt.Errorf("%w: larger than %d bytes", ErrSidecar, MaxSidecar)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Sidecar{}, fmt.Errorf("%w: %w", ErrSidecar, err)
	}
	if dec.More() {
		return Sidecar{}, fmt.Errorf("%w: data after the JSON object", ErrSidecar)
	}
	if s.To != "" {
		n, err := NormalizeNumber(s.To)
		if err != nil {
			return Sidecar{}, fmt.Errorf("%w: to: %w", ErrSidecar, err)
		}
		s.To = n
	}
	if _, err := ParseResolution(s.Resolution); err != nil {
		return Sidecar{}, fmt.Errorf("%w: %w", ErrSidecar, err)
	}
	if s.Tries < 0 || s.Tries > 20 {
		return Sidecar{}, fmt.Errorf("%w: tries %d: want 0 to 20", ErrSidecar, s.Tries)
	}
	if s.Notify != "" && (strings.ContainsAny(s.Notify, "\r\n<>,; ") || !strings.Contains(s.Notify, "@")) {
		return Sidecar{}, fmt.Errorf("%w: notify %q is not one email address", ErrSidecar, s.Notify)
	}
	if len(s.From) > 20 || strings.IndexFunc(s.From, func(r rune) bool { return r < ' ' || r > '~' }) >= 0 {
		return Sidecar{}, fmt.Errorf("%w: from: a fax identity is at most 20 printable ASCII characters", ErrSidecar)
	}
	return s, nil
}

// ParseResolution maps a sidecar's resolution name to a fax resolution.
func ParseResolution(s string) (t4.Resolution, error) {
	switch strings.ToLower(s) {
	case "", "fine":
		return t4.Fine, nil
	case "standard", "normal":
		return t4.Standard, nil
	case "superfine":
		return t4.Superfine, nil
	}
	return t4.Resolution{}, fmt.Errorf("resolution %q: want standard, fine or superfine", s)
}

// ErrNumber says a destination is not a phone number.
var ErrNumber = errors.New("not a phone number")

// NormalizeNumber turns a dialled number as people write it ("+1 (555)
// 010-0100") into what is dialled: an optional leading '+', then digits, '*'
// and '#'. Anything else is refused, so a file name never reaches a dial
// string with other characters in it.
func NormalizeNumber(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", fmt.Errorf("%q: %w", s, ErrNumber)
		}
	}
	n := b.String()
	if len(strings.TrimPrefix(n, "+")) == 0 || len(n) > 32 {
		return "", fmt.Errorf("%q: %w", s, ErrNumber)
	}
	return n, nil
}
