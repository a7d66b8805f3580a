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
func TestEfaxSendThroughSoftfax(t *testing.T) { efaxThroughSoftfax(t, true) }

// TestEfaxReceiveThroughSoftfax: the reverse: efax sends through iaxmodem
// to softfax, where efax on softfax's pty receives.
func TestEfaxReceiveThroughSoftfax(t *testing.T) { efaxThroughSoftfax(t, false) }

// faxLine is one end of a rig as efax sees it.
type faxLine struct {
	name, dev, id, number string
}

// softfaxLine is softfax's end of the rig: the number iaxmodem dials.
func (r *rig) softfaxLine() faxLine { return faxLine{"softfax", r.ourDev, "+1 555 0100", "5550100"} }

// iaxmodemLine is iaxmodem's end of the rig: the number softfax dials.
func (r *rig) iaxmodemLine() faxLine {
	return faxLine{"iaxmodem", r.theirDev, "+1 555 0200", "5550200"}
}

// hylafaxNumber is the line's number as HylaFAX's FAXNumber writes it.
func (l faxLine) hylafaxNumber() string { return "+1.555." + l.number[:3] + "." + l.number[3:] }

func efaxThroughSoftfax(t *testing.T, softfaxSends bool) {
	peer.Require(t, "efax", "efax")
	r := newRig(t, "root:root")
	const n = 3
	src, doc := testDocument(t, r.dir, n)
	tx, rx := r.softfaxLine(), r.iaxmodemLine()
	if !softfaxSends {
		tx, rx = rx, tx
	}
	receiver := startEfaxReceiver(t, r, rx)
	took := efaxSend(t, r, tx, rx.number, doc)
	if _, ok := receiver.Wait(20 * time.Second); !ok {
		t.Error("efax receive did not finish")
	}
	checkEfaxReceived(t, receiver, src)
	t.Logf("efax -> %s -> %s -> efax: %d pages in %v (%.1f s/page)", tx.name, rx.name, n, took.Round(time.Second), took.Seconds()/n)
}

// startEfaxReceiver starts efax answering on l and waits until it is ready.
func startEfaxReceiver(t *testing.T, r *rig, l faxLine) *proc {
	t.Helper()
	rx := start(t, "efax receive ("+l.name+")", r.dir, append(efaxArgs(l.dev, l.id),
		"-jS0=1", "-w", "-r", filepath.Join(r.dir, "rx"))...)
	waitOutput(t, rx, "waiting for activity", 20*time.Second)
	return rx
}

// efaxSend has efax on l dial number and send doc, and returns how long
// the call took. It first waits out iaxmodem, which refuses calls (busies
// out) for about 5 s after an ATZ on either side.
func efaxSend(t *testing.T, r *rig, l faxLine, number, doc string) time.Duration {
	t.Helper()
	time.Sleep(6 * time.Second)
	began := time.Now()
	tx := start(t, "efax send ("+l.name+")", r.dir, append(efaxArgs(l.dev, l.id), "-t", "T"+number, doc)...)
	err, ok := tx.Wait(150 * time.Second)
	if !ok {
		t.Fatal("efax send did not finish within 150 s")
	}
	if err != nil {
		t.Fatalf("efax send failed: %v", err)
	}
	return time.Since(began)
}
