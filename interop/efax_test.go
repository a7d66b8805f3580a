package interop

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/softfax/softfax/internal/peer"
)

// TestEfaxSendThroughSoftfax: efax drives softfax's pty and sends three
// pages over IAX2 to iaxmodem, where a second efax receives them; the
// pages must arrive with the same content.
func TestEfaxSendThroughSoftfax(t *testing.T) {
	peer.Require(t, "efax", "efax")
	r := newRig(t, "root:root")
	const n = 3
	src := testPages(t, n)
	doc := filepath.Join(r.dir, "doc.tif")
	writeTIFF(t, doc, src)

	rx := start(t, "efax receive (iaxmodem)", r.dir, append(efaxArgs(r.theirDev, "+1 555 0200"),
		"-jS0=1", "-w", "-r", filepath.Join(r.dir, "rx"))...)
	waitOutput(t, rx, "waiting for activity", 20*time.Second)
	time.Sleep(6 * time.Second) // iaxmodem refuses calls ~5 s after ATZ
	began := time.Now()
	tx := start(t, "efax send (softfax)", r.dir, append(efaxArgs(r.ourDev, "+1 555 0100"),
		"-t", "T5550200", doc)...)
	err, ok := tx.Wait(150 * time.Second)
	if !ok {
		t.Fatal("efax send did not finish within 150 s")
	}
	if err != nil {
		t.Fatalf("efax send failed: %v", err)
	}
	took := time.Since(began)
	if _, ok := rx.Wait(20 * time.Second); !ok {
		t.Error("efax receive did not finish")
	}
	checkEfaxReceived(t, rx, src)
	t.Logf("efax -> softfax -> iaxmodem -> efax: %d pages in %v (%.1f s/page)", n, took.Round(time.Second), took.Seconds()/n)
}

// TestEfaxReceiveThroughSoftfax: the reverse: efax sends through iaxmodem
// to softfax, where efax on softfax's pty receives.
func TestEfaxReceiveThroughSoftfax(t *testing.T) {
	peer.Require(t, "efax", "efax")
	r := newRig(t, "root:root")
	const n = 3
	src := testPages(t, n)
	doc := filepath.Join(r.dir, "doc.tif")
	writeTIFF(t, doc, src)

	rx := start(t, "efax receive (softfax)", r.dir, append(efaxArgs(r.ourDev, "+1 555 0100"),
		"-jS0=1", "-w", "-r", filepath.Join(r.dir, "rx"))...)
	waitOutput(t, rx, "waiting for activity", 20*time.Second)
	time.Sleep(6 * time.Second) // iaxmodem's own busy-out after ATZ on the sender's side
	began := time.Now()
	tx := start(t, "efax send (iaxmodem)", r.dir, append(efaxArgs(r.theirDev, "+1 555 0200"),
		"-t", "T5550100", doc)...)
	err, ok := tx.Wait(150 * time.Second)
	if !ok {
		t.Fatal("efax send did not finish within 150 s")
	}
	if err != nil {
		t.Fatalf("efax send failed: %v", err)
	}
	took := time.Since(began)
	if _, ok := rx.Wait(20 * time.Second); !ok {
		t.Error("efax receive did not finish")
	}
	checkEfaxReceived(t, rx, src)
	t.Logf("efax -> iaxmodem -> softfax -> efax: %d pages in %v (%.1f s/page)", n, took.Round(time.Second), took.Seconds()/n)
}
