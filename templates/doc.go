// Package templates holds the texts softfax writes for people: the subject
// and body of the email that carries an inbound fax, the report of an
// outbound job, and the notification mail sent when a job ends.
//
// The defaults are embedded in the binary (the default/ folder); a file of
// the same name in the configured templates folder replaces one. Templates
// are Go text/template; their data are the Inbound and Report types here,
// whose fields are the documented vocabulary. Nothing here escapes for mail
// headers: package delivery sanitises what it puts in a header.
package templates
