package t4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Paper is the paper size a rendered document is laid out for. Fax pages
// are always the fax width (1728 pixels, 215 mm); the paper sets the page
// length and, for images and PDF, the area they are fitted into.
type Paper int

// The paper sizes. The zero value is A4.
const (
	A4     Paper = iota // 210 x 297 mm
	Letter              // 8.5 x 11 in
)

// Size returns the paper's width and height in inches.
func (p Paper) Size() (w, h float64) {
	if p == Letter {
		return 8.5, 11
	}
	return 210 / 25.4, 297 / 25.4
}

func (p Paper) String() string {
	switch p {
	case A4:
		return "a4"
	case Letter:
		return "letter"
	}
	return fmt.Sprintf("Paper(%d)", int(p))
}

// ParsePaper parses "a4" or "letter" (any case).
func ParsePaper(s string) (Paper, error) {
	switch strings.ToLower(s) {
	case "a4":
		return A4, nil
	case "letter", "us-letter", "usletter":
		return Letter, nil
	}
	return 0, fmt.Errorf("t4: unknown paper size %q (want a4 or letter)", s)
}

// RenderOptions say what fax pages Render makes.
type RenderOptions struct {
	Res             Resolution    // default Fine
	Paper           Paper         // default A4
	Width           int           // page width in pixels; default 1728 (WidthA4)
	GhostscriptPath string        // default: "gs" from $PATH
	Timeout         time.Duration // bound on ghostscript's run; default 2 minutes
	MaxPages        int           // more pages than this is an error; default 500
}

// Defaults for RenderOptions' zero fields.
const (
	DefaultRenderTimeout = 2 * time.Minute
	DefaultMaxPages      = 500
)

func (o RenderOptions) withDefaults() RenderOptions {
	if o.Res.X <= 0 || o.Res.Y <= 0 {
		o.Res = Fine
	}
	if o.Width <= 0 {
		o.Width = WidthA4
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultRenderTimeout
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	return o
}

// pageHeight is the paper's length in rows at the options' resolution.
func (o RenderOptions) pageHeight() int {
	_, h := o.Paper.Size()
	return int(math.Round(h * o.Res.Y))
}

// Errors Render returns, wrapped with detail.
var (
	ErrEmptyDocument  = errors.New("t4: empty document")
	ErrUnknownFormat  = errors.New("t4: unknown document format")
	ErrNoGhostscript  = errors.New("t4: ghostscript (gs) is not installed; it is needed for PDF and PostScript")
	ErrTooManyPages   = errors.New("t4: too many pages")
	ErrImageTooLarge  = errors.New("t4: image too large")
	ErrEmptyImage     = errors.New("t4: image has no pixels")
	errRenderOversize = errors.New("t4: render options out of range")
)

// Format is a document type Render recognises.
type Format int

// The document formats, as SniffFormat names them.
const (
	FormatUnknown Format = iota
	FormatText
	FormatPNG
	FormatJPEG
	FormatGIF
	FormatTIFF
	FormatPDF
	FormatPostScript
)

var formatNames = [...]string{"unknown", "text", "png", "jpeg", "gif", "tiff", "pdf", "postscript"}

func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// SniffFormat tells a document's type from its content, the way file(1)
// does, never from a file name.
func SniffFormat(data []byte) Format {
	head := data[:min(len(data), 1024)]
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return FormatJPEG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return FormatGIF
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return FormatTIFF
	case bytes.Contains(head, []byte("%PDF-")):
		// PDF readers accept the header anywhere in the first kilobyte
		// (ISO 32000-1 annex H.3); mail gateways sometimes prepend junk.
		return FormatPDF
	case bytes.HasPrefix(data, []byte("%!")), bytes.HasPrefix(data, []byte("\x04%!")),
		bytes.HasPrefix(data, []byte{0xc5, 0xd0, 0xd3, 0xc6}): // DOS EPS binary header
		return FormatPostScript
	}
	if looksLikeText(data) {
		return FormatText
	}
	return FormatUnknown
}

// looksLikeText accepts UTF-8 (or, failing that, ISO 8859-1) without NULs
// and with few control characters other than tab, newline, carriage
// return and form feed.
func looksLikeText(data []byte) bool {
	sample := data[:min(len(data), 64<<10)]
	if len(sample) == 0 {
		return false
	}
	control := 0
	for _, b := range sample {
		switch {
		case b == 0:
			return false
		case b == '\t', b == '\n', b == '\r', b == '\f', b == 0x1b:
		case b < 0x20, b == 0x7f:
			control++
		}
	}
	if control*100 > len(sample) {
		return false
	}
	if validUTF8Prefix(sample, len(sample) < len(data)) {
		return true
	}
	// Not UTF-8: accept ISO 8859-1 unless it has C1 controls, which
	// binary data has and Latin-1 text does not.
	for _, b := range sample {
		if b >= 0x80 && b < 0xa0 {
			return false
		}
	}
	return true
}

// validUTF8Prefix is utf8.Valid but forgives a rune cut at the end of a
// truncated sample.
func validUTF8Prefix(b []byte, truncated bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if !truncated {
		return false
	}
	for i := 1; i < utf8.UTFMax && i < len(b); i++ {
		if utf8.Valid(b[:len(b)-i]) {
			return true
		}
	}
	return false
}

// Render turns a document into fax pages at opt's resolution and paper:
//   - plain text (UTF-8, or ISO 8859-1) set in Go Mono, 80 columns, with
//     margins, pagination, tabs, form feeds and wrapping of long lines;
//   - PNG, JPEG and GIF images, scaled to fit the printable area and
//     dithered to black and white;
//   - TIFF: a fax TIFF whose pages are fax width at a fax resolution
//     passes through pixel for pixel; any other TIFF is treated as an
//     image;
//   - PDF and PostScript, rasterised by ghostscript, which must be
//     installed (ErrNoGhostscript otherwise).
//
// The type comes from the content (SniffFormat); name is only used in
// error messages.
// Render never panics on bad input: it returns an error saying what is
// wrong. ctx bounds the run of ghostscript.
func Render(ctx context.Context, name string, data []byte, opt RenderOptions) ([]*Page, error) {
	opt = opt.withDefaults()
	if opt.Width > MaxDimension || opt.pageHeight() > MaxDimension || opt.pageHeight() <= 0 {
		return nil, fmt.Errorf("%w: %d pixels wide, %d rows", errRenderOversize, opt.Width, opt.pageHeight())
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrEmptyDocument)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	format := SniffFormat(data)
	var (
		pages []*Page
		err   error
	)
	switch format {
	case FormatText:
		pages, err = renderText(data, opt)
	case FormatPNG, FormatJPEG, FormatGIF:
		pages, err = renderImageFile(data, opt)
	case FormatTIFF:
		pages, err = renderTIFF(data, opt)
	case FormatPDF, FormatPostScript:
		pages, err = renderGhostscript(ctx, format, data, opt)
	default:
		return nil, fmt.Errorf("%s: %w (not text, PNG, JPEG, GIF, TIFF, PDF or PostScript)", name, ErrUnknownFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("%s (%v): %w", name, format, err)
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("%s (%v): %w", name, format, ErrEmptyDocument)
	}
	if len(pages) > opt.MaxPages {
		return nil, fmt.Errorf("%s: %w: %d, limit %d", name, ErrTooManyPages, len(pages), opt.MaxPages)
	}
	return pages, nil
}
