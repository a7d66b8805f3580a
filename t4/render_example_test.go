package t4_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"time"

	"github.com/softfax/softfax/t4"
)

// Render a text document for a fine-resolution fax on Letter paper, then
// store it as a G4 fax TIFF and as a PDF.
func ExampleRender() {
	doc := []byte("To: Accounts\n\tInvoice 42 is attached.\fPage two.\n")
	pages, err := t4.Render(context.Background(), "memo.txt", doc, t4.RenderOptions{Res: t4.Fine, Paper: t4.Letter})
	if err != nil {
		log.Fatal(err)
	}
	for i, p := range pages {
		w, h := p.PhysicalSize()
		fmt.Printf("page %d: %dx%d pixels, %.2fx%.2f in\n", i+1, p.Width, p.Height, w, h)
	}
	var tif, pdf bytes.Buffer
	if err := t4.WriteTIFF(&tif, pages, t4.TIFFOptions{Compression: t4.MMR}); err != nil {
		log.Fatal(err)
	}
	if err := t4.WritePDF(&pdf, pages, t4.PDFOptions{Title: "memo", Time: time.Unix(0, 0)}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.HasPrefix(tif.Bytes(), []byte("II*\x00")), bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")))
	// Output:
	// page 1: 1728x2156 pixels, 8.47x11.00 in
	// page 2: 1728x2156 pixels, 8.47x11.00 in
	// true true
}
