package main

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/softfax/softfax/iax"
)

// TestModemShowsFarEndDTMF: DTMF frames from an IAX2 caller reach the DTE
// on the pty as "DTMF=<digit>" lines while the call rings and, once
// answered, in command state; '*', '#' and 'A' as themselves.
func TestModemShowsFarEndDTMF(t *testing.T) {
	port := freeUDP(t)
	_, f := startModem(t, fmt.Sprintf("port %d\nrefresh 0\ncodec ulaw\n", port))
	caller := listenIAX(t, iax.Config{})
	time.Sleep(300 * time.Millisecond) // the pty's DTE detection polls
	f.Write([]byte("ATE0+FCLASS=1\r"))
	expectPTY(t, f, "OK\r\n", 3*time.Second)

	c, err := caller.Dial(iax.DialParams{Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)),
		Called: "5550100", CallingNumber: "5551234"})
	if err != nil {
		t.Fatal(err)
	}
	expectPTY(t, f, "RING\r\n", 5*time.Second)
	for _, d := range "*#A1" {
		if err := c.SendDTMF(d); err != nil {
			t.Fatal(err)
		}
	}
	expectPTY(t, f, "\r\nDTMF=*\r\n\r\nDTMF=#\r\n\r\nDTMF=A\r\n\r\nDTMF=1\r\n", 3*time.Second)

	// Answered, back in command state after the first (empty) frame
	// transmission: digits are shown again.
	f.Write([]byte("ATA\r"))
	expectPTY(t, f, "CONNECT\r\n", 10*time.Second)
	f.Write([]byte("\x10\x03"))
	expectPTY(t, f, "OK\r\n", 5*time.Second)
	if err := c.SendDTMF('9'); err != nil {
		t.Fatal(err)
	}
	expectPTY(t, f, "\r\nDTMF=9\r\n", 3*time.Second)
	f.Write([]byte("ATH0\r"))
	expectPTY(t, f, "OK\r\n", 3*time.Second)
}
