// Package config is softfax serve's one TOML file: IAX2 (a PBX to register
// with, or peers that call us), lines, the spool, DID routes, SMTP, templates
// and the retry policy.
//
// Every setting has a default, so an empty file runs (Default). Parse refuses
// unknown settings and out-of-range values, and each Error names the file,
// the line and the setting, because a fax service that silently ignores a
// typo in its mail server's name loses faxes.
//
// The package sits beside cmd/softfax: only the wiring reads it; spool,
// delivery and templates take plain option structs, so they stay usable (and
// testable) without a file.
package config
