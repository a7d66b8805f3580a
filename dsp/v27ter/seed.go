package v27ter

// trainingSeed is the state of the scrambler at the start of segment 4 of
// the synchronizing sequence (line bits ...0011110, newest last).
const trainingSeed = 0x3c
