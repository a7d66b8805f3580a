// Package delivery takes received faxes from the spool's inbound archive to
// the people who should get them: it routes by DID (an exact number, the
// longest prefix, or the default) to email addresses and/or a folder, in PDF
// and/or TIFF, and it mails the notifications of finished outbound jobs.
//
// Every delivery is a JSON record in a queue on disk, rewritten atomically
// at each step, and retried with backoff while the mail server is down or
// answers 4xx; a 5xx answer fails it (the fax stays in the archive). Each
// fax's mail has a stable Message-ID. Before an SMTP exchange starts, the
// record says so: after a crash only a mail whose exchange was cut off is
// sent again, with the same Message-ID, so the duplicate is recognisable.
//
// Mail goes through github.com/emersion/go-smtp (STARTTLS, implicit TLS,
// AUTH PLAIN); with no mail server configured it is written as an .eml file.
// Nothing from the call (caller name, DID, remote ID) reaches a mail header
// or a path unsanitised: see HeaderText and SafeName.
package delivery
