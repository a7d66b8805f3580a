package modem

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"strconv"
	"strings"
)

// IaxmodemConfig is one modem as an iaxmodem configuration file
// (/etc/iaxmodem/NAME) describes it: "key value" lines, ';' comments.
type IaxmodemConfig struct {
	Name      string      // the file's name: the modem's identifier
	Device    string      // the pty link DTEs open, e.g. /dev/ttyIAX0
	Owner     string      // user:group of the device
	Mode      fs.FileMode // of the device (0660 when absent)
	Port      int         // own UDP port (iaxmodem's default 4570)
	Refresh   int         // registration refresh in s; 0: do not register
	Server    string      // PBX or registrar: host or host:port (port 4569 by default)
	PeerName  string      // USERNAME to register and call with
	Secret    string      // never logged nor shown to the DTE
	CIDName   string      // caller ID presented on outgoing calls
	CIDNumber string
	Codec     string // slinear, ulaw or alaw (preferred format)
	Record    bool   // record each call's audio, named after the device
	// NoJitterBuffer asks for the smallest jitter buffer.
	NoJitterBuffer bool
	// Debug is set by iax2debug or dspdebug: verbose logs.
	Debug bool
}

// ParseIaxmodemConfig reads an iaxmodem configuration file. Every key
// iaxmodem knows is either taken or refused with a message saying why;
// unknown keys are errors, with their line number.
func ParseIaxmodemConfig(r io.Reader, name string) (IaxmodemConfig, error) {
	c := IaxmodemConfig{Name: name, Port: 4570, Codec: "slinear"}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.IndexAny(line, ";#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var key, val string
		if i := strings.IndexAny(line, " \t"); i >= 0 {
			key, val = line[:i], line[i+1:]
		} else {
			key, val = line, ""
		}
		key = strings.ToLower(key)
		val = strings.TrimSpace(val)
		if err := c.set(key, val); err != nil {
			return IaxmodemConfig{}, fmt.Errorf("%s:%d: %s: %w", name, n, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return IaxmodemConfig{}, fmt.Errorf("%s: %w", name, err)
	}
	if c.Device == "" {
		return IaxmodemConfig{}, fmt.Errorf("%s: no device line: the modem needs a device path", name)
	}
	if c.Refresh > 0 && c.Server == "" {
		return IaxmodemConfig{}, fmt.Errorf("%s: refresh %d but no server to register with", name, c.Refresh)
	}
	return c, nil
}

// errValue is a malformed value.
type errValue struct{ msg string }

func (e errValue) Error() string { return e.msg }

func (c *IaxmodemConfig) set(key, val string) error {
	need := func() error {
		if val == "" {
			return errValue{"needs a value"}
		}
		return nil
	}
	switch key {
	case "device":
		if err := need(); err != nil {
			return err
		}
		c.Device = val
	case "owner":
		if err := need(); err != nil {
			return err
		}
		c.Owner = val
	case "mode":
		m, err := strconv.ParseUint(val, 8, 32)
		if err != nil || m > 0o777 {
			return errValue{fmt.Sprintf("%q is not an octal permission like 660", val)}
		}
		if m == 0 {
			return errValue{"mode 0 would make the device unusable; use e.g. 660"}
		}
		c.Mode = fs.FileMode(m)
	case "port":
		p, err := strconv.Atoi(val)
		if err != nil || p < 1 || p > 65535 {
			return errValue{fmt.Sprintf("%q is not a UDP port", val)}
		}
		c.Port = p
	case "refresh":
		r, err := strconv.Atoi(val)
		if err != nil || r < 0 {
			return errValue{fmt.Sprintf("%q is not a number of seconds", val)}
		}
		c.Refresh = r
	case "server":
		if err := need(); err != nil {
			return err
		}
		if _, _, err := net.SplitHostPort(val); err != nil && strings.Contains(val, ":") && !strings.HasPrefix(val, "[") {
			return errValue{fmt.Sprintf("%q is not host or host:port", val)}
		}
		c.Server = val
	case "peername":
		c.PeerName = val
	case "secret":
		c.Secret = val
	case "cidname":
		c.CIDName = val
	case "cidnumber":
		c.CIDNumber = val
	case "codec":
		switch strings.ToLower(val) {
		case "slinear", "ulaw", "alaw":
			c.Codec = strings.ToLower(val)
		default:
			return errValue{fmt.Sprintf("%q: softfax speaks slinear, ulaw or alaw", val)}
		}
	case "record":
		c.Record = true
	case "nojitterbuffer":
		c.NoJitterBuffer = true
	case "iax2debug", "dspdebug":
		c.Debug = true
	case "nodaemon":
		// iaxmodem's daemon mode forks one process per file; softfax runs
		// every modem it is given in one process, so there is nothing to
		// exempt.
	case "replay":
		return errValue{"replaying recorded audio instead of a call is not supported; use 'softfax call --play'"}
	default:
		return errValue{"unknown key (iaxmodem's keys are device, owner, mode, port, refresh, server, peername, secret, cidname, cidnumber, codec, record, nojitterbuffer, iax2debug, dspdebug, nodaemon)"}
	}
	return nil
}

// ServerAddr is Server with the IAX2 port added when it has none.
func (c IaxmodemConfig) ServerAddr() string {
	if c.Server == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(c.Server); err == nil {
		return c.Server
	}
	return net.JoinHostPort(strings.Trim(c.Server, "[]"), "4569")
}

// LogValue keeps the secret out of logs.
func (c IaxmodemConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name), slog.String("device", c.Device),
		slog.Int("port", c.Port), slog.String("server", c.Server),
		slog.String("peername", c.PeerName), slog.Bool("secret_set", c.Secret != ""),
		slog.String("codec", c.Codec), slog.Int("refresh", c.Refresh))
}

// String is LogValue's text: the secret is never shown.
func (c IaxmodemConfig) String() string { return c.LogValue().String() }
