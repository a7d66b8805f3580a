package hdlc_test

import (
	"fmt"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/hdlc"
	"github.com/softfax/softfax/dsp/v21"
)

// T.30 control frames over V.21 channel 2: an Encoder feeds the
// transmitter, a Decoder listens to the receiver.
func Example() {
	frames := [][]byte{
		{0xFF, 0x03, 0x40, 0x31, 0x32, 0x33}, // CSI
		{0xFF, 0x13, 0x80, 0x00, 0x46},       // DIS, final frame
	}
	src := func() ([]byte, bool) {
		if len(frames) == 0 {
			return nil, false // end: closing flags, then the carrier stops
		}
		f := frames[0]
		frames = frames[1:]
		return f, true
	}
	tx := v21.NewTransmitter(v21.Config{}, hdlc.NewEncoder(src, hdlc.DefaultPreambleFlags).Bit)

	dec := hdlc.NewDecoder(func(data []byte, fcsOK bool) {
		fmt.Printf("frame % x, FCS ok %v\n", data, fcsOK)
	})
	dec.OnFraming(4, func() { fmt.Println("flags: CONNECT") })
	rx := v21.NewReceiver(v21.Config{}, dec.PutBit, func(s dsp.Status, at int64) { fmt.Println(s) })

	buf := make([]int16, 160) // 20 ms blocks
	for {
		n := tx.Transmit(buf)
		rx.Receive(buf[:n])
		if n < len(buf) {
			break
		}
	}
	rx.Receive(make([]int16, 400)) // silence after the carrier
	// Output:
	// carrier up
	// flags: CONNECT
	// frame ff 03 40 31 32 33, FCS ok true
	// frame ff 13 80 00 46, FCS ok true
	// carrier down
}
