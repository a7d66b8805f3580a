package spandsp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/softfax/softfax/t4"
)

func TestFaxCall(t *testing.T) {
	fc := RequireFaxCall(t)
	p, err := t4.NewPage(1728, 100, t4.Resolution{X: 204, Y: 196})
	if err != nil {
		t.Fatal(err)
	}
	for x := 100; x < 1600; x++ {
		p.Set(x, 50, true)
	}
	var buf bytes.Buffer
	if err := t4.WriteTIFF(&buf, []*t4.Page{p}, t4.TIFFOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(t.TempDir(), "doc.tif")
	if err := os.WriteFile(doc, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := fc.Run(context.Background(), FaxCallSpec{TIFF: doc, Modems: ModemsV29, ECM: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.CallerCode != 0 || res.AnswererCode != 0 || res.Pages != 1 || res.BitRate != 9600 || !res.ECM {
		t.Fatalf("call: %+v", res)
	}
	// Control frames each side sent: the answerer opens with CSI and DIS
	// (no X bit), the caller answers with TSI and DCS (X bit), and the
	// caller's DCN ends the call.
	var fcfs []byte
	var callers []bool
	for _, f := range res.Frames {
		if len(f.Data) < 3 || f.Data[0] != 0xFF {
			t.Fatalf("frame % X", f.Data)
		}
		fcfs = append(fcfs, f.Data[2])
		callers = append(callers, f.Caller)
	}
	if len(fcfs) < 5 || fcfs[0] != 0x40 || fcfs[1] != 0x80 || fcfs[2] != 0x43 || fcfs[3] != 0x83 || fcfs[len(fcfs)-1] != 0xFB {
		t.Errorf("frames % X", fcfs)
	}
	if callers[0] || callers[1] || !callers[2] || !callers[3] || !callers[len(callers)-1] {
		t.Errorf("senders %v", callers)
	}
	// A stereo 8 kHz WAV: 44-byte header, 4 bytes a frame.
	if len(res.WAV) < 44+4*8000*10 || string(res.WAV[:4]) != "RIFF" || (len(res.WAV)-44)%4 != 0 {
		t.Errorf("WAV of %d bytes", len(res.WAV))
	}
}
