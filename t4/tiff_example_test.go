package t4_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/softfax/softfax/t4"
)

func ExampleWriteTIFF() {
	cover, _ := t4.NewPage(t4.WidthA4, 200, t4.Fine)
	body, _ := t4.NewPage(t4.WidthA4, 100, t4.Standard)
	for x := 100; x < 1600; x++ {
		cover.Set(x, 50, true) // a rule across the cover
	}
	var file bytes.Buffer
	if err := t4.WriteTIFF(&file, []*t4.Page{cover, body}, t4.TIFFOptions{Compression: t4.MMR}); err != nil {
		log.Fatal(err)
	}
	pages, err := t4.ReadTIFF(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		log.Fatal(err)
	}
	for i, p := range pages {
		fmt.Printf("page %d: %dx%d at %gx%g dpi, %v, %d bad rows\n", i+1, p.Width, p.Height, p.Res.X, p.Res.Y, p.Compression, p.Stats.BadRows)
	}
	// Output:
	// page 1: 1728x200 at 204x196 dpi, MMR, 0 bad rows
	// page 2: 1728x100 at 204x98 dpi, MMR, 0 bad rows
}
