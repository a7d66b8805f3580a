package t4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"
)

func readTIFFBytes(b []byte) ([]TIFFPage, error) {
	return ReadTIFF(bytes.NewReader(b), int64(len(b)))
}

// TestReadTIFFContainers reads plain bilevel TIFFs built by an independent
// writer: both byte orders, both fill orders, strips of every size,
// PackBits, BlackIsZero, odd widths, resolution units, thumbnails.
func TestReadTIFFContainers(t *testing.T) {
	pages := []*Page{
		tiffTestPage(t, 1728, 120, Fine, 1),
		tiffTestPage(t, 2048, 60, Fine, 2),
		tiffTestPage(t, 1001, 33, Fine, 3), // width not a multiple of 8
	}
	inch := func(x, y uint32) ([2]uint32, [2]uint32) { return [2]uint32{x, 1}, [2]uint32{y, 1} }
	tests := []struct {
		name    string
		o       tiffRawOptions
		wantRes Resolution
	}{
		{"II none", tiffRawOptions{resUnit: 2}, Standard},
		{"MM none", tiffRawOptions{bigEndian: true}, Standard},
		{"II packbits strips", tiffRawOptions{packBits: true, rowsPerStrip: 7}, Standard},
		{"MM packbits one-row strips", tiffRawOptions{bigEndian: true, packBits: true, rowsPerStrip: 1}, Standard},
		{"fill order 2", tiffRawOptions{fillOrder: 2, rowsPerStrip: 50}, Standard},
		{"fill order 1 explicit", tiffRawOptions{fillOrder: 1}, Standard},
		{"BlackIsZero", tiffRawOptions{photometric: 1}, Standard},
		{"BlackIsZero MM fill 2 packbits", tiffRawOptions{photometric: 1, bigEndian: true, fillOrder: 2, packBits: true, rowsPerStrip: 16}, Standard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.xres, tc.o.yres = inch(204, 98)
			b := tiffRawFile(pages, tc.o)
			got, err := readTIFFBytes(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(pages) {
				t.Fatalf("%d pages, want %d", len(got), len(pages))
			}
			for i, p := range got {
				if d := tiffSamePage(p.Page, pages[i]); d != "" {
					t.Errorf("page %d: %s", i+1, d)
				}
				if p.Res != tc.wantRes {
					t.Errorf("page %d: resolution %v, want %v", i+1, p.Res, tc.wantRes)
				}
				if p.Compression != 0 {
					t.Errorf("page %d: compression %v, want 0", i+1, p.Compression)
				}
			}
		})
	}
}

func TestReadTIFFResolution(t *testing.T) {
	p := []*Page{tiffTestPage(t, 64, 8, Fine, 1)}
	tests := []struct {
		unit       uint16
		xres, yres [2]uint32
		want       Resolution
	}{
		{2, [2]uint32{204, 1}, [2]uint32{98, 1}, Standard},
		{2, [2]uint32{204, 1}, [2]uint32{196, 1}, Fine},
		{2, [2]uint32{204, 1}, [2]uint32{391, 1}, Superfine},
		{2, [2]uint32{200, 1}, [2]uint32{100, 1}, Standard},
		{2, [2]uint32{200, 1}, [2]uint32{200, 1}, Fine},
		{2, [2]uint32{200, 1}, [2]uint32{400, 1}, Superfine},
		{2, [2]uint32{2032, 10}, [2]uint32{9779, 100}, Standard}, // 8 x 3.85 /mm in inches
		{3, [2]uint32{80, 1}, [2]uint32{385, 10}, Standard},      // 8 x 3.85 /mm in cm
		{3, [2]uint32{80, 1}, [2]uint32{77, 1}, Fine},
		{3, [2]uint32{80, 1}, [2]uint32{154, 1}, Superfine},
		{2, [2]uint32{300, 1}, [2]uint32{300, 1}, R300},
		{2, [2]uint32{400, 1}, [2]uint32{400, 1}, R400},
		{3, [2]uint32{11811, 100}, [2]uint32{11811, 100}, R300}, // 300 dpi in cm
		{2, [2]uint32{72, 1}, [2]uint32{72, 1}, Resolution{72, 72}},
		{1, [2]uint32{300, 1}, [2]uint32{300, 1}, R300},
		{2, [2]uint32{204, 0}, [2]uint32{196, 1}, Fine}, // meaningless X: fax default
		{0, [2]uint32{}, [2]uint32{}, Standard},         // no resolution at all
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d %v %v", tc.unit, tc.xres, tc.yres), func(t *testing.T) {
			got, err := readTIFFBytes(tiffRawFile(p, tiffRawOptions{resUnit: tc.unit, xres: tc.xres, yres: tc.yres}))
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Res != tc.want {
				t.Errorf("resolution %v, want %v", got[0].Res, tc.want)
			}
		})
	}
}

