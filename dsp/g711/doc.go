// Package g711 converts between 16-bit linear samples and ITU-T G.711
// mu-law and A-law, the companding every telephone call carries and the
// first impairment every fax modem must survive.
//
// Encoding and decoding are exact to G.711 (Tables 1a/1b and 2a/2b): the
// encoder takes the 14-bit (mu-law) or 13-bit (A-law) magnitude G.711
// defines from the top of the 16-bit sample, so decode(encode(x)) is the
// G.711 reconstruction of x. Conversions are table lookups, built once and
// never written after.
package g711
