package iax_test

import (
	"context"
	"testing"
	"time"

	"github.com/softfax/softfax/iax"
)

// TestIAXModemWrongSecretIsRejected: iaxmodem registering with a wrong
// secret gets a REGREJ for its MD5 answer at once (the registrar counts the
// failure and forgets the dialog), not silence until its retransmissions
// run out.
func TestIAXModemWrongSecretIsRejected(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ep, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Peers: []iax.Peer{{Name: "sfmodem", Secret: "right"}}, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	start := time.Now()
	startIAXModem(t, ep.Addr(), 60, "sfmodem", "wrong")
	for ep.Stats().AuthFailed == 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("no authentication failure counted; stats %+v", ep.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("REGREJ after %v", time.Since(start))
	time.Sleep(500 * time.Millisecond)
	if _, ok := ep.Registered("sfmodem"); ok {
		t.Fatal("registered with a wrong secret")
	}
	st := ep.Stats()
	if st.Retransmitted != 0 || st.Duplicates != 0 {
		t.Errorf("the REGREJ was not taken at once: stats %+v", st)
	}
}
