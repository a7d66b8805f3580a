// Package spool is softfax serve's durable state on disk: the outbound queue
// fed from a watched folder, and the archive of received faxes.
//
// Layout under the root:
//
//	outbound/       users drop NUMBER.ext, or FILE plus a FILE.json sidecar
//	queue/ID/       an accepted job: job.json, its document, once rendered pages.tif
//	                (all pages) and page-NNNN.tif (one file per page, for the calls)
//	done/ID/        a sent job, with report.json and report.txt
//	failed/ID/      a job that failed, or a file that was refused, with the reason
//	inbound/ID/     a received fax: fax.tif, fax.pdf, fax.json
//	tmp/            staging: a directory is built here and renamed into place;
//	tmp/in-ID/      a fax being received, one synced file per confirmed page
//
// Pages are stored one per file (an MMR TIFF each) on both sides so that a
// call never holds a whole document: a sending call decodes each page when
// T.30 asks for it (JobPages), a receiving call stores each page as it is
// confirmed and lets it go. (t4 reads and writes a TIFF whole, so a
// multi-page file cannot serve one page at a time.)
//
// Every state change is a write to a temporary file, fsync, rename and fsync
// of the directory (WriteFile); a job or a fax changes folder by one rename
// of its directory. So a crash at any moment leaves each job in exactly one
// place with a consistent job.json, and Run resumes it: a call that was cut
// off by the crash counts as a failed try. A received page is on disk
// before T.30 confirms it to the sender (FaxWriter), so a fax the sender
// believes delivered is never lost: RecoverFaxes archives it after a crash.
//
// The spool knows nothing of lines or calls: a Sender given in Options places
// the call (waiting for a free line), and Notify hands finished jobs to
// package delivery for the notification email.
package spool
