package modem

import (
	"math/rand/v2"
	"testing"
)

// FuzzEngine runs two engines back to back under a random program of DTE
// operations, with random samples added to the line: whatever the order of
// operations and whatever is heard, the engines must not panic, hang,
// grow without bound, or break the audio contract.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{0x0f, 0x1f, 0x06, 0x06, 0x06})                               // answer, originate
	f.Add([]byte{0x07, 0x03, 0x19, 0x03, 0x0a, 0x10, 0x06, 0x06, 0x06, 0x06}) // +FRH=3 / +FTH=3 + frame
	f.Add([]byte{0x08, 0x91, 0x1b, 0x91, 0x1c, 0x50, 0x06, 0x06, 0x1d, 0x06}) // +FRM=145 / +FTM=145
	f.Add([]byte{0x08, 0x30, 0x19, 0x03, 0x0a, 0x05, 0x06, 0x06, 0x0e, 0x06}) // +FAR
	f.Add([]byte{0x00, 0xff, 0x01, 0x80, 0x0e, 0x2e, 0x0f, 0x06})
	f.Fuzz(runProgram)
}

// runProgram interprets prog as operations on two engines back to back.
func runProgram(t *testing.T, prog []byte) {
	{
		if len(prog) > 400 {
			prog = prog[:400]
		}
		engines := [2]*Engine{NewEngine(Config{HistorySamples: 4000, TxBufferBytes: 512}), NewEngine(Config{})}
		rng := rand.New(rand.NewPCG(uint64(len(prog)), 1))
		bufs := [2][]int16{make([]int16, 160), make([]int16, 160)}
		mods := HDLCModulations()
		arg := func(i int) byte {
			if i < len(prog) {
				return prog[i]
			}
			return 0
		}
		steps := 0
		for i := 0; i < len(prog); i++ {
			op := prog[i]
			e := engines[op>>4&1]
			a := arg(i + 1)
			m := mods[int(a)%len(mods)]
			switch op & 0x0f {
			case 0, 1, 2: // noise into one engine
				n := 1 + int(a)%200
				level := int32(1) << (op & 3 * 5)
				in := make([]int16, n)
				for j := range in {
					in[j] = int16(rng.Int32N(2*level+1) - level)
				}
				e.Receive(in)
				i++
			case 3, 4, 5, 6: // 20 ms of line time, both ways
				steps++
				for k := range engines {
					if n := engines[k].Transmit(bufs[k]); n != len(bufs[k]) {
						t.Fatalf("Transmit returned %d", n)
					}
				}
				engines[1].Receive(bufs[0])
				engines[0].Receive(bufs[1])
			case 7:
				_ = e.ReceiveHDLC(m)
				i++
			case 8:
				_ = e.ReceiveData(m, a&0x80 != 0)
				i++
			case 9:
				_ = e.TransmitHDLC(m)
				i++
			case 10:
				frame := make([]byte, int(a)%300)
				for j := range frame {
					frame[j] = byte(rng.Uint32())
				}
				_ = e.SendFrame(frame, a&1 == 1)
				i++
			case 11:
				_ = e.TransmitData(m)
				i++
			case 12:
				data := make([]byte, int(a)*4)
				_, _ = e.WriteData(data)
				i++
			case 13:
				_ = e.EndData()
			case 14:
				if a&1 == 0 {
					e.Abort()
				} else {
					e.Hangup()
					if e.State() != StateIdle {
						t.Fatalf("state %v after Hangup", e.State())
					}
				}
				i++
			case 15:
				switch a % 5 {
				case 0:
					_ = e.Answer()
				case 1:
					_ = e.Originate()
				case 2:
					_ = e.WaitSilence(int(a) / 5)
				case 3:
					_ = e.TransmitSilence(int(a) / 5)
				case 4:
					e.SetCarrierLossTimeout(int(a) * 80)
					e.SetInactivityTimeout(int(a) * 160)
					e.SetConnectTimeout(int(a) * 800)
				}
				i++
			}
			for _, e := range engines {
				n := 0
				for ev, ok := e.Poll(); ok; ev, ok = e.Poll() {
					if ev.Kind < Connect || ev.Kind > Inactive {
						t.Fatalf("bad event %v", ev)
					}
					if ev.At < 0 {
						t.Fatalf("event before time: %v", ev)
					}
					if n++; n > maxQueuedEvents {
						t.Fatal("event queue does not drain")
					}
				}
				if e.Buffered() > e.TxBufferSize() {
					t.Fatalf("buffered %d", e.Buffered())
				}
			}
		}
	}
}