func TestReadTIFFSkipsThumbnails(t *testing.T) {
	pages := []*Page{tiffTestPage(t, 200, 20, Fine, 1), tiffTestPage(t, 50, 5, Fine, 2), tiffTestPage(t, 300, 30, Fine, 3)}
	got, err := readTIFFBytes(tiffRawFile(pages, tiffRawOptions{subfile: []uint32{2, 1, 2}}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Width != 200 || got[1].Width != 300 {
		t.Fatalf("got %d pages, want the two full-resolution ones", len(got))
	}
}

// tiffPatch returns a copy of a little-endian file with a uint32 at off.
func tiffPatch(b []byte, off int, v uint32) []byte {
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[off:], v)
	return b
}

// tiffEntryOffset finds the file offset of tag's entry in the first IFD.
func tiffEntryOffset(t *testing.T, b []byte, tag uint16) int {
	t.Helper()
	ifd := int(binary.LittleEndian.Uint32(b[4:]))
	n := int(binary.LittleEndian.Uint16(b[ifd:]))
	for i := range n {
		e := ifd + 2 + 12*i
		if binary.LittleEndian.Uint16(b[e:]) == tag {
			return e
		}
	}
	t.Fatalf("tag %d not in first IFD", tag)
	return 0
}

func TestReadTIFFErrors(t *testing.T) {
	one := tiffRawFile([]*Page{tiffTestPage(t, 64, 16, Fine, 1)}, tiffRawOptions{})
	two := tiffRawFile([]*Page{tiffTestPage(t, 64, 16, Fine, 1), tiffTestPage(t, 64, 16, Fine, 2)}, tiffRawOptions{})
	ifd := int(binary.LittleEndian.Uint32(one[4:]))
	n := int(binary.LittleEndian.Uint16(one[ifd:]))
	nextOff := ifd + 2 + 12*n // the first IFD's next pointer
	value := func(tag uint16) int { return tiffEntryOffset(t, one, tag) + 8 }
	count := func(tag uint16) int { return tiffEntryOffset(t, one, tag) + 4 }
	setShort := func(tag uint16, v uint16) []byte {
		b := bytes.Clone(one)
		binary.LittleEndian.PutUint16(b[value(tag):], v)
		return b
	}
	// 16 one-row strips whose counts all claim the rest of the file.
	overlap := tiffRawFile([]*Page{tiffTestPage(t, 64, 16, Fine, 1)}, tiffRawOptions{rowsPerStrip: 1})
	countsAt := int(binary.LittleEndian.Uint32(overlap[tiffEntryOffset(t, overlap, 279)+8:]))
	offsetsAt := int(binary.LittleEndian.Uint32(overlap[tiffEntryOffset(t, overlap, 273)+8:]))
	for i := range 16 {
		binary.LittleEndian.PutUint32(overlap[offsetsAt+4*i:], 8)
		binary.LittleEndian.PutUint32(overlap[countsAt+4*i:], uint32(len(overlap)-8))
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrNotTIFF},
		{"strips overlap", overlap, ErrCorrupt},
		{"short", []byte("II*\x00"), ErrNotTIFF},
		{"not tiff", []byte("%PDF-1.4\n%%EOF\n"), ErrNotTIFF},
		{"bad magic", []byte("II\x2b\x01\x08\x00\x00\x00"), ErrNotTIFF},
		{"BigTIFF", []byte("II+\x00\x08\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00"), ErrUnsupported},
		{"no IFD", []byte("II*\x00\x00\x00\x00\x00"), ErrCorrupt},
		{"IFD past EOF", tiffPatch(one, 4, 1<<30), ErrCorrupt},
		{"IFD entries past EOF", tiffPatch(one, 4, uint32(len(one)-4)), ErrCorrupt},
		{"IFD loop to itself", tiffPatch(one, nextOff, uint32(ifd)), ErrCorrupt},
		{"IFD loop two pages", tiffPatch(two, len(two)-4, binary.LittleEndian.Uint32(two[4:])), ErrCorrupt},
		{"next IFD past EOF", tiffPatch(one, nextOff, uint32(len(one)+100)), ErrCorrupt},
		{"width 0", tiffPatch(one, value(256), 0), ErrCorrupt},
		{"width too large", tiffPatch(one, value(256), MaxDimension+1), ErrUnsupported},
		{"height too large", tiffPatch(one, value(257), 1<<31), ErrUnsupported},
		{"strip past EOF", tiffPatch(one, value(273), uint32(len(one))), ErrCorrupt},
		{"strip count past EOF", tiffPatch(one, value(279), 1<<31), ErrCorrupt},
		{"strip count short", tiffPatch(one, value(279), 10), ErrCorrupt},
		{"huge strip offsets count", tiffPatch(one, count(273), 1<<30), ErrCorrupt},
		{"rows per strip 1 with one strip offset", tiffPatch(one, value(278), 1), ErrCorrupt},
		{"8 bits per sample", setShort(258, 8), ErrUnsupported},
		{"JPEG", setShort(259, 7), ErrUnsupported},
		{"CCITT RLE", setShort(259, 2), ErrUnsupported},
		{"RGB", setShort(262, 2), ErrUnsupported},
		{"3 samples", setShort(277, 3), ErrUnsupported},
		{"truncated", one[:len(one)-30], ErrCorrupt},
		{"bad field type", tiffPatch(one, tiffEntryOffset(t, one, 256)+2, 99), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, err := readTIFFBytes(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			t.Log(err)
			if tc.name == "IFD loop two pages" && len(pages) != 2 {
				t.Errorf("%d pages before the loop, want 2", len(pages))
			}
		})
	}
}

