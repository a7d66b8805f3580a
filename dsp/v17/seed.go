package v17

// scramblerSeed is the register state both ends start from, so that the
// scrambled ones of training segment 2 form the same CDBA sequence at the
// transmitter and at the receiver.
const scramblerSeed = 0x2ECDD5
