package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEmptyFileRuns(t *testing.T) {
	c, err := Parse("empty.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lines.Count != 4 || c.Retry.Tries != 3 || c.IAX.Listen != ":4569" || c.Spool == "" || c.GCPercent != 10 || !c.Lines.RealTime {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestParseFull(t *testing.T) {
	src := `
station_id = "+1 555 0100"
spool = "/tmp/sf"
http = "127.0.0.1:9100"
[iax]
server = "pbx.example:4569"
user = "fax"
secret = "s"
refresh = "2m"
[[iax.peer]]
user = "asterisk"
secret = "x"
[lines]
count = 8
[retry]
backoff = "10s"
[smtp]
host = "mail.example"
tls = "tls"
from = "fax@example.com"
[[route]]
did = "100"
email = ["a@example.com"]
formats = ["pdf", "tiff"]
[[route]]
prefix = "2"
folder = "/srv/fax"
[[route]]
default = true
email = ["ops@example.com"]
`
	c, err := Parse("full.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.IAX.Refresh.D() != 2*time.Minute || c.Lines.Count != 8 || len(c.Route) != 3 || c.Route[1].Formats[0] != "pdf" {
		t.Errorf("parsed wrongly: %+v", c)
	}
	if c.SMTP.Addr() != "mail.example:465" {
		t.Errorf("Addr = %s", c.SMTP.Addr())
	}
	if len(c.IAX.Peers) != 1 || c.IAX.Peers[0].User != "asterisk" {
		t.Errorf("peers %+v", c.IAX.Peers)
	}
}

func TestErrorsNameFileLineSetting(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown", "spool = \"/x\"\nspoool = \"/y\"\n", "bad.toml:2: spoool: unknown setting"},
		{"unknown in table", "[smtp]\nhots = \"x\"\n", "bad.toml:2: smtp.hots: unknown setting"},
		{"type", "[lines]\ncount = \"many\"\n", "bad.toml:2"},
		{"syntax", "spool = \n", "bad.toml:1"},
		{"range", "[lines]\n\ncount = 0\n", "bad.toml:3: lines.count: want 1 to 256, got 0"},
		{"duration", "[retry]\nbackoff = \"soon\"\n", "bad.toml:2"},
		{"outbound", "[lines]\ncount = 2\noutbound = 3\n", "bad.toml:3: lines.outbound: want 0 (all) to count (2), got 3"},
		{"tls", "[smtp]\ntls = \"ssl\"\n", "bad.toml:2: smtp.tls: want starttls, tls or none"},
		{"route", "[[route]]\ndid = \"1\"\nemail = [\"a@b\"]\n[[route]]\nprefix = \"2\"\nemail = [\"not an address\"]\n", "bad.toml:6: route[1].email: not an email address"},
		{"route selector", "[[route]]\nfolder = \"/x\"\n", "bad.toml:1: route[0].did: a route needs exactly one"},
		{"station", "station_id = \"fax me\"\n", "bad.toml:1: station_id"},
		{"gc_percent", "log_level = \"info\"\ngc_percent = 4\n", "bad.toml:2: gc_percent: want 5 to 1000, got 4"},
		{"server needs user", "[iax]\nserver = \"pbx:4569\"\n", "bad.toml:1: iax.user"},
		{"password without tls", "[smtp]\nhost = \"m\"\ntls = \"none\"\nuser = \"u\"\n", "bad.toml:4: smtp.user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(tc.src))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("not a *config.Error: %T", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("[lines]\ncount = 2\n[[route]]\ndid = \"1\"\nemail = [\"a@b\"]\n"))
	f.Add([]byte("[smtp]\nhost = \"x\"\n"))
	f.Add([]byte("[[route]]\n[[route]]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse("f.toml", src)
		if err == nil && (c.Lines.Count < 1 || c.Retry.Tries < 1) {
			t.Fatalf("accepted invalid %+v", c)
		}
	})
}

// TestExampleConfig keeps contrib/softfax.toml valid.
func TestExampleConfig(t *testing.T) {
	c, err := Load("../contrib/softfax.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Route) != 3 || c.SMTP.Host != "mail.example.com" || c.HTTP == "" || c.GCPercent != 10 {
		t.Errorf("example parsed wrongly: %+v", c)
	}
}
