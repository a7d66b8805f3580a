package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/hylafaxtest"
	"github.com/softfax/softfax/t4"
)

// startHylaFAX starts a private HylaFAX (internal/hylafaxtest) with
// faxgetty on iaxmodem's pty dev, ECM on, and waits out iaxmodem's
// busy-out after faxgetty's ATZ.
func startHylaFAX(t *testing.T, dev string) *hylafaxtest.Server {
	t.Helper()
	h := hylafaxtest.Start(t, hylafaxtest.Options{Device: dev, FAXNumber: "+1.555.555.0200",
		LocalIdentifier: "+1 555 0200", Extra: "Class1ECMSupport:\tyes\n"})
	time.Sleep(6 * time.Second) // iaxmodem refuses calls for ~5 s after faxgetty's ATZ
	return h
}

// TestHylaFAXReceivesFromSoftfax: "softfax send" calls iaxmodem over IAX2;
// HylaFAX's faxgetty answers on its pty and receives two pages (ECM).
func TestHylaFAXReceivesFromSoftfax(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call through iaxmodem and HylaFAX")
	}
	t.Parallel() // real time: the calls wait, they hardly compute
	dev, port := startIAXModemOwned(t, "127.0.0.1:1", "uucp:uucp")
	h := startHylaFAX(t, dev)
	dir := t.TempDir()
	pages := []*t4.Page{interopPage(t), cloneFlip(interopPage(t))}
	tif := writeDoc(t, dir, pages, t4.TIFFOptions{Compression: t4.MMR})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var sOut, sErr bytes.Buffer
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	code := run(ctx, []string{"send", "--now", "--to", "5550200", "--via", fmt.Sprintf("iax2://127.0.0.1:%d", port),
		"--id", "+1 555 0100", tif}, &env{stdout: &sOut, stderr: &sErr, log: quiet})
	if code != 0 {
		t.Fatalf("send exit %d: %s\n%s", code, sErr.String(), sOut.String())
	}
	files := h.WaitReceived(t, 20*time.Second)
	if len(files) != 1 {
		t.Fatalf("HylaFAX received %q", files)
	}
	got := readTIFFFile(t, files[0])
	if len(got) != len(pages) {
		t.Fatalf("HylaFAX received %d pages, want %d", len(got), len(pages))
	}
	for i := range pages {
		if got[i].Width != pages[i].Width || got[i].Height != pages[i].Height || !bytes.Equal(got[i].Pix, pages[i].Pix) {
			t.Errorf("page %d differs: %dx%d", i+1, got[i].Width, got[i].Height)
		}
	}
	t.Logf("softfax send:\n%s", sOut.String())
}

// TestSoftfaxReceivesFromHylaFAX: HylaFAX sends (sendfax, faxq, faxsend on
// iaxmodem's pty); iaxmodem calls "softfax receive" over IAX2.
func TestSoftfaxReceivesFromHylaFAX(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time fax call through iaxmodem and HylaFAX")
	}
	t.Parallel() // real time: the calls wait, they hardly compute
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rx := startReceiveOnce(ctx, t, dir)
	dev, _ := startIAXModemOwned(t, rx.addr, "uucp:uucp")
	h := startHylaFAX(t, dev)
	pages := []*t4.Page{interopPage(t), cloneFlip(interopPage(t))}
	tif := writeDoc(t, dir, pages, t4.TIFFOptions{Compression: t4.MH})
	_ = os.Chmod(dir, 0o755)
	if sf, err := h.Send("5550199", tif); err != nil {
		t.Fatalf("sendfax: %v\n%s", err, sf)
	}
	if rc := rx.wait(150 * time.Second); rc != 0 {
		t.Fatalf("receive exit %d:\n%s%s", rc, rx.stdout.String(), rx.stderr.String())
	}
	rec, got := rx.fax(t)
	if rec.Result != "ok" || rec.Pages != 2 || rec.DID != "5550199" {
		t.Errorf("record %+v", rec)
	}
	// sendfax re-images the document for the job's page size (A4 at
	// 98 lines/inch, 1146 rows): the pages cannot be compared bit for bit.
	// Each must be full width, have ink where the source has it, and the
	// two must differ (the second is the first upside down).
	if len(got) != 2 {
		t.Fatalf("%d pages in %s", len(got), rec.TIFF)
	}
	for i, p := range got {
		ink := 0
		for _, b := range p.Pix {
			if b != 0 {
				ink++
			}
		}
		if p.Width != 1728 || ink == 0 || p.BadFaxLines != 0 {
			t.Errorf("page %d: %dx%d, %d inked octets, %d bad rows", i+1, p.Width, p.Height, ink, p.BadFaxLines)
		}
	}
	if bytes.Equal(got[0].Pix, got[1].Pix) {
		t.Error("both pages are the same")
	}
	t.Logf("receive:\n%s", rx.stdout.String())
}

// cloneFlip returns p upside down (a second page that differs).
func cloneFlip(p *t4.Page) *t4.Page {
	q, _ := t4.NewPage(p.Width, p.Height, p.Res)
	for y := 0; y < p.Height; y++ {
		copy(q.Row(y), p.Row(p.Height-1-y))
	}
	return q
}
