package modem

import (
	"strings"
	"testing"
)

func TestParseIaxmodemConfig(t *testing.T) {
	// The example shipped with iaxmodem (/usr/share/doc/iaxmodem/examples).
	const example = "device\t\t/dev/ttyIAX\nowner\t\tuucp:uucp\nmode\t\t660\nport\t\t4570\n" +
		"refresh\t\t300\nserver\t\t127.0.0.1\npeername\tiaxmodem\nsecret\t\tpassword\n" +
		"cidname\t\tJohn Doe\ncidnumber\t8005551212\ncodec\t\tslinear\n"
	c, err := ParseIaxmodemConfig(strings.NewReader(example), "ttyIAX")
	if err != nil {
		t.Fatal(err)
	}
	want := IaxmodemConfig{Name: "ttyIAX", Device: "/dev/ttyIAX", Owner: "uucp:uucp", Mode: 0o660,
		Port: 4570, Refresh: 300, Server: "127.0.0.1", PeerName: "iaxmodem", Secret: "password",
		CIDName: "John Doe", CIDNumber: "8005551212", Codec: "slinear"}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	if got := c.ServerAddr(); got != "127.0.0.1:4569" {
		t.Errorf("ServerAddr %q", got)
	}
	if s := c.String(); strings.Contains(s, "password") {
		t.Errorf("secret shown: %s", s)
	}

	tests := []struct {
		name, text, errPart string
	}{
		{"comments and options", "; a modem\ndevice /dev/ttyIAX1 ; the pty\nrecord\nnojitterbuffer\nnodaemon\niax2debug\nserver 127.0.0.1:4599\nrefresh 0\n", ""},
		{"no device", "port 4570\n", "no device"},
		{"bad mode", "device /dev/x\nmode 999\n", "octal"},
		{"mode zero", "device /dev/x\nmode 0\n", "unusable"},
		{"bad port", "device /dev/x\nport 70000\n", "UDP port"},
		{"bad codec", "device /dev/x\ncodec gsm\n", "slinear, ulaw or alaw"},
		{"replay", "device /dev/x\nreplay\n", "not supported"},
		{"unknown", "device /dev/x\nfrobnicate 1\n", ":2: frobnicate: unknown key"},
		{"refresh without server", "device /dev/x\nrefresh 60\n", "no server"},
		{"bad refresh", "device /dev/x\nrefresh soon\n", "seconds"},
		{"empty device", "device\n", "needs a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIaxmodemConfig(strings.NewReader(tt.text), "f")
			if tt.errPart == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errPart) {
				t.Fatalf("err %v, want one containing %q", err, tt.errPart)
			}
		})
	}
}
