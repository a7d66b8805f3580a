package main

import (
	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/v17"
	"github.com/softfax/softfax/internal/spandsp"
)

func v17Rows() []Row {
	var rows []Row
	for _, rate := range []int{7200, 9600, 12000, 14400} {
		rows = append(rows, Row{
			Name: "V.17 " + itoa(rate),
			Spec: spandsp.Spec{Modem: "v17", Rate: rate},
			NewTx: func(src dsp.BitSource) (dsp.Transmitter, error) {
				return v17.NewTransmitter(v17.Config{Rate: rate}, src)
			},
			NewRx: func(sink dsp.BitSink) (dsp.Receiver, error) {
				return v17.NewReceiver(v17.Config{Rate: rate}, sink, nil)
			},
		})
	}
	return rows
}
