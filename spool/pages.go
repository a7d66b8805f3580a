package spool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/softfax/softfax/t4"
)

// A page is stored as its own single-page TIFF (MMR, 20-60 KB for a page
// of text) both in an outbound job's folder and in a fax being received,
// so that neither side ever needs a whole document decoded in memory: a
// decoded fine page is 1728 x 2376 bits, 513 KB.

func pageName(n int) string { return fmt.Sprintf("page-%04d.tif", n) }

// writePage stores p durably as dir/page-NNNN.tif.
func writePage(dir string, n int, p *t4.Page) error {
	var b bytes.Buffer
	if err := t4.WriteTIFF(&b, []*t4.Page{p}, t4.TIFFOptions{Compression: t4.MMR}); err != nil {
		return fmt.Errorf("spool: page %d: %w", n, err)
	}
	return WriteFile(filepath.Join(dir, pageName(n)), b.Bytes(), 0o640)
}

// readPage decodes dir/page-NNNN.tif.
func readPage(dir string, n int) (*t4.Page, error) {
	b, err := os.ReadFile(filepath.Join(dir, pageName(n)))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	tp, err := t4.ReadTIFF(bytes.NewReader(b), int64(len(b)))
	if err == nil && len(tp) != 1 {
		err = fmt.Errorf("%d images, want 1", len(tp))
	}
	if err != nil {
		return nil, fmt.Errorf("spool: page %d: %w", n, err)
	}
	return tp[0].Page, nil
}

// JobPages gives a call the rendered pages of a job, decoding each from
// the job's folder only when the call asks for it. It is a t30.PageSource:
// a sending session holds the page it sends and the one it looks ahead at,
// so a call holds two pages at most, whatever the document's length.
type JobPages struct {
	dir  string
	n    int
	next int // pages returned so far
}

// Len is the number of pages of the job.
func (p *JobPages) Len() int { return p.n }

// NextPage decodes the next page; io.EOF after the last.
func (p *JobPages) NextPage() (*t4.Page, error) {
	if p.next >= p.n {
		return nil, io.EOF
	}
	pg, err := readPage(p.dir, p.next+1)
	if err != nil {
		return nil, err
	}
	p.next++
	return pg, nil
}

// jobPages opens the rendered pages of j, checking that every one is
// there (a job whose pages are missing is rendered again).
func (s *Spool) jobPages(j *Job) (*JobPages, error) {
	dir := s.path(DirQueue, j.ID)
	if j.Pages <= 0 {
		return nil, errors.New("spool: job not rendered")
	}
	for n := 1; n <= j.Pages; n++ {
		if _, err := os.Stat(filepath.Join(dir, pageName(n))); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	return &JobPages{dir: dir, n: j.Pages}, nil
}
