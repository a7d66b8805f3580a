package spool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/softfax/softfax/t4"
)

// Fax is a received fax: fax.json in its inbound folder.
type Fax struct {
	ID         string        `json:"id"`
	Line       int           `json:"line"`
	Caller     string        `json:"caller,omitempty"`
	CallerName string        `json:"caller_name,omitempty"`
	DID        string        `json:"did,omitempty"`
	RemoteID   string        `json:"remote_id,omitempty"`
	Pages      int           `json:"pages"`
	Time       time.Time     `json:"time"`
	Duration   time.Duration `json:"duration"`
	Rate       int           `json:"rate,omitempty"`
	Result     string        `json:"result"` // "ok", or why the call ended early
	Files      []string      `json:"files"`  // names in the fax's folder
}

// The files of an inbound fax.
const (
	FaxTIFF   = "fax.tif"
	FaxPDF    = "fax.pdf"
	FaxRecord = "fax.json"
	// faxRouted marks a fax whose deliveries are queued.
	faxRouted = "routed"
)

// StoreFax archives a received fax in one step: its pages as TIFF (MMR)
// and PDF and its record, built in tmp/ and renamed into inbound/, so a
// fax is either wholly archived or not at all. A fax without pages is
// recorded too (the call is worth knowing about). It fills in f.ID if
// empty, f.Pages and f.Files, and returns the fax's folder.
func (s *Spool) StoreFax(f *Fax, pages []*t4.Page) (string, error) {
	w, err := s.BeginFax(f)
	if err != nil {
		return "", err
	}
	for _, p := range pages {
		if err := w.PutPage(p); err != nil {
			w.Abort()
			return "", err
		}
	}
	return w.Commit(f)
}

// FaxWriter stores a fax page by page while it arrives. Each page is
// synced to disk before PutPage returns, and T.30 confirms a page (MCF)
// only after that: so a crash after the far end was told "received"
// loses nothing. RecoverFaxes archives what a crash left.
type FaxWriter struct {
	s     *Spool
	dir   string
	pages int
}

const partialPrefix = "in-"

