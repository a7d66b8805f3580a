package modem

import (
	"testing"
)

// FuzzATInterpreter feeds arbitrary DTE bytes, interleaved with call
// events and audio, to a DCE: it must never panic, hang or let its output
// grow without bound.
func FuzzATInterpreter(f *testing.F) {
	for _, s := range []string{
		"ATZ\rAT+VCID=1\rATS0=0\rATE0\rATV1\rATQ0\rATS8=2\rATS7=60\rAT+FCLASS=?\rAT+FCLASS=1\rATI3\rATI0\rAT+FTM=?\rAT+FRM=?\rATM0\rAT+FAR=1\r",
		"AT+FCLASS=1\r\x01ATA\r\x03\x03AT+FTH=3\r\xff\x03\x40\x10\x10\x10\x03AT+FRH=3\r",
		"AT+FCLASS=1;S0=1\r\x01\x03\x03\x03\x03AT+FTM=96\r\x00\x00\x10\x10\x10\x1a\x10\x03AT+FRM=146\rx",
		"ATDT1,2,3;\r\x02\x03\x03\x03AT+FTS=1\r\x03AT+FRS=1\r\x03\x06",
		"ATS300=1\rATS3=65\rATA/A/ATH1\rAT+VSID=\"a\",\"b\",\"c\"\rAT+FIT=1,1\rAT+FCL=1\r",
		"AT&V&F&K3+IFC=2,2;+IPR=19200;+IPR?;+FMI?;+GMR\r\x08\x08\x08",
		"ATV0\r\x01\x0e*\x0e#\x0eA\x0e\xffATA\r\x0e1\x03\x02\x0e9",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ph := &fakePhone{}
		d := NewDCE(DCEConfig{Phone: ph, OutputLimit: 1 << 16})
		d.SetAttached(true)
		buf := make([]int16, 160)
		// Control bytes 0x01-0x07 are events of the telephone side and
		// audio ticks, 0x0e and the byte after it a DTMF digit from the far
		// end; everything else is typed by the DTE.
		for i := 0; i < len(data); {
			switch c := data[i]; c {
			case 1:
				d.Offer(CallerID{Name: "n", Number: "1", DID: "2"})
			case 2:
				d.Progress(CallAnswered)
			case 3:
				for range 10 {
					d.Receive(buf)
					d.Transmit(buf)
				}
			case 4:
				d.Progress(CallBusy)
			case 5:
				d.Progress(CallEnded)
			case 6:
				d.Ring()
			case 7:
				d.SetAttached(false)
				d.SetAttached(true)
			case 0x0e:
				if i+1 < len(data) {
					i++
					d.DTMF(rune(data[i]))
				}
			default:
				j := i + 1
				for j < len(data) && data[j] > 7 && data[j] != 0x0e {
					j++
				}
				d.Write(data[i:j])
				i = j
				continue
			}
			i++
			if len(ph.log) > 1000 {
				ph.log = ph.log[:0]
			}
		}
		if n := len(d.Pending()); n > 1<<16 {
			t.Fatalf("output grew to %d bytes", n)
		}
		d.Close()
	})
}
