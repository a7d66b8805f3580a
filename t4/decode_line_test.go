package t4

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// codecDamageEOL flips bit k of the EOL before row y (row 0: the first
// EOL) of an MH or MR stream; more (y, k) pairs may follow.
func codecDamageEOL(t *testing.T, data []byte, mr bool, yk ...int) []byte {
	t.Helper()
	var at []int
	for i := 0; i < len(yk); i += 2 {
		start := codecBitOfRow(t, data, yk[i], mr) - 12
		if mr {
			start--
		}
		at = append(at, start+yk[i+1])
	}
	for _, bit := range at {
		data = codecFlipBit(data, bit)
	}
	return data
}

// TestDecodeLeadingEOL: with LeadingEOL, what precedes a line page's first
// EOL is not decoded; a training tail of 1s and fill are harmless, but
// anything else, or a first EOL lost, counts bad rows so that T.30 cannot
// confirm a page whose first rows are missing.
func TestDecodeLeadingEOL(t *testing.T) {
	p := codecTextPage(t, WidthA4, 120, 23)
	for _, c := range []Compression{MH, MR} {
		mr := c == MR
		data, err := Encode(p, EncodeOptions{Compression: c, K: 4, RTC: true})
		if err != nil {
			t.Fatal(err)
		}
		bitsOf := codecBitString(data)
		from3 := bitsOf[codecBitOfRow(t, data, 3, mr)-12-btoi(mr):] // from the EOL before row 3
		noise := make([]byte, 4000)
		rng := rand.New(rand.NewPCG(uint64(c), 25))
		for i := range noise {
			noise[i] = '0' + byte(rng.IntN(2))
		}
		for _, tc := range []struct {
			name             string
			data             []byte
			minRows, maxRows int // rows of the page decoded
			minBad           int // 0: none
			firstOK          int // from this row of the page on, every row arrives intact
		}{
			{"clean", data, p.Height, p.Height, 0, 0},
			{"training tail", codecPackBits(strings.Repeat("1", 37) + bitsOf), p.Height, p.Height, 0, 0},
			{"fill", codecPackBits(strings.Repeat("0", 45) + bitsOf), p.Height, p.Height, 0, 0},
			{"tail and fill", codecPackBits("1111111100000000000" + bitsOf), p.Height, p.Height, 0, 0},
			{"noise before", codecPackBits("1101001110010110" + bitsOf), p.Height + 1, p.Height + 1, 1, 0},
			// The first EOL hit by an error: row 0 is lost, and counted.
			{"first EOL damaged", codecDamageEOL(t, data, mr, 0, 3), p.Height, p.Height + 1, 1, 4},
			// The first three EOLs damaged: the rows after them are lost,
			// and counted by the length of what was skipped.
			{"three EOLs damaged", codecDamageEOL(t, data, mr, 0, 9, 1, 2, 2, 6), p.Height - 2, p.Height + 1, 1, 4},
			// Noise instead of the first rows: at least one row counted.
			{"rows lost", codecPackBits("0110100101100001111011100000010110" + from3), p.Height - 2, p.Height + 1, 1, 4},
			// Much noise (a receiver trained on the line's noise before
			// the page): counted as the rows it would hold.
			{"long noise", codecPackBits(string(noise) + from3), p.Height - 3 + 4000/(len(bitsOf)/p.Height)/2, p.Height - 3 + 2*4000/(len(bitsOf)/p.Height), 4000 / (len(bitsOf) / p.Height) / 2, 4},
		} {
			t.Run(fmt.Sprintf("%v/%s", c, tc.name), func(t *testing.T) {
				for _, chunk := range []int{1, 7, len(tc.data)} {
					d, err := NewDecoder(DecodeOptions{Compression: c, Width: p.Width, LeadingEOL: true})
					if err != nil {
						t.Fatal(err)
					}
					for i := 0; i < len(tc.data); i += chunk {
						d.Write(tc.data[i:min(i+chunk, len(tc.data))])
					}
					got, st, err := d.Finish()
					if err != nil {
						t.Fatal(err)
					}
					if st.Rows < tc.minRows || st.Rows > tc.maxRows || st.BadRows < tc.minBad || tc.minBad == 0 && st.BadRows != 0 || !st.RTC {
						t.Fatalf("chunk %d: stats %+v, want %d-%d rows, %d bad at least", chunk, st, tc.minRows, tc.maxRows, tc.minBad)
					}
					// The page's rows from firstOK on are the last rows.
					for k := 1; k <= p.Height-tc.firstOK; k++ {
						if !codecRowsEqual(got, p, got.Height-k, p.Height-k) {
							t.Fatalf("chunk %d: row %d differs from the page's row %d", chunk, got.Height-k, p.Height-k)
						}
					}
				}
			})
		}
	}
	if _, err := NewDecoder(DecodeOptions{Compression: MMR, Width: 8, LeadingEOL: true}); !errors.Is(err, ErrOptions) {
		t.Errorf("MMR with LeadingEOL: %v", err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDecodeLostEOL: an EOL hit by a bit error merges two rows; both are
// counted bad and the page keeps its height, every other row intact.
func TestDecodeLostEOL(t *testing.T) {
	p := codecTextPage(t, WidthA4, 200, 24)
	for _, c := range []Compression{MH, MR} {
		mr := c == MR
		data, err := Encode(p, EncodeOptions{Compression: c, K: 4, RTC: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, y := range []int{37, 81, 82, 150} {
			for _, k := range []int{0, 4, 10} {
				t.Run(fmt.Sprintf("%v/row%d/bit%d", c, y, k), func(t *testing.T) {
					got, st, err := Decode(codecDamageEOL(t, data, mr, y, k), DecodeOptions{Compression: c, Width: p.Width})
					if err != nil {
						t.Fatal(err)
					}
					if st.Rows != p.Height || st.BadRows < 2 || !st.RTC {
						t.Fatalf("stats %+v, want %d rows, 2 bad at least", st, p.Height)
					}
					next := y + 1
					if mr {
						next = (y/4 + 1) * 4
					}
					for r := 0; r < p.Height; r++ {
						if (r < y-1 || r >= next) && !codecRowsEqual(got, p, r, r) {
							t.Fatalf("row %d differs (stats %+v)", r, st)
						}
					}
				})
			}
		}
	}
}
