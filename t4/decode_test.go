package t4

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// codecRowsEqual reports whether row y of a and b have the same pixels.
func codecRowsEqual(a, b *Page, ya, yb int) bool {
	for x := range a.Width {
		if a.Black(x, ya) != b.Black(x, yb) {
			return false
		}
	}
	return true
}

// TestStreamingMatchesDecode writes the data in chunks of many sizes,
// including one byte at a time, and expects exactly what Decode produces.
func TestStreamingMatchesDecode(t *testing.T) {
	p := codecTextPage(t, WidthA4, 300, 7)
	for _, v := range codecVariants {
		for _, chunk := range []int{1, 3, 64, 1000} {
			t.Run(fmt.Sprintf("%s/%d", v.name, chunk), func(t *testing.T) {
				opt := v.opt
				opt.LSBFirst = chunk == 3
				data, err := Encode(p, opt)
				if err != nil {
					t.Fatal(err)
				}
				d, err := NewDecoder(DecodeOptions{Compression: opt.Compression, Width: p.Width, LSBFirst: opt.LSBFirst, AlignRows: opt.AlignRows})
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < len(data); i += chunk {
					if n, err := d.Write(data[i:min(i+chunk, len(data))]); err != nil || n != min(chunk, len(data)-i) {
						t.Fatalf("Write = %d, %v", n, err)
					}
					if len(d.buf) > 4096 {
						t.Fatalf("decoder holds %d bytes: not consuming rows", len(d.buf))
					}
				}
				if opt.RTC && !d.Done() {
					t.Error("not Done after RTC")
				}
				got, st, err := d.Finish()
				if err != nil {
					t.Fatal(err)
				}
				if st.BadRows != 0 || st.Rows != p.Height {
					t.Errorf("stats %+v", st)
				}
				codecSamePixels(t, got, p)
				if _, err := d.Write([]byte{0}); err == nil {
					t.Error("Write after Finish succeeded")
				}
			})
		}
	}
}

// TestStreamingRowsEarly checks that rows are available before the page
// ends, as T.30 needs for progress and for bounded memory.
func TestStreamingRowsEarly(t *testing.T) {
	p := codecTextPage(t, WidthA4, 200, 8)
	data, _ := Encode(p, EncodeOptions{Compression: MR, K: 4})
	d, _ := NewDecoder(DecodeOptions{Compression: MR, Width: p.Width})
	d.Write(data[:len(data)/2])
	if r := d.Stats().Rows; r < 50 {
		t.Errorf("only %d rows decoded from half the page", r)
	}
}

// codecFlipBit inverts bit i (MSB-first numbering) of a copy of b.
func codecFlipBit(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i/8] ^= 0x80 >> (i % 8)
	return c
}

// codecBitOfRow returns the bit position where row y's data starts in an MH/MR
// stream with an EOL before each row: just after the (y+1)th EOL.
func codecBitOfRow(t *testing.T, data []byte, y int, mr bool) int {
	t.Helper()
	n := 0
	for pos := 0; pos+12 <= len(data)*8; pos++ {
		if codecIsEOLAt(data, pos) {
			if n == y {
				if mr {
					return pos + 13
				}
				return pos + 12
			}
			n++
		}
	}
	t.Fatalf("no row %d", y)
	return 0
}

