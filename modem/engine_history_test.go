package modem

import (
	"slices"
	"testing"
)

func TestHistory(t *testing.T) {
	seq := func(from, n int) []int16 {
		s := make([]int16, n)
		for i := range s {
			s[i] = int16(from + i)
		}
		return s
	}
	tests := []struct {
		name    string
		pushes  []int // block sizes, pushed in sequence from sample 100
		want    []int16
		startAt int64
	}{
		{"empty", nil, nil, 0},
		{"fits", []int{3, 4}, seq(100, 7), 100},
		{"exactly full", []int{5, 5}, seq(100, 10), 100},
		{"wraps", []int{6, 7}, seq(103, 10), 103},
		{"wraps twice", []int{6, 7, 9, 4}, seq(116, 10), 116},
		{"one huge block", []int{25}, seq(115, 10), 115},
		{"huge after some", []int{4, 12}, seq(106, 10), 106},
	}
	for _, tt := range tests {
		h := newHistory(10)
		at := 100
		for _, n := range tt.pushes {
			h.push(seq(at, n), int64(at))
			at += n
		}
		got, startAt := h.take(nil)
		if !slices.Equal(got, tt.want) || (len(got) > 0 && startAt != tt.startAt) {
			t.Errorf("%s: got %v at %d, want %v at %d", tt.name, got, startAt, tt.want, tt.startAt)
		}
		if h.n != 0 {
			t.Errorf("%s: not cleared by take", tt.name)
		}
	}
}

// TestHotReceiver: the V.21 receiver keeps running between +FRH commands;
// frames and a carrier loss heard meanwhile go to the next +FRH.
func TestHotReceiver(t *testing.T) {
	tests := []struct {
		name     string
		sender   []step
		receiver []step
	}{
		{
			"frames queued for a late DTE",
			[]step{fth(V21, frameCSI, frameDIS)},
			[]step{
				frh(V21, "CONNECT3 frame OK"),
				late(frh(V21, "CONNECT3 frame OK"), 12000), // DIS was over before
				frs(5),
			},
		},
		{
			"prompt DTE gets CONNECT at once while the carrier is up",
			[]step{fth(V21, frameCSI, frameDIS)},
			[]step{frh(V21, "CONNECT3 frame OK"), frh(V21, "CONNECT3 frame OK")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, Config{}, mulaw())
			sa, sb := &script{s: p.a, steps: tt.sender}, &script{s: p.b, steps: tt.receiver}
			p.run(10, func() bool {
				sa.tick(t, p.samples)
				sb.tick(t, p.samples)
				return sa.done() && sb.done()
			})
			if tt.name == "prompt DTE gets CONNECT at once while the carrier is up" {
				ok0, _ := p.b.find(OK, 0)
				c1, _ := p.b.find(Connect, 1)
				f1, _ := p.b.find(Frame, 1)
				if c1.At > ok0.At+block || f1.At-c1.At < 2000 {
					t.Errorf("second CONNECT at %d: first OK at %d, second frame at %d", c1.At, ok0.At, f1.At)
				}
			}
			for _, sc := range []*script{sa, sb} {
				if !sc.done() {
					t.Fatalf("%s stopped at step %d: %v", sc.s.name, sc.i, sc.s)
				}
				for i, got := range sc.got {
					if want := sc.steps[i].want; want != "" && got != want {
						t.Errorf("%s step %d %s: %q, want %q", sc.s.name, i, sc.steps[i].name, got, want)
					}
				}
			}
		})
	}
}

// TestNoCarrierQueued: the far end stops after a non-final frame; the next
// +FRH, issued after that, is told NO CARRIER at once.
func TestNoCarrierQueued(t *testing.T) {
	p := newPair(t, Config{}, mulaw())
	must(t, p.a.e.TransmitHDLC(V21))
	must(t, p.a.e.SendFrame(frameCSI, false))
	must(t, p.b.e.ReceiveHDLC(V21))
	p.run(3, func() bool { return p.b.e.State() == StateIdle })
	p.run(0.3, nil)
	p.a.e.Abort() // the sender's DTE gives up: carrier off
	p.run(1, nil)
	p.b.log = nil
	must(t, p.b.e.ReceiveHDLC(V21))
	p.b.drain()
	if got, want := p.b.kinds(), "NO CARRIER"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	// A +FRH after that waits for a new carrier.
	p.b.log = nil
	must(t, p.b.e.ReceiveHDLC(V21))
	p.run(1, nil)
	if got := p.b.kinds(); got != "" || p.b.e.State() != StateRxHDLC {
		t.Errorf("then %q in state %v", got, p.b.e.State())
	}
}
