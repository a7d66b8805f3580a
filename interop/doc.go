// Package interop holds softfax's whole-system tests against the real fax
// programs it replaces or talks to: the softfax binary's "modem"
// subcommand on a pty driven by efax or HylaFAX (a private one per test,
// internal/hylafaxtest), calling iaxmodem over IAX2 on the loopback
// interface, with efax or HylaFAX behind iaxmodem as the far fax. Each rig
// logs how often iaxmodem corrected its clock against ours ("Adjusting
// skew") and how many of softfax's 20 ms steps ran late.
//
// Each test builds the binary, writes the config files, starts every
// program itself, bounds its run in time and stops and cleans up all it
// started. They need root (iaxmodem and the device links in /dev) and the
// Debian packages iaxmodem and efax; when those are missing the tests skip
// on a laptop and fail in CI (internal/peer).
package interop
