package modem_test

import (
	"fmt"

	"github.com/softfax/softfax/modem"
)

// Two engines wired back to back on the sample clock: the answering side
// sends a T.30 frame with +FTH=3, the calling side receives it with +FRH=3.
// A driver — the AT interpreter or t30 — polls the events after every call
// and reacts to them.
func Example() {
	caller := modem.NewEngine(modem.Config{})
	answerer := modem.NewEngine(modem.Config{})

	dis := []byte{0xFF, 0x13, 0x80, 0x00, 0xEE, 0xFA, 0x80} // final frame: control 0x13
	_ = answerer.TransmitHDLC(modem.V21)                    // AT+FTH=3
	_ = caller.ReceiveHDLC(modem.V21)                       // AT+FRH=3

	a, b := make([]int16, 160), make([]int16, 160) // 20 ms blocks
	for caller.State() != modem.StateIdle || answerer.State() != modem.StateIdle {
		answerer.Transmit(a)
		caller.Transmit(b)
		caller.Receive(a)
		answerer.Receive(b)
		for ev, ok := answerer.Poll(); ok; ev, ok = answerer.Poll() {
			fmt.Println("answerer:", ev.Kind)
			if ev.Kind == modem.Connect && ev.At == 0 {
				_ = answerer.SendFrame(dis, true) // the frame, then <DLE><ETX>
			}
		}
		for ev, ok := caller.Poll(); ok; ev, ok = caller.Poll() {
			switch ev.Kind {
			case modem.Frame:
				fmt.Printf("caller: frame % X, FCS % X ok=%v\n", ev.Data, ev.FCS, ev.FCSOK)
			default:
				fmt.Println("caller:", ev.Kind)
			}
		}
	}
	// Output:
	// answerer: CONNECT
	// caller: CONNECT
	// caller: frame FF 13 80 00 EE FA 80, FCS 87 DA ok=true
	// answerer: OK
	// caller: OK
}
