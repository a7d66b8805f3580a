// Package linesim is a telephone line in a box: it carries samples from
// one fax engine to another with the impairments a VoIP call adds — a level
// change, white noise, a carrier frequency offset, a sample clock offset and
// G.711 companding — so that modems and T.30 can be tested back to back, at
// CPU speed, against the conditions they meet in the field.
//
// Impairments are applied in the order a real path applies them: the far
// end's clock (resampling), the analogue/transcoding path (frequency offset,
// gain, noise) and last the G.711 codec.
package linesim