// TestReadTIFFBudget checks that a small file cannot make the reader
// allocate a huge raster: a PackBits strip that claims 65535 rows.
func TestReadTIFFBudget(t *testing.T) {
	b := tiffRawFile([]*Page{tiffTestPage(t, 64, 16, Fine, 1)}, tiffRawOptions{packBits: true})
	b = tiffPatch(b, tiffEntryOffset(t, b, 256)+8, MaxDimension)
	b = tiffPatch(b, tiffEntryOffset(t, b, 257)+8, MaxDimension)
	b = tiffPatch(b, tiffEntryOffset(t, b, 278)+8, MaxDimension)
	if _, err := readTIFFBytes(b); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("error %v, want ErrUnsupported", err)
	}
}

func TestUnpackBits(t *testing.T) {
	// TIFF 6.0 §9's example.
	packed := []byte{0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7, 0xAA}
	want := []byte{0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA}
	got := make([]byte, len(want))
	if err := tiffUnpackBits(got, packed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got % x\nwant % x", got, want)
	}
	if err := tiffUnpackBits(make([]byte, 30), packed); !errors.Is(err, ErrCorrupt) {
		t.Errorf("short data: error %v, want ErrCorrupt", err)
	}
	if err := tiffUnpackBits(make([]byte, 4), []byte{0x05, 1, 2}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("literal past end: error %v, want ErrCorrupt", err)
	}
}

