package main

import (
	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/v27ter"
	"github.com/softfax/softfax/internal/spandsp"
)

func v27terRows() []Row {
	var rows []Row
	for _, rate := range []int{2400, 4800} {
		rows = append(rows, Row{
			Name: "V.27ter " + itoa(rate),
			Spec: spandsp.Spec{Modem: "v27ter", Rate: rate},
			NewTx: func(src dsp.BitSource) (dsp.Transmitter, error) {
				return v27ter.NewTransmitter(v27ter.Config{Rate: rate}, src)
			},
			NewRx: func(sink dsp.BitSink) (dsp.Receiver, error) {
				return v27ter.NewReceiver(v27ter.Config{Rate: rate}, sink, nil)
			},
		})
	}
	return rows
}
