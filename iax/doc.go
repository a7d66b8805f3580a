// Package iax is an IAX2 endpoint (RFC 5456): the layer through which
// softfax reaches the telephone network by way of a PBX such as Asterisk,
// as iaxmodem does.
//
// The package has three levels:
//
//   - Value types for the wire format: [FullFrame], [MiniFrame], [IEs] with
//     Marshal/Unmarshal, and [ParseDatagram] which classifies and decodes one
//     UDP datagram without ever panicking on outside input.
//   - An [Endpoint] that owns one UDP socket and many dialogs: calls,
//     registrations (as client and as registrar for configured peers), POKEs.
//     It provides reliable, in-order delivery of full frames (RFC 5456
//     section 7: oseqno/iseqno, ACK, VNAK, retransmission with backoff and a
//     limit after which the dialog is torn down), mini frames for voice with
//     16-bit timestamp wrap, MD5 and plaintext authentication and CALLTOKEN
//     (RFC 5456 section 6.2.3, as Asterisk 1.6.2+ does it).
//   - A [Call] which exposes 20 ms voice payloads in and out (the received
//     ones through a [JitterBuffer]) and its progress as [Event] values.
//
// Wall-clock time is used only for retransmission timers, PING/LAGRQ and
// registration refresh; the pacing of audio belongs to package line.
package iax
