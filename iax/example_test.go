package iax_test

import (
	"context"
	"log"
	"net/netip"

	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/line"
)

// A fax service registers with its PBX as iaxmodem does, takes calls on a
// line (busy when already in a call) and runs an engine on each.
func Example() {
	ctx := context.Background()
	ep, err := iax.Listen(ctx, ":4570", iax.Config{RequireCallToken: true})
	if err != nil {
		log.Fatal(err)
	}
	defer ep.Close() // releases the registration (REGREL) and hangs up
	reg := ep.Register(ctx, iax.RegisterParams{
		Server:   netip.MustParseAddrPort("192.0.2.10:4569"),
		Username: "softfax", Secret: "secret",
	})
	if err := reg.Wait(ctx); err != nil {
		log.Print(err) // it keeps retrying
	}
	var l line.Line
	for call := range ep.Incoming() {
		log.Printf("call for DID %s from %s", call.Info().Called, call.Info().CallingNumber)
		if err := l.Offer(call); err != nil { // ErrBusy: rejected with cause 17
			continue
		}
		call.Answer()
		go line.Run(ctx, call, newEngine(), line.Options{})
	}
}

func newEngine() line.Engine { return nil }
