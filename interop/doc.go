// Package interop holds softfax's whole-system tests against the real fax
// programs it replaces or talks to: the softfax binary's "modem"
// subcommand on a pty driven by efax (and HylaFAX), calling iaxmodem over
// IAX2 on the loopback interface, with efax behind iaxmodem as the far fax.
//
// Each test builds the binary, writes the config files, starts every
// program itself, bounds its run in time and stops and cleans up all it
// started. They need root (iaxmodem and the device links in /dev) and the
// Debian packages iaxmodem and efax; when those are missing the tests skip
// on a laptop and fail in CI (internal/peer).
package interop
