package t4_test

import (
	"fmt"

	"github.com/softfax/softfax/t4"
)

// A page coded for the line as T.30 sends it: MR with K=4 at fine
// resolution, fill to a minimum row length, RTC, least significant bit
// first; then decoded as it arrives.
func ExampleDecoder() {
	page, _ := t4.NewPage(t4.WidthA4, 100, t4.Fine)
	for x := 100; x < 400; x++ {
		page.Set(x, 50, true)
	}
	data, err := t4.Encode(page, t4.EncodeOptions{Compression: t4.MR, K: 4, MinRowBits: 96, RTC: true, LSBFirst: true})
	if err != nil {
		fmt.Println(err)
		return
	}

	d, _ := t4.NewDecoder(t4.DecodeOptions{Compression: t4.MR, Width: t4.WidthA4, LSBFirst: true})
	for len(data) > 0 { // bytes arrive from the modem in chunks
		n := min(len(data), 64)
		d.Write(data[:n])
		data = data[n:]
	}
	got, stats, err := d.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}
	got.Res = t4.Fine
	fmt.Printf("%d rows, %d bad, RTC %v, pixel (200,50) black: %v\n", stats.Rows, stats.BadRows, stats.RTC, got.Black(200, 50))
	// Output: 100 rows, 0 bad, RTC true, pixel (200,50) black: true
}

// TIFF Compression 4 (T.6) data is MMR ending with EOFB. Each white row
// below a white row is one vertical-mode code, V0 = 1; EOFB is two EOLs.
func ExampleEncode() {
	page, _ := t4.NewPage(t4.WidthA4, 2, t4.Standard)
	data, _ := t4.Encode(page, t4.EncodeOptions{Compression: t4.MMR, RTC: true})
	fmt.Printf("% x\n", data)
	// Output: c0 04 00 40
}
