package t30_test

import (
	"fmt"

	"github.com/softfax/softfax/t30"
	"github.com/softfax/softfax/t4"
)

// Two sessions back to back on the sample clock: a calling sender and an
// answering receiver, each one's Transmit fed to the other's Receive. Over
// a real call, line.Run plays a session the same way every 20 ms.
func Example() {
	page, _ := t4.NewPage(1728, 100, t4.Fine)
	for x := 100; x < 1600; x++ {
		page.Set(x, 50, true)
	}
	got := &t30.Collector{}
	sender, err := t30.NewSession(t30.Config{Caller: true, Role: t30.Sender, LocalID: "+1 555 0100",
		ECM: true, Source: &t30.Pages{List: []*t4.Page{page}}})
	if err != nil {
		panic(err)
	}
	receiver, err := t30.NewSession(t30.Config{Role: t30.Receiver, LocalID: "+1 555 0199", ECM: true, Sink: got})
	if err != nil {
		panic(err)
	}
	a, b := make([]int16, 160), make([]int16, 160)
	for i := 0; i < 8000*120/160 && !(sender.Done() && receiver.Done()); i++ {
		sender.Transmit(a)
		receiver.Transmit(b)
		receiver.Receive(a)
		sender.Receive(b)
	}
	r := receiver.Result()
	fmt.Println(r.Err, r.Pages, r.RemoteID, r.Modulation, r.Compression, r.ECM)
	fmt.Println(got.Pages[0].Black(100, 50), got.Pages[0].Black(100, 51))
	// Output:
	// <nil> 1 +1 555 0100 V.17 14400 MMR true
	// true false
}
