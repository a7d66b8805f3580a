package spool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// StoreFax archives a received fax: its pages as TIFF (MMR) and PDF and
// its record, built in tmp/ and renamed into inbound/ as one step, so a
// fax is either wholly archived or not at all. A fax without pages is
// recorded too (the call is worth knowing about). It fills in f.ID if
// empty, and f.Files, and returns the fax's folder.
func (s *Spool) StoreFax(f *Fax, pages []*t4.Page) (string, error) {
	if f.ID == "" {
		f.ID = newID(s.opt.Now())
	}
	if !validID(f.ID) {
		return "", fmt.Errorf("spool: bad fax id %q", f.ID)
	}
	if f.Time.IsZero() {
		f.Time = s.opt.Now()
	}
	f.Pages = len(pages)
	stage := s.path(DirTmp, "in-"+f.ID)
	if err := os.Mkdir(stage, 0o750); err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	f.Files = nil
	if len(pages) > 0 {
		var tif, pdf bytes.Buffer
		if err := t4.WriteTIFF(&tif, pages, t4.TIFFOptions{Compression: t4.MMR, Time: f.Time}); err != nil {
			os.RemoveAll(stage)
			return "", fmt.Errorf("spool: fax %s: %w", f.ID, err)
		}
		title := "Fax"
		if f.Caller != "" {
			title = "Fax from " + f.Caller
		}
		if err := t4.WritePDF(&pdf, pages, t4.PDFOptions{Title: title, Subject: "DID " + f.DID, Time: f.Time}); err != nil {
			os.RemoveAll(stage)
			return "", fmt.Errorf("spool: fax %s: %w", f.ID, err)
		}
		for _, w := range []struct {
			name string
			b    []byte
		}{{FaxTIFF, tif.Bytes()}, {FaxPDF, pdf.Bytes()}} {
			if err := WriteFile(filepath.Join(stage, w.name), w.b, 0o640); err != nil {
				os.RemoveAll(stage)
				return "", err
			}
			f.Files = append(f.Files, w.name)
		}
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	if err := WriteFile(filepath.Join(stage, FaxRecord), b, 0o640); err != nil {
		os.RemoveAll(stage)
		return "", err
	}
	dir := s.path(DirInbound, f.ID)
	if err := Move(stage, dir); err != nil {
		os.RemoveAll(stage)
		return "", err
	}
	return dir, nil
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
