package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Config is the whole of softfax.toml. The zero value is not valid; use
// Default, or Load/Parse, which start from Default.
type Config struct {
	// StationID is the fax number we present as TSI/CSI (T.30, 20 characters
	// at most: digits, space and '+').
	StationID string `toml:"station_id"`
	// Header is our name as presented to the called party: IAX2
	// CALLING_NAME, and the name in the header line stamped at the top of
	// each page we send (with date, time, station ID, number and page).
	Header string `toml:"header"`
	// Spool is the root of the outbound queue and the inbound archive.
	Spool string `toml:"spool"`
	// Templates is a folder whose files override the embedded templates.
	Templates string `toml:"templates"`
	// HTTP is an optional address for /metrics and /healthz.
	HTTP string `toml:"http"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `toml:"log_level"`
	// GCPercent is the garbage collector's target (what GOGC sets, which
	// wins when it is set): the heap may grow this many percent over the
	// live data before the next collection. softfax's live heap is small
	// (about half a MB per busy line) and its garbage comes in bursts as
	// calls start and end, so the resident size follows the target.
	// Measured growth per busy line (8 lines, 1-page / 5-page faxes): 100
	// (Go's default) 2.2 / 3.2 MB, 25 1.2-1.4 / 1.8-2.1 MB, 10 1.2 /
	// 1.6-1.8 MB, with CPU time within the runs' noise (6.3-7.5% of a core
	// for 8 lines): collecting a heap this small takes about a millisecond.
	// 5 to 1000.
	GCPercent int `toml:"gc_percent"`

	IAX   IAX     `toml:"iax"`
	Lines Lines   `toml:"lines"`
	Retry Retry   `toml:"retry"`
	SMTP  SMTP    `toml:"smtp"`
	Route []Route `toml:"route"`

	// File is the path the configuration was read from ("" for Default).
	File string `toml:"-"`
}

// IAX says how softfax meets the telephone network.
type IAX struct {
	// Listen is our UDP address.
	Listen string `toml:"listen"`
	// Server is the PBX to register with ("host:port"), or "" to only
	// accept calls from Peers.
	Server string `toml:"server"`
	// User and Secret are our credentials at Server.
	User   string `toml:"user"`
	Secret string `toml:"secret"`
	// Refresh is the registration refresh interval we ask for.
	Refresh Duration `toml:"refresh"`
	// Peers may call us (and register with us) with these credentials.
	Peers []Peer `toml:"peer"`
	// Dial is the IAX2 peer to send outbound faxes through ("host:port");
	// default Server.
	Dial string `toml:"dial"`
}

// Peer is one IAX2 peer allowed to call us.
type Peer struct {
	User   string `toml:"user"`
	Secret string `toml:"secret"`
}

// Lines is how many fax channels the service runs.
type Lines struct {
	Count int `toml:"count"`
	// Outbound caps the lines outbound jobs may hold at once, keeping the
	// rest free to answer; 0 means all of them.
	Outbound int `toml:"outbound"`
	// Kind is "internal" (softfax's own T.30) for every line.
	Kind string `toml:"kind"`
	// RealTime runs each call's 20 ms audio loop on its own thread at
	// real-time priority (SCHED_FIFO; needs root, CAP_SYS_NICE or an
	// RLIMIT_RTPRIO, else the line logs it and runs at normal priority):
	// on a busy host a late loop sends its frames in bursts, which the
	// far end's jitter buffer and skew tracking take for a bad line.
	RealTime bool `toml:"realtime"`
}

// Retry is the retry policy of outbound jobs and of deliveries.
type Retry struct {
	// Tries is how many calls an outbound job may make (a sidecar may ask
	// for fewer or more, up to 20).
	Tries int `toml:"tries"`
	// Backoff is the wait after the first failed call; it doubles each
	// time up to MaxBackoff.
	Backoff    Duration `toml:"backoff"`
	MaxBackoff Duration `toml:"max_backoff"`
	// DeliveryBackoff and DeliveryMaxBackoff pace retries of email and
	// folder deliveries; a delivery is retried until DeliveryGiveUp.
	DeliveryBackoff    Duration `toml:"delivery_backoff"`
	DeliveryMaxBackoff Duration `toml:"delivery_max_backoff"`
	DeliveryGiveUp     Duration `toml:"delivery_give_up"`
}

// SMTP is the mail server deliveries go through. With Host empty, emails
// are written as .eml files into EMLDir instead.
type SMTP struct {
	Host string `toml:"host"`
	Port int    `toml:"port"`
	// TLS is "starttls" (default), "tls" (implicit, port 465) or "none".
	TLS      string `toml:"tls"`
	User     string `toml:"user"`
	Password string `toml:"password"`
	From     string `toml:"from"`
	// EMLDir receives .eml files when Host is empty; default SPOOL/mail.
	EMLDir string `toml:"eml_dir"`
	// InsecureSkipVerify accepts any server certificate (tests only).
	InsecureSkipVerify bool `toml:"insecure_skip_verify"`
}

// Route sends faxes for some DIDs to email addresses and/or a folder.
// Exactly one of DID, Prefix and Default selects it; an exact match wins
// over the longest prefix, which wins over the default.
type Route struct {
	DID     string   `toml:"did"`
	Prefix  string   `toml:"prefix"`
	Default bool     `toml:"default"`
	Email   []string `toml:"email"`
	Folder  string   `toml:"folder"`
	// Formats are "pdf" and/or "tiff"; default ["pdf"].
	Formats []string `toml:"formats"`
}

// Duration is a time.Duration written as "90s" or "5m" in TOML.
type Duration time.Duration

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration (like 30s, 5m, 1h): %q", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as Go does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Default is the configuration of an empty file.
func Default() Config {
	return Config{
		StationID: "",
		Header:    "softfax",
		Spool:     "/var/spool/softfax",
		LogLevel:  "info",
		GCPercent: 10,
		IAX: IAX{
			Listen:  ":4569",
			Refresh: Duration(60 * time.Second),
		},
		Lines: Lines{Count: 4, Kind: "internal", RealTime: true},
		Retry: Retry{
			Tries:              3,
			Backoff:            Duration(2 * time.Minute),
			MaxBackoff:         Duration(30 * time.Minute),
			DeliveryBackoff:    Duration(30 * time.Second),
			DeliveryMaxBackoff: Duration(30 * time.Minute),
			DeliveryGiveUp:     Duration(72 * time.Hour),
		},
		SMTP: SMTP{Port: 0, TLS: "starttls", From: "softfax@localhost"},
	}
}

// Error is a configuration problem: the file, the line (0 if unknown), the
// setting (dotted key) and what is wrong.
type Error struct {
	File    string
	Line    int
	Setting string
	Msg     string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if e.Setting != "" {
		b.WriteString(": " + e.Setting)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Load reads and checks the file at path.
func Load(path string) (Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return Parse(path, src)
}

// Parse decodes src (named name in errors) over Default and checks it. An
// unknown setting is an error, so a typo does not silently fall back to a
// default. All problems are returned, joined.
func Parse(name string, src []byte) (Config, error) {
	c := Default()
	c.File = name
	dec := toml.NewDecoder(bytes.NewReader(src)).DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var sm *toml.StrictMissingError
		var de *toml.DecodeError
		switch {
		case errors.As(err, &sm):
			errs := make([]error, 0, len(sm.Errors))
			for i := range sm.Errors {
				row, _ := sm.Errors[i].Position()
				errs = append(errs, &Error{File: name, Line: row, Setting: strings.Join(sm.Errors[i].Key(), "."), Msg: "unknown setting"})
			}
			return Config{}, errors.Join(errs...)
		case errors.As(err, &de):
			row, _ := de.Position()
			return Config{}, &Error{File: name, Line: row, Setting: strings.Join(de.Key(), "."), Msg: de.Error()}
		default:
			return Config{}, &Error{File: name, Msg: err.Error()}
		}
	}
	if errs := c.check(src); len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// check validates the settings the decoder could not: ranges, choices,
// addresses. src locates the offending line.
func (c *Config) check(src []byte) []error {
	var errs []error
	bad := func(table string, index int, key, format string, a ...any) {
		errs = append(errs, &Error{
			File: c.File, Line: lineOf(src, table, index, key),
			Setting: dotted(table, index, key), Msg: fmt.Sprintf(format, a...),
		})
	}
	if len(c.StationID) > 20 || strings.Trim(c.StationID, "+0123456789 ") != "" {
		bad("", 0, "station_id", "want at most 20 digits, spaces and '+', got %q", c.StationID)
	}
	if c.Spool == "" {
		bad("", 0, "spool", "must not be empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("", 0, "log_level", "want debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.GCPercent < 5 || c.GCPercent > 1000 {
		bad("", 0, "gc_percent", "want 5 to 1000, got %d", c.GCPercent)
	}
	if c.HTTP != "" {
		if _, _, err := net.SplitHostPort(c.HTTP); err != nil {
			bad("", 0, "http", "want host:port, got %q", c.HTTP)
		}
	}
	for _, a := range []struct{ key, v string }{{"listen", c.IAX.Listen}, {"server", c.IAX.Server}, {"dial", c.IAX.Dial}} {
		if a.v == "" && a.key != "listen" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.v); err != nil {
			bad("iax", 0, a.key, "want host:port, got %q", a.v)
		}
	}
	if c.IAX.Server != "" && c.IAX.User == "" {
		bad("iax", 0, "user", "registering with %s needs a user", c.IAX.Server)
	}
	if r := c.IAX.Refresh.D(); r < 10*time.Second || r > time.Hour {
		bad("iax", 0, "refresh", "want 10s to 1h, got %s", r)
	}
	for i, p := range c.IAX.Peers {
		if p.User == "" {
			bad("iax.peer", i, "user", "a peer needs a user")
		}
	}
	if c.Lines.Count < 1 || c.Lines.Count > 256 {
		bad("lines", 0, "count", "want 1 to 256, got %d", c.Lines.Count)
	}
	if c.Lines.Outbound < 0 || c.Lines.Outbound > c.Lines.Count {
		bad("lines", 0, "outbound", "want 0 (all) to count (%d), got %d", c.Lines.Count, c.Lines.Outbound)
	}
	if c.Lines.Kind != "internal" {
		bad("lines", 0, "kind", "softfax serve runs internal lines only, got %q (pty lines: softfax modem)", c.Lines.Kind)
	}
	if c.Retry.Tries < 1 || c.Retry.Tries > 20 {
		bad("retry", 0, "tries", "want 1 to 20, got %d", c.Retry.Tries)
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"backoff", c.Retry.Backoff}, {"max_backoff", c.Retry.MaxBackoff}, {"delivery_backoff", c.Retry.DeliveryBackoff}, {"delivery_max_backoff", c.Retry.DeliveryMaxBackoff}, {"delivery_give_up", c.Retry.DeliveryGiveUp}} {
		if d.v <= 0 {
			bad("retry", 0, d.key, "must be positive, got %s", d.v.D())
		}
	}
	switch c.SMTP.TLS {
	case "starttls", "tls", "none":
	default:
		bad("smtp", 0, "tls", "want starttls, tls or none, got %q", c.SMTP.TLS)
	}
	if c.SMTP.Port < 0 || c.SMTP.Port > 65535 {
		bad("smtp", 0, "port", "want 1 to 65535, got %d", c.SMTP.Port)
	}
	if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
		bad("smtp", 0, "from", "not an email address: %q", c.SMTP.From)
	}
	if c.SMTP.User != "" && c.SMTP.TLS == "none" {
		bad("smtp", 0, "user", "refusing to send a password without TLS (set tls to starttls or tls)")
	}
	defaults := 0
	for i := range c.Route {
		r := &c.Route[i]
		sel := 0
		if r.DID != "" {
			sel++
		}
		if r.Prefix != "" {
			sel++
		}
		if r.Default {
			sel++
			defaults++
		}
		if sel != 1 {
			bad("route", i, "did", "a route needs exactly one of did, prefix or default = true")
		}
		if len(r.Email) == 0 && r.Folder == "" {
			bad("route", i, "email", "a route needs email addresses and/or a folder")
		}
		for _, a := range r.Email {
			if _, err := mail.ParseAddress(a); err != nil {
				bad("route", i, "email", "not an email address: %q", a)
			}
		}
		if len(r.Formats) == 0 {
			r.Formats = []string{"pdf"}
		}
		for _, f := range r.Formats {
			if f != "pdf" && f != "tiff" {
				bad("route", i, "formats", "want pdf and/or tiff, got %q", f)
			}
		}
	}
	if defaults > 1 {
		bad("", 0, "route", "more than one default route")
	}
	return errs
}

// Addr is host:port of the mail server, with the port TLS implies.
func (s SMTP) Addr() string {
	p := s.Port
	if p == 0 {
		switch s.TLS {
		case "tls":
			p = 465
		case "none":
			p = 25
		default:
			p = 587
		}
	}
	return net.JoinHostPort(s.Host, strconv.Itoa(p))
}

func dotted(table string, index int, key string) string {
	switch {
	case table == "":
		return key
	case table == "route" || strings.HasSuffix(table, ".peer"):
		return fmt.Sprintf("%s[%d].%s", table, index, key)
	default:
		return table + "." + key
	}
}

// lineOf finds the 1-based line where key is set inside table (the
// index-th [[table]] for arrays of tables), or of the table header if the
// key is absent, or 0. It is a locator for messages, not a TOML parser.
func lineOf(src []byte, table string, index int, key string) int {
	cur, seen, header := "", map[string]int{}, 0
	for i, raw := range strings.Split(string(src), "\n") {
		l := strings.TrimSpace(raw)
		if strings.HasPrefix(l, "[") {
			name := strings.Trim(l, "[] \t")
			if j := strings.IndexByte(name, ']'); j >= 0 {
				name = name[:j]
			}
			cur = name
			n := seen[name]
			seen[name]++
			if name == table && n == index {
				header = i + 1
			}
			continue
		}
		if cur != table || seen[cur]-1 != index && table != "" {
			continue
		}
		k, _, ok := strings.Cut(l, "=")
		if ok && strings.Trim(strings.TrimSpace(k), `"'`) == key {
			return i + 1
		}
	}
	return header
}
