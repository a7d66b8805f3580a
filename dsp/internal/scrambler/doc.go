// Package scrambler holds the self-synchronising scramblers of the fax
// modems: V29, the 1 + x^-18 + x^-23 scrambler that V.29 and V.17 share
// (V.17 takes it from V.32bis, which takes it from V.29), and V27ter, the
// 1 + x^-6 + x^-7 scrambler of V.27 ter with its guard against repetitive
// line patterns.
//
// Each is a small value whose zero value is the all-zero register; the
// transmitter scrambles data bits into line bits, the receiver's copy
// descrambles line bits back, and the receiver synchronises by itself
// after as many line bits as the register holds.
package scrambler
