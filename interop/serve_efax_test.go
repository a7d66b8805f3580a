package interop

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/peer"
	"github.com/softfax/softfax/spool"
	"github.com/softfax/softfax/t4"
)

// TestServeSendsPDFToEfax: a PDF dropped into the outbound folder of
// "softfax serve" is rendered, dialled over IAX2 to iaxmodem and received
// by efax on iaxmodem's pty. efax's pages must carry softfax's header line
// in the top band and, below it, exactly the pages softfax rendered; those
// must match the source document; and the job must end in done/ with
// efax's ID.
func TestServeSendsPDFToEfax(t *testing.T) {
	iaxmodemBin := requireIAXModem(t)
	peer.Require(t, "efax", "efax")
	peer.Require(t, "gs", "ghostscript")
	bin := softfaxBinary(t)
	began := time.Now()

	dir := t.TempDir()
	servePort, modemPort := freeUDPPort(t), freeUDPPort(t)
	id := fmt.Sprintf("%d%d", os.Getpid()%10000, time.Now().UnixNano()%1000)
	dev := "/dev/ttyIAXS" + id

	// iaxmodem with efax answering behind it.
	name := "sfserve" + id
	writeIAXModemConfig(t, name, dev, "root:root", modemPort, servePort)
	modem := start(t, "iaxmodem", dir, "nice", "-n", "-10", "stdbuf", "-oL", iaxmodemBin, name)
	t.Cleanup(func() {
		modem.Stop(5 * time.Second) // first: it removes its device link as it exits
		os.Remove(dev)
		os.Remove(filepath.Join("/var/lock", "LCK.."+filepath.Base(dev)))
	})
	waitPath(t, dev, 10*time.Second)
	rx := start(t, "efax receive", dir, append(efaxArgs(dev, "+1 555 0200"), "-jS0=1", "-w", "-r", filepath.Join(dir, "rx"))...)
	waitOutput(t, rx, "waiting for activity", 20*time.Second)

	// softfax serve, dialling iaxmodem directly.
	spoolDir := filepath.Join(dir, "spool")
	cfg := filepath.Join(dir, "softfax.toml")
	writeFile(t, cfg, fmt.Sprintf(`station_id = "+1 555 0100"
header = "Interop Test"
spool = %q
[iax]
listen = "127.0.0.1:%d"
dial = "127.0.0.1:%d"
[lines]
count = 1
[retry]
tries = 1
`, spoolDir, servePort, modemPort))
	serve := start(t, "softfax serve", dir, "nice", "-n", "-10", bin, "serve", "-config", cfg)
	waitOutput(t, serve, "softfax serve", 10*time.Second)

	// Two pages (bars, checkerboard, dots, diagonals) as a PDF whose page
	// is the fax page softfax renders to (A4 length at standard
	// resolution), so that ghostscript's fit to the page is no scaling.
	_, paperH := t4.A4.Size()
	var src []*t4.Page
	for _, p := range testPages(t, 2) {
		a4, err := t4.NewPage(p.Width, int(math.Round(paperH*p.Res.Y)), p.Res)
		if err != nil {
			t.Fatal(err)
		}
		copy(a4.Pix, p.Pix)
		src = append(src, a4)
	}
	var pdf bytes.Buffer
	if err := t4.WritePDF(&pdf, src, t4.PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "5550200.json"), `{"to": "5550200", "resolution": "standard"}`)
	// iaxmodem refuses calls for about 5 s after efax's ATZ.
	time.Sleep(6 * time.Second)
	out := filepath.Join(spoolDir, spool.DirOutbound)
	tmp := filepath.Join(out, ".doc.pdf.tmp")
	writeFile(t, tmp, pdf.String())
	if err := os.Rename(filepath.Join(dir, "5550200.json"), filepath.Join(out, "doc.pdf.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(out, "doc.pdf")); err != nil {
		t.Fatal(err)
	}

	if _, ok := rx.Wait(75 * time.Second); !ok {
		t.Fatalf("efax did not receive a fax within 75 s")
	}
	files, rtn := efaxAccepted(rx.Output())
	if rtn > 0 {
		t.Logf("efax answered %d page(s) with RTN", rtn)
	}
	if len(files) != len(src) {
		t.Fatalf("efax kept %d pages %q, want %d", len(files), files, len(src))
	}

	// The job ends in done/ with the rendered pages and efax's ID.
	var job spool.Job
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		js, _ := spool.ReadJobs(spoolDir, spool.DirDone, 0)
		if len(js) == 1 {
			job = js[0]
			break
		}
		if time.Now().After(deadline) {
			fs, _ := spool.ReadJobs(spoolDir, spool.DirFailed, 0)
			t.Fatalf("the job did not reach done/ (failed/: %+v)", fs)
		}
	}
	if job.RemoteID != "+1 555 0200" || job.Pages != len(src) {
		t.Errorf("job: remote %q, %d pages", job.RemoteID, job.Pages)
	}
	rendered := readTIFF(t, filepath.Join(spoolDir, spool.DirDone, job.ID, "pages.tif"))
	if len(rendered) != len(src) {
		t.Fatalf("%d rendered pages, want %d", len(rendered), len(src))
	}
	for i, f := range files {
		got := readTIFF(t, f)[0].Page
		want := rendered[i].Page
		what := fmt.Sprintf("page %d", i+1)
		if got.Width != want.Width || got.Height < want.Height-1 || got.Height > want.Height {
			t.Errorf("%s: received %dx%d, rendered %dx%d", what, got.Width, got.Height, want.Width, want.Height)
			continue
		}
		// Below the header band the fax carried the rendered page row
		// for row (efax may drop the last row).
		band := t4.HeaderRows(got.Res)
		bad := 0
		for y := band; y < got.Height; y++ {
			if !bytes.Equal(got.Row(y), want.Row(y)) {
				bad++
			}
		}
		if bad != 0 {
			t.Errorf("%s: %d of %d rows below the header differ from the rendered page", what, bad, got.Height-band)
		}
		ink := 0
		for y := range band {
			for x := range got.Width {
				if got.Black(x, y) {
					ink++
				}
			}
		}
		if ink < 200 {
			t.Errorf("%s: %d black pixels in the header band: no header line", what, ink)
		}
		// The rendered page is the source by content: same inked rows,
		// allowing gs a few pixels of rounding.
		if d := inkDiff(want, src[i]); d > 0.01 {
			t.Errorf("%s: rendered page differs from the source in %.2f%% of its ink", what, 100*d)
		} else {
			t.Logf("%s: rendered page differs from the source in %.3f%% of its ink", what, 100*d)
		}
	}
	t.Logf("PDF in the outbound folder -> softfax serve -> IAX2 -> iaxmodem -> efax: %d pages, %v in all, job %s at %d bit/s",
		len(src), time.Since(began).Round(time.Second), job.ID, job.Rate)
	if strings.Contains(serve.Output(), "level=ERROR") {
		t.Errorf("softfax serve logged errors")
	}
}

// inkDiff is the share of pixels that differ between a and b over the
// region both cover, relative to b's black pixels.
func inkDiff(a, b *t4.Page) float64 {
	w, h := min(a.Width, b.Width), min(a.Height, b.Height)
	diff, ink := 0, 0
	for y := range h {
		for x := range w {
			ab, bb := a.Black(x, y), b.Black(x, y)
			if ab != bb {
				diff++
			}
			if bb {
				ink++
			}
		}
	}
	if ink == 0 {
		return 1
	}
	return float64(diff) / float64(ink)
}
