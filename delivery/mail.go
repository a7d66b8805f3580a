package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/softfax/softfax/templates"
)

// HeaderText makes s safe as the value of an unstructured mail header: no
// line breaks or other control characters (so nothing can add a header),
// at most 200 characters, and RFC 2047 encoded if not ASCII.
func HeaderText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		if b.Len() >= 200 {
			break
		}
		b.WriteRune(r)
	}
	return mime.QEncoding.Encode("utf-8", strings.TrimSpace(b.String()))
}

// bareAddr is the address of "Name <a@b>" or of "a@b".
func bareAddr(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return s
}

// addrList formats addresses for a header; anything unparsable is dropped,
// so an address cannot carry a line break into the header.
func addrList(addrs []string) string {
	var out []string
	for _, a := range addrs {
		if p, err := mail.ParseAddress(a); err == nil {
			out = append(out, p.String())
		}
	}
	return strings.Join(out, ", ")
}

// compose builds the message of a mail target. It is the same bytes for
// the same delivery and target (the Date is the fax's time, the boundary
// derives from the Message-ID), except X-Softfax-Try.
func (d *Deliverer) compose(del *Delivery, t *Target) ([]byte, error) {
	var subject, body string
	var err error
	var date time.Time
	switch {
	case del.Fax != nil:
		f := del.Fax
		att := attachments(del, t.Formats)
		data := templates.Inbound{
			FaxID: f.ID, Caller: f.Caller, CallerName: f.CallerName, DID: f.DID, RemoteID: f.RemoteID,
			Pages: f.Pages, Time: f.Time, Duration: f.Duration.Round(time.Second), Rate: f.Rate, Result: f.Result,
		}
		for _, a := range att {
			data.Attachments = append(data.Attachments, a.name)
		}
		if subject, err = d.opt.Templates.Execute(templates.InboundSubject, data); err == nil {
			body, err = d.opt.Templates.Execute(templates.InboundBody, data)
		}
		date = f.Time
	case del.Report != nil:
		if subject, err = d.opt.Templates.Execute(templates.NotifySubject, *del.Report); err == nil {
			body, err = d.opt.Templates.Execute(templates.NotifyBody, *del.Report)
		}
		date = del.Report.Time
	default:
		return nil, errors.New("delivery: nothing to mail")
	}
	if err != nil {
		return nil, err
	}
	if date.IsZero() {
		date = del.Created
	}
	sum := sha256.Sum256([]byte(del.MessageID))
	boundary := "softfax-" + hex.EncodeToString(sum[:12])

	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", addrList([]string{d.opt.SMTP.From}))
	hdr("To", addrList(t.To))
	hdr("Subject", HeaderText(subject))
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("Message-ID", del.MessageID)
	hdr("MIME-Version", "1.0")
	if del.Fax != nil {
		hdr("X-Softfax-Fax-ID", del.Fax.ID)
	}
	hdr("X-Softfax-Try", fmt.Sprint(t.Tries))
	hdr("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary}))
	b.WriteString("\r\n")

	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, err
	}
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, err
	}
	qp := quotedprintable.NewWriter(pw)
	qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	qp.Close()
	for _, a := range attachments(del, t.Formats) {
		data, err := os.ReadFile(filepath.Join(del.FaxDir, a.src))
		if err != nil {
			return nil, fmt.Errorf("delivery: %w", err)
		}
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": a.name})
		aw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(a.ctype, map[string]string{"name": a.name})},
			"Content-Disposition":       {disp},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			aw.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		aw.Write([]byte(enc + "\r\n"))
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sendSMTP hands msg to the mail server. A 5xx reply is permanent; a
// connection problem or a 4xx reply is retried.
func (d *Deliverer) sendSMTP(ctx context.Context, to []string, msg []byte) error {
	s := d.opt.SMTP
	host := s.Host
	if h, _, err := net.SplitHostPort(s.Addr); err == nil {
		host = h
	}
	tc := &tls.Config{ServerName: host, InsecureSkipVerify: s.InsecureSkipVerify}
	dl := net.Dialer{Timeout: 30 * time.Second}
	dctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	conn, err := dl.DialContext(dctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	conn.SetDeadline(time.Now().Add(s.Timeout))
	var c *smtp.Client
	switch s.TLS {
	case "tls":
		c = smtp.NewClient(tls.Client(conn, tc))
	case "none":
		c = smtp.NewClient(conn)
	default:
		c, err = smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			conn.Close()
			return classify(fmt.Errorf("smtp %s: STARTTLS: %w", s.Addr, err))
		}
	}
	defer c.Close()
	c.CommandTimeout, c.SubmissionTimeout = s.Timeout, s.Timeout
	if s.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.User, s.Password)); err != nil {
			// Not permanent even on 535: the fix is in the configuration,
			// and the fax must wait for it, not be dropped.
			return fmt.Errorf("smtp %s: AUTH: %w", s.Addr, err)
		}
	}
	rcpt := make([]string, 0, len(to))
	for _, a := range to {
		rcpt = append(rcpt, bareAddr(a))
	}
	if err := c.SendMail(bareAddr(s.From), rcpt, bytes.NewReader(msg)); err != nil {
		return classify(fmt.Errorf("smtp %s: %w", s.Addr, err))
	}
	c.Quit()
	return nil
}

// classify marks 5xx replies permanent.
func classify(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return permanentError{err}
	}
	return err
}
