package main

import (
	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/v21"
	"github.com/softfax/softfax/internal/spandsp"
)

func v21Rows() []Row {
	return []Row{{
		Name: "V.21 300",
		Spec: spandsp.Spec{Modem: "v21"},
		NewTx: func(src dsp.BitSource) (dsp.Transmitter, error) {
			return v21.NewTransmitter(v21.Config{}, src), nil
		},
		NewRx: func(sink dsp.BitSink) (dsp.Receiver, error) {
			return v21.NewReceiver(v21.Config{}, sink, nil), nil
		},
	}}
}