// TestDamageResync damages one row in the middle of MH and MR streams: the
// decoder must count bad rows, repeat the last good row, and decode every
// row after the damage (MR: after the next 1-D row) correctly.
func TestDamageResync(t *testing.T) {
	p := codecTextPage(t, WidthA4, 300, 9)
	rng := rand.New(rand.NewPCG(10, 10))
	for _, tc := range []struct {
		name string
		opt  EncodeOptions
		k    int
	}{
		{"MH", EncodeOptions{Compression: MH}, 1},
		{"MH-aligned", EncodeOptions{Compression: MH, AlignEOL: true, MinRowBits: 400}, 1},
		{"MR-K2", EncodeOptions{Compression: MR, K: 2}, 2},
		{"MR-K4", EncodeOptions{Compression: MR, K: 4}, 4},
	} {
		data, err := Encode(p, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		mr := tc.opt.Compression == MR
		undetected := 0
		for _, y := range []int{0, 101, 102, 103, 150, 151, 152, 153, 299} {
			// Damage a bit inside the row's data (not its EOL or tag).
			start := codecBitOfRow(t, data, y, mr)
			var end int
			if y+1 < p.Height {
				end = codecBitOfRow(t, data, y+1, mr) - 13
			} else {
				end = len(data) * 8
			}
			if end-start < 2 {
				continue // an empty-ish row: nothing to damage
			}
			for range 4 {
				bit := start + rng.IntN(end-start)
				damaged := codecFlipBit(data, bit)
				t.Run(fmt.Sprintf("%s/row%d/bit%d", tc.name, y, bit), func(t *testing.T) {
					got, st, err := Decode(damaged, DecodeOptions{Compression: tc.opt.Compression, Width: p.Width, Height: p.Height})
					if y == 0 && err != nil {
						return // the page may hold no good row before the damage: acceptable
					}
					if err != nil {
						t.Fatal(err)
					}
					if got.Height != p.Height {
						t.Fatalf("%d rows, want %d (%+v)", got.Height, p.Height, st)
					}
					for r := 0; r < y; r++ {
						if !codecRowsEqual(got, p, r, r) {
							t.Fatalf("row %d before the damage differs", r)
						}
					}
					// Rows after the damage are correct from the next row
					// that does not depend on it: MH the next row, MR the
					// next 1-D row. Between, a row is either correct or a
					// repeat of the row above it; only the damaged row
					// itself may be wrong and undetected (a flipped bit can
					// make another valid row of the right width).
					next := y + 1
					if mr {
						next = (y/tc.k + 1) * tc.k
					}
					if st.BadRows > next-y {
						t.Errorf("%d bad rows for damage in row %d (next clean row %d)", st.BadRows, y, next)
					}
					for r := y + 1; r < next && r < p.Height; r++ {
						if !codecRowsEqual(got, p, r, r) && !codecRowsEqual(got, got, r, r-1) {
							t.Errorf("row %d is neither correct nor a repeat", r)
						}
					}
					for r := next; r < p.Height; r++ {
						if !codecRowsEqual(got, p, r, r) {
							t.Fatalf("row %d after the damage differs (stats %+v)", r, st)
						}
					}
					if st.BadRows == 0 && !codecRowsEqual(got, p, y, y) {
						undetected++
					}
				})
			}
		}
		if undetected > 12 {
			t.Errorf("%s: %d of the damages went undetected", tc.name, undetected)
		}
	}
}

// TestTruncation cuts streams short: rows decoded before the cut survive,
// a partial row is counted bad and nothing panics.
func TestTruncation(t *testing.T) {
	p := codecTextPage(t, WidthA4, 200, 11)
	for _, c := range []Compression{MH, MR, MMR} {
		data, _ := Encode(p, EncodeOptions{Compression: c, K: 4, RTC: true})
		for _, cut := range []int{len(data) / 3, len(data) / 2, len(data) - 8} {
			t.Run(fmt.Sprintf("%v/%d", c, cut), func(t *testing.T) {
				got, st, err := Decode(data[:cut], DecodeOptions{Compression: c, Width: p.Width})
				if err != nil {
					t.Fatal(err)
				}
				if st.RTC {
					t.Error("RTC reported in truncated data")
				}
				good := st.Rows - st.BadRows
				if good < p.Height*cut/len(data)/2 || st.BadRows > 1 {
					t.Errorf("stats %+v for %d of %d bytes", st, cut, len(data))
				}
				for y := range good {
					if !codecRowsEqual(got, p, y, y) {
						t.Fatalf("row %d differs", y)
					}
				}
				// With the height known the page is complete, the missing
				// rows white and bad.
				got, st, err = Decode(data[:cut], DecodeOptions{Compression: c, Width: p.Width, Height: p.Height})
				if err != nil {
					t.Fatal(err)
				}
				if got.Height != p.Height || st.Rows != p.Height || st.BadRows != p.Height-good || st.MaxConsecutiveBad != st.BadRows {
					t.Errorf("with Height: %dx%d, stats %+v, %d good before", got.Width, got.Height, st, good)
				}
			})
		}
	}
}

// TestMMRDamage: T.6 cannot resynchronise, so damage ends the page.
func TestMMRDamage(t *testing.T) {
	p := codecTextPage(t, WidthA4, 200, 12)
	data, _ := Encode(p, EncodeOptions{Compression: MMR, RTC: true})
	// Overwrite a stretch in the middle with zeros: certainly invalid.
	damaged := bytes.Clone(data)
	mid := len(data) / 2
	clear(damaged[mid : mid+4])
	got, st, err := Decode(damaged, DecodeOptions{Compression: MMR, Width: p.Width, Height: p.Height})
	if err != nil {
		t.Fatal(err)
	}
	good := st.Rows - st.BadRows
	if st.BadRows == 0 || st.RTC || good == 0 || st.MaxConsecutiveBad != st.BadRows || got.Height != p.Height {
		t.Fatalf("stats %+v", st)
	}
	for y := range good - 1 { // the row at the damage may decode wrongly before failing
		if !codecRowsEqual(got, p, y, y) {
			t.Fatalf("row %d before the damage differs", y)
		}
	}
}

// TestDecodeRTCAndEOFB: decoding stops at RTC/EOFB and ignores what follows.
func TestDecodeRTCAndEOFB(t *testing.T) {
	p := codecTextPage(t, 500, 60, 13)
	for _, c := range []Compression{MH, MR, MMR} {
		data, _ := Encode(p, EncodeOptions{Compression: c, RTC: true})
		data = append(data, 0xde, 0xad, 0xbe, 0xef) // garbage after the page
		got, st, err := Decode(data, DecodeOptions{Compression: c, Width: p.Width})
		if err != nil || !st.RTC || st.BadRows != 0 || st.Rows != p.Height {
			t.Fatalf("%v: stats %+v, err %v", c, st, err)
		}
		codecSamePixels(t, got, p)
	}
}

// TestDecodeHeight stops after Height rows.
func TestDecodeHeight(t *testing.T) {
	p := codecTextPage(t, 500, 60, 14)
	for _, c := range []Compression{MH, MR, MMR} {
		data, _ := Encode(p, EncodeOptions{Compression: c})
		got, st, err := Decode(data, DecodeOptions{Compression: c, Width: p.Width, Height: 20})
		if err != nil || st.Rows != 20 || st.BadRows != 0 || got.Height != 20 {
			t.Fatalf("%v: stats %+v, err %v", c, st, err)
		}
		for y := range 20 {
			if !codecRowsEqual(got, p, y, y) {
				t.Fatalf("%v: row %d differs", c, y)
			}
		}
	}
}

// TestDecodeFillAndLeadingEOLs accepts streams with EOLs after rows instead
// of before, extra leading EOLs and fill before EOLs.
func TestDecodeFillAndLeadingEOLs(t *testing.T) {
	p := codecTextPage(t, 300, 40, 15)
	// Build "EOL EOL fill EOL row1 fill EOL row2 ..." by hand from an
	// EOL-less stream is hard; instead prepend EOLs and zero bytes to a
	// normal stream, which covers leading EOLs and fill.
	data, _ := Encode(p, EncodeOptions{Compression: MH, MinRowBits: 300, AlignEOL: true})
	pre := []byte{0x00, 0x10, 0x01, 0x00, 0x00} // 11 zeros+1, 11 zeros+1, fill
	got, st, err := Decode(append(pre, data...), DecodeOptions{Compression: MH, Width: p.Width})
	if err != nil || st.BadRows != 0 || st.Rows != p.Height {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	codecSamePixels(t, got, p)
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		opt  DecodeOptions
		want error
	}{
		{"no compression", []byte{1}, DecodeOptions{Width: 8}, ErrOptions},
		{"zero width", []byte{1}, DecodeOptions{Compression: MH}, ErrDimension},
		{"huge width", []byte{1}, DecodeOptions{Compression: MH, Width: MaxDimension + 1}, ErrDimension},
		{"negative height", []byte{1}, DecodeOptions{Compression: MH, Width: 8, Height: -1}, ErrDimension},
		{"huge page", []byte{1}, DecodeOptions{Compression: MH, Width: MaxDimension, Height: MaxDimension}, ErrDimension},
		{"empty", nil, DecodeOptions{Compression: MMR, Width: 8}, ErrTruncated},
		{"only EOLs", []byte{0, 0x10, 0x01, 0, 0x10, 0x01}, DecodeOptions{Compression: MH, Width: 8}, ErrTruncated},
		{"garbage", []byte{0, 0x4f, 0, 0x4f, 0, 0x4f}, DecodeOptions{Compression: MH, Width: 8}, ErrBadCode},
		{"MMR garbage", []byte{0x00, 0xff}, DecodeOptions{Compression: MMR, Width: 8}, ErrBadCode},
		{"aligned MR rows", []byte{0xff}, DecodeOptions{Compression: MR, Width: 8, AlignRows: true}, ErrOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := Decode(tc.data, tc.opt)
			if !errors.Is(err, tc.want) || p != nil {
				t.Errorf("err = %v, page %v; want %v", err, p != nil, tc.want)
			}
		})
	}
}

