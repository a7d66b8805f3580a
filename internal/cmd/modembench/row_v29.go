package main

import (
	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/v29"
	"github.com/softfax/softfax/internal/spandsp"
)

func v29Rows() []Row {
	var rows []Row
	for _, rate := range []int{7200, 9600} {
		rows = append(rows, Row{
			Name: "V.29 " + itoa(rate),
			Spec: spandsp.Spec{Modem: "v29", Rate: rate},
			NewTx: func(src dsp.BitSource) (dsp.Transmitter, error) {
				return v29.NewTransmitter(v29.Config{Rate: rate}, src)
			},
			NewRx: func(sink dsp.BitSink) (dsp.Receiver, error) {
				return v29.NewReceiver(v29.Config{Rate: rate}, sink, nil)
			},
		})
	}
	return rows
}