// TestTIFFRoundTrip writes and reads back multi-page files in every
// coding and fill order and checks pixels, resolution, coding and the
// Class F quality tags.
func TestTIFFRoundTrip(t *testing.T) {
	pages := []TIFFPage{
		{Page: tiffTestPage(t, WidthA4, 220, Fine, 1)},
		{Page: tiffTestPage(t, WidthB4, 100, Standard, 2), BadFaxLines: 7, CleanFaxData: CleanFaxDataRegenerated, Stats: DecodeStats{MaxConsecutiveBad: 3}},
		{Page: tiffTestPage(t, WidthA3, 90, Superfine, 3), BadFaxLines: 2, CleanFaxData: CleanFaxDataUnclean},
		{Page: tiffTestPage(t, 2480, 50, R300, 4)},
		{Page: tiffTestPage(t, 999, 40, R400, 5)},
	}
	for _, c := range []Compression{0, MH, MR, MMR} {
		for _, fill := range []int{0, 1, 2} {
			for _, align := range []bool{false, true} {
				opt := TIFFOptions{Compression: c, FillOrder: fill, AlignEOL: align}
				t.Run(fmt.Sprintf("%v fill%d align%v", c, fill, align), func(t *testing.T) {
					var b bytes.Buffer
					if err := WriteTIFFPages(&b, pages, opt); err != nil {
						t.Fatal(err)
					}
					got, err := readTIFFBytes(b.Bytes())
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(pages) {
						t.Fatalf("%d pages, want %d", len(got), len(pages))
					}
					wantC := c
					if c == 0 {
						wantC = MH
					}
					for i, p := range got {
						if d := tiffSamePage(p.Page, pages[i].Page); d != "" {
							t.Errorf("page %d: %s", i+1, d)
						}
						if p.Res != pages[i].Res || p.Compression != wantC {
							t.Errorf("page %d: %v at %v, want %v at %v", i+1, p.Compression, p.Res, wantC, pages[i].Res)
						}
						if p.BadFaxLines != pages[i].BadFaxLines || p.CleanFaxData != pages[i].CleanFaxData {
							t.Errorf("page %d: BadFaxLines %d CleanFaxData %d, want %d %d", i+1, p.BadFaxLines, p.CleanFaxData, pages[i].BadFaxLines, pages[i].CleanFaxData)
						}
						if p.Stats.Rows != p.Height || p.Stats.BadRows != 0 {
							t.Errorf("page %d: stats %+v", i+1, p.Stats)
						}
					}
				})
			}
		}
	}
}