// TestDecodeBoundedRows: a tiny MMR stream of V0 codes claims many rows;
// the decoder stops at MaxDimension rows.
func TestDecodeBoundedRows(t *testing.T) {
	data := bytes.Repeat([]byte{0xff}, 20000) // 160000 one-bit all-white rows
	p, st, err := Decode(data, DecodeOptions{Compression: MMR, Width: 16})
	if err != nil {
		t.Fatal(err)
	}
	if p.Height != MaxDimension || st.Rows != MaxDimension {
		t.Errorf("%d rows", p.Height)
	}
}

// TestDecodeEOLAfterRows accepts the layout some TIFF writers use: each row
// followed by its EOL instead of preceded by it.
func TestDecodeEOLAfterRows(t *testing.T) {
	p := codecTextPage(t, 400, 50, 16)
	for _, c := range []Compression{MH, MR} {
		data, _ := Encode(p, EncodeOptions{Compression: c, K: 4, RTC: true})
		eol := "000000000001"
		if c == MR {
			eol += "1"
		}
		s := strings.TrimRight(codecBitString(data), "0")
		s = strings.TrimSuffix(s, strings.Repeat(eol, 6)) // drop RTC
		// Move the first row's EOL (and tag) to the end: without an EOL
		// before it, the first MR row is taken as 1-D, as it is.
		s = s[len(eol):] + eol
		got, st, err := Decode(codecPackBits(s), DecodeOptions{Compression: c, Width: p.Width})
		if err != nil || st.BadRows != 0 || st.Rows != p.Height {
			t.Fatalf("%v: stats %+v, err %v", c, st, err)
		}
		codecSamePixels(t, got, p)
	}
}

// codecPackBits packs a string of '0' and '1', MSB first, padding with zeros.
func codecPackBits(s string) []byte {
	b := make([]byte, (len(s)+7)/8)
	for i := range len(s) {
		if s[i] == '1' {
			b[i/8] |= 0x80 >> (i % 8)
		}
	}
	return b
}
