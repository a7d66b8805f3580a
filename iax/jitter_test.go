package iax

import (
	"testing"
)

func frameOf(n byte) []byte { return []byte{n, n, n, n} }

func TestJitterBuffer(t *testing.T) {
	type put struct {
		ts uint32
		b  byte
	}
	tests := []struct {
		name  string
		delay int
		fill  FillPolicy
		puts  [][]put // puts before each Get
		want  []byte  // first byte of each Get
		stats JitterStats
	}{
		{
			name: "in order, delay 2", delay: 2,
			puts:  [][]put{{{1000, 1}}, {{1020, 2}}, {{1040, 3}}, {{1060, 4}}, {}, {}},
			want:  []byte{0xff, 0xff, 1, 2, 3, 4},
			stats: JitterStats{Received: 4, Played: 4},
		},
		{
			name: "reordered within delay", delay: 2,
			puts:  [][]put{{{1000, 1}}, {{1040, 3}}, {{1020, 2}}, {}, {}},
			want:  []byte{0xff, 0xff, 1, 2, 3},
			stats: JitterStats{Received: 3, Played: 3, Reordered: 1},
		},
		{
			name: "lost frame filled with silence", delay: 1, fill: FillSilence,
			puts:  [][]put{{{0, 1}}, {{40, 3}}, {}, {}},
			want:  []byte{0xff, 1, 0xff, 3},
			stats: JitterStats{Received: 2, Played: 2, Lost: 1},
		},
		{
			name: "lost frame repeated", delay: 1, fill: FillRepeat,
			puts:  [][]put{{{0, 1}}, {{40, 3}}, {}, {}},
			want:  []byte{0xff, 1, 1, 3},
			stats: JitterStats{Received: 2, Played: 2, Lost: 1},
		},
		{
			name: "late frame dropped", delay: 0, fill: FillSilence,
			puts:  [][]put{{{0, 1}}, {}, {{20, 2}, {40, 3}}},
			want:  []byte{1, 0xff, 3},
			stats: JitterStats{Received: 3, Played: 2, Lost: 1, Late: 1},
		},
		{
			name: "duplicate", delay: 0,
			puts:  [][]put{{{0, 1}, {0, 1}}, {{20, 2}}},
			want:  []byte{1, 2},
			stats: JitterStats{Received: 3, Played: 2, Duplicate: 1},
		},
		{
			name: "timestamps off the grid round to the nearest frame", delay: 0,
			puts:  [][]put{{{1501, 1}}, {{1521, 2}}, {{1542, 3}}},
			want:  []byte{1, 2, 3},
			stats: JitterStats{Received: 3, Played: 3},
		},
		{
			name: "32-bit wrap", delay: 0,
			puts:  [][]put{{{0xffffffec, 1}}, {{0, 2}}, {{20, 3}}},
			want:  []byte{1, 2, 3},
			stats: JitterStats{Received: 3, Played: 3},
		},
		{
			name: "far jump resyncs", delay: 0,
			puts:  [][]put{{{0, 1}}, {{60000, 2}}, {{60020, 3}}},
			want:  []byte{1, 2, 3},
			stats: JitterStats{Received: 3, Played: 3, Resyncs: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jb := NewJitterBuffer(20, 4, tt.delay, 16, 0xff, tt.fill)
			dst := make([]byte, 4)
			for i, ps := range tt.puts {
				for _, p := range ps {
					jb.Put(p.ts, frameOf(p.b))
				}
				jb.Get(dst)
				if dst[0] != tt.want[i] {
					t.Errorf("Get #%d = %d, want %d", i, dst[0], tt.want[i])
				}
			}
			if got := jb.Stats(); got != tt.stats {
				t.Errorf("stats %+v, want %+v", got, tt.stats)
			}
		})
	}
}

func TestJitterBufferLongGapIsNotLoss(t *testing.T) {
	jb := NewJitterBuffer(20, 4, 1, 16, 0, FillSilence)
	dst := make([]byte, 4)
	jb.Put(0, frameOf(1))
	for range 100 {
		jb.Get(dst)
	}
	if l := jb.Stats().Lost; l >= resyncAfter+1 {
		t.Errorf("lost %d frames during a pause; want fewer than %d", l, resyncAfter+1)
	}
	jb.Put(5000, frameOf(7))
	if r := jb.Get(dst); r != GetIdle { // prefill after resync
		t.Errorf("first Get after resync = %v", r)
	}
	if r := jb.Get(dst); r != GetFrame || dst[0] != 7 {
		t.Errorf("after resync got %v %d", r, dst[0])
	}
}

func TestJitterBufferAllocs(t *testing.T) {
	jb := NewJitterBuffer(20, 160, 3, 16, 0xff, FillSilence)
	p := make([]byte, 160)
	dst := make([]byte, 160)
	ts := uint32(0)
	allocs := testing.AllocsPerRun(1000, func() {
		jb.Put(ts, p)
		jb.Get(dst)
		ts += 20
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame", allocs)
	}
}