// BeginFax starts receiving a fax: it fills in f.ID and creates the
// staging folder with a provisional record.
func (s *Spool) BeginFax(f *Fax) (*FaxWriter, error) {
	if f.ID == "" {
		f.ID = newID(s.opt.Now())
	}
	if !validID(f.ID) {
		return nil, fmt.Errorf("spool: bad fax id %q", f.ID)
	}
	if f.Time.IsZero() {
		f.Time = s.opt.Now()
	}
	w := &FaxWriter{s: s, dir: s.path(DirTmp, partialPrefix+f.ID)}
	if err := os.Mkdir(w.dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	rec := *f
	rec.Result = "receiving"
	b, _ := json.MarshalIndent(&rec, "", "  ")
	if err := WriteFile(filepath.Join(w.dir, FaxRecord), b, 0o640); err != nil {
		os.RemoveAll(w.dir)
		return nil, err
	}
	return w, nil
}

// PutPage stores the next page durably, as its own file: the receiving
// call keeps no page once it is stored.
func (w *FaxWriter) PutPage(p *t4.Page) error {
	if err := writePage(w.dir, w.pages+1, p); err != nil {
		return err
	}
	w.pages++
	return nil
}

// Pages is how many pages are stored.
func (w *FaxWriter) Pages() int { return w.pages }

// Abort drops a fax (one that brought no page).
func (w *FaxWriter) Abort() { os.RemoveAll(w.dir) }

// Commit archives the fax: fax.tif and fax.pdf of its pages and the final
// record f (Pages and Files are filled in), renamed into inbound/ in one
// step. It returns the fax's folder. It decodes every page, so the
// spool's commits run one at a time (see Spool.archiveMu).
func (w *FaxWriter) Commit(f *Fax) (string, error) {
	w.s.archiveMu.Lock()
	defer w.s.archiveMu.Unlock()
	pages := make([]*t4.Page, 0, w.pages)
	for n := 1; n <= w.pages; n++ {
		p, err := readPage(w.dir, n)
		if err != nil {
			return "", err
		}
		pages = append(pages, p)
	}
	f.Pages, f.Files = len(pages), nil
	if len(pages) > 0 {
		var tif, pdf bytes.Buffer
		if err := t4.WriteTIFF(&tif, pages, t4.TIFFOptions{Compression: t4.MMR, Time: f.Time}); err != nil {
			return "", fmt.Errorf("spool: fax %s: %w", f.ID, err)
		}
		title := "Fax"
		if f.Caller != "" {
			title = "Fax from " + f.Caller
		}
		if err := t4.WritePDF(&pdf, pages, t4.PDFOptions{Title: title, Subject: "DID " + f.DID, Time: f.Time}); err != nil {
			return "", fmt.Errorf("spool: fax %s: %w", f.ID, err)
		}
		for _, x := range []struct {
			name string
			b    []byte
		}{{FaxTIFF, tif.Bytes()}, {FaxPDF, pdf.Bytes()}} {
			if err := WriteFile(filepath.Join(w.dir, x.name), x.b, 0o640); err != nil {
				return "", err
			}
			f.Files = append(f.Files, x.name)
		}
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	if err := WriteFile(filepath.Join(w.dir, FaxRecord), b, 0o640); err != nil {
		return "", err
	}
	// The page files go after the archive files exist: a crash in between
	// leaves a folder RecoverFaxes commits again from its pages.
	dir := w.s.path(DirInbound, f.ID)
	if err := Move(w.dir, dir); err != nil {
		return "", err
	}
	for n := 1; n <= w.pages; n++ {
		os.Remove(filepath.Join(dir, pageName(n)))
	}
	return dir, nil
}

// RecoverFaxes archives the faxes a crash cut off while they arrived:
// those with at least one confirmed page are committed with a Result
// saying so (their deliveries are then queued like any other's, see
// Unrouted); those without are dropped. Call it before Run.
func (s *Spool) RecoverFaxes() (int, error) {
	entries, err := os.ReadDir(s.path(DirTmp))
	if err != nil {
		return 0, fmt.Errorf("spool: %w", err)
	}
	n := 0
	for _, e := range entries {
		id, ok := strings.CutPrefix(e.Name(), partialPrefix)
		if !ok {
			continue
		}
		w := &FaxWriter{s: s, dir: s.path(DirTmp, e.Name())}
		f, err := ReadFax(w.dir)
		if err != nil || f.ID != id {
			s.log.Error("dropping an unreadable partial fax", "dir", e.Name(), "err", err)
			w.Abort()
			continue
		}
		for {
			if _, err := os.Stat(filepath.Join(w.dir, pageName(w.pages+1))); err != nil {
				break
			}
			w.pages++
		}
		if w.pages == 0 {
			w.Abort()
			continue
		}
		f.Result = "interrupted: the service stopped during the call; the pages confirmed to the sender are kept"
		if _, err := w.Commit(&f); err != nil {
			s.log.Error("recovering a partial fax", "fax", id, "err", err)
			continue
		}
		s.log.Warn("recovered a fax cut off by a restart", "fax", id, "pages", w.pages)
		n++
	}
	return n, nil
}

// FaxDir is the folder of the inbound fax id.
func (s *Spool) FaxDir(id string) string { return s.path(DirInbound, id) }

// MarkRouted records that the deliveries of fax id are queued.
func (s *Spool) MarkRouted(id string) error {
	if !validID(id) {
		return fmt.Errorf("spool: bad fax id %q", id)
	}
	return WriteFile(s.path(DirInbound, id, faxRouted), nil, 0o640)
}

// Unrouted lists the archived faxes whose deliveries are not yet queued
// (received just before a crash), oldest first.
func (s *Spool) Unrouted() ([]Fax, error) {
	entries, err := os.ReadDir(s.path(DirInbound))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var out []Fax
	for _, e := range entries {
		if _, err := os.Stat(s.path(DirInbound, e.Name(), faxRouted)); err == nil {
			continue
		}
		f, err := ReadFax(s.path(DirInbound, e.Name()))
		if err != nil {
			s.log.Error("unreadable inbound fax", "dir", e.Name(), "err", err)
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// ReadFax reads the record of the fax in dir.
func ReadFax(dir string) (Fax, error) {
	var f Fax
	b, err := os.ReadFile(filepath.Join(dir, FaxRecord))
	if err != nil {
		return f, fmt.Errorf("spool: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("spool: %s: %w", FaxRecord, err)
	}
	if !validID(f.ID) {
		return f, errors.New("spool: fax.json: bad id")
	}
	return f, nil
}

// ReadFaxes reads the newest limit (0: all) inbound records of the spool
// at root, newest first.
func ReadFaxes(root string, limit int) ([]Fax, error) {
	entries, err := os.ReadDir(filepath.Join(root, DirInbound))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var out []Fax
	for i := len(entries) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		if f, err := ReadFax(filepath.Join(root, DirInbound, entries[i].Name())); err == nil {
			out = append(out, f)
		}
	}
	return out, nil
}