// TestWriteTIFFTags checks every tag WriteTIFF writes, as a Class F reader
// (HylaFAX's tiffcheck, faxq) expects them.
func TestWriteTIFFTags(t *testing.T) {
	pages := []TIFFPage{
		{Page: tiffTestPage(t, WidthA4, 30, Fine, 1)},
		{Page: tiffTestPage(t, WidthA4, 20, Standard, 2), BadFaxLines: 5, CleanFaxData: CleanFaxDataRegenerated, Stats: DecodeStats{MaxConsecutiveBad: 2}},
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		opt            TIFFOptions
		comp, t4, fill uint32
		optTag         uint16
		software       string
	}{
		{TIFFOptions{Time: when}, 3, 0, 1, tiffTagT4Options, "softfax"},
		{TIFFOptions{Compression: MR, AlignEOL: true, FillOrder: 2, Software: "x 1.0"}, 3, 5, 2, tiffTagT4Options, "x 1.0"},
		{TIFFOptions{Compression: MH, AlignEOL: true}, 3, 4, 1, tiffTagT4Options, "softfax"},
		{TIFFOptions{Compression: MMR, AlignEOL: true}, 4, 0, 1, tiffTagT6Options, "softfax"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%+v", tc.opt), func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTIFFPages(&b, pages, tc.opt); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b.Bytes(), []byte("II*\x00\x08\x00\x00\x00")) {
				t.Fatalf("header % x", b.Bytes()[:8])
			}
			f := &tiffFile{r: bytes.NewReader(b.Bytes()), size: int64(b.Len())}
			if err := f.readHeader(); err != nil {
				t.Fatal(err)
			}
			off := f.firstIFD
			for i, p := range pages {
				if off%2 != 0 {
					t.Errorf("IFD %d at odd offset %d", i, off)
				}
				d, next, err := f.readIFD(off)
				if err != nil {
					t.Fatal(err)
				}
				want := map[uint16][]uint32{
					tiffTagNewSubfileType:  {2},
					tiffTagImageWidth:      {uint32(p.Width)},
					tiffTagImageLength:     {uint32(p.Height)},
					tiffTagBitsPerSample:   {1},
					tiffTagSamplesPerPixel: {1},
					tiffTagCompression:     {tc.comp},
					tiffTagPhotometric:     {0},
					tiffTagFillOrder:       {tc.fill},
					tiffTagRowsPerStrip:    {uint32(p.Height)},
					tc.optTag:              {tc.t4},
					tiffTagResolutionUnit:  {2},
					tiffTagPageNumber:      {uint32(i), 2},
					tiffTagBadFaxLines:     {uint32(p.BadFaxLines)},
					tiffTagCleanFaxData:    {uint32(p.CleanFaxData)},
				}
				if p.BadFaxLines > 0 {
					want[tiffTagConsecutiveBadFaxLines] = []uint32{2}
				}
				for tag, w := range want {
					got, ok, err := f.uints(d, tag)
					if err != nil || !ok || fmt.Sprint(got) != fmt.Sprint(w) {
						t.Errorf("page %d tag %d = %v (present %v, %v), want %v", i+1, tag, got, ok, err, w)
					}
				}
				x, _, _ := f.rational(d, tiffTagXResolution)
				y, _, _ := f.rational(d, tiffTagYResolution)
				if x != p.Res.X || y != p.Res.Y {
					t.Errorf("page %d resolution %gx%g, want %v", i+1, x, y, p.Res)
				}
				if e, ok := d[tiffTagSoftware]; !ok {
					t.Errorf("no Software tag")
				} else if s, _ := f.data(e); string(s) != tc.software+"\x00" {
					t.Errorf("Software %q, want %q", s, tc.software)
				}
				if e, ok := d[tiffTagDateTime]; ok != !tc.opt.Time.IsZero() {
					t.Errorf("DateTime present %v, want %v", ok, !tc.opt.Time.IsZero())
				} else if ok {
					if s, _ := f.data(e); string(s) != "2026:01:02 03:04:05\x00" {
						t.Errorf("DateTime %q", s)
					}
				}
				if i == len(pages)-1 && next != 0 {
					t.Errorf("last IFD links to %d", next)
				}
				off = next
			}
		})
	}
}

func TestWriteTIFFErrors(t *testing.T) {
	good := tiffTestPage(t, 64, 8, Fine, 1)
	noRes := tiffTestPage(t, 64, 8, Resolution{}, 1)
	short := *good
	short.Pix = short.Pix[:10]
	tests := []struct {
		name  string
		pages []*Page
		opt   TIFFOptions
	}{
		{"no pages", nil, TIFFOptions{}},
		{"nil page", []*Page{good, nil}, TIFFOptions{}},
		{"no resolution", []*Page{noRes}, TIFFOptions{}},
		{"short Pix", []*Page{&short}, TIFFOptions{}},
		{"empty page", []*Page{{Width: 64, Stride: 8, Res: Fine}}, TIFFOptions{}},
		{"fill order 3", []*Page{good}, TIFFOptions{FillOrder: 3}},
		{"compression 9", []*Page{good}, TIFFOptions{Compression: 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTIFF(&b, tc.pages, tc.opt); err == nil {
				t.Error("no error")
			}
		})
	}
	if err := WriteTIFF(failingWriter{}, []*Page{good}, TIFFOptions{}); err == nil {
		t.Error("write error not reported")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
