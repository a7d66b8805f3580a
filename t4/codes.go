package t4

// The code tables of T.4 §4.1 and §4.2, shared by T.6 §2.2. Codes are
// written as strings of '0' and '1' so that they can be checked against the
// printed recommendation line by line; the encoder and decoder tables are
// built from them once, when the package is initialised.

// whiteTermCodes are the white terminating codes for runs 0..63 (T.4 Table 2).
var whiteTermCodes = [64]string{
	"00110101", "000111", "0111", "1000", "1011", "1100", "1110", "1111",
	"10011", "10100", "00111", "01000", "001000", "000011", "110100", "110101",
	"101010", "101011", "0100111", "0001100", "0001000", "0010111", "0000011", "0000100",
	"0101000", "0101011", "0010011", "0100100", "0011000", "00000010", "00000011", "00011010",
	"00011011", "00010010", "00010011", "00010100", "00010101", "00010110", "00010111", "00101000",
	"00101001", "00101010", "00101011", "00101100", "00101101", "00000100", "00000101", "00001010",
	"00001011", "01010010", "01010011", "01010100", "01010101", "00100100", "00100101", "01011000",
	"01011001", "01011010", "01011011", "01001010", "01001011", "00110010", "00110011", "00110100",
}

// blackTermCodes are the black terminating codes for runs 0..63 (T.4 Table 2).
var blackTermCodes = [64]string{
	"0000110111", "010", "11", "10", "011", "0011", "0010", "00011",
	"000101", "000100", "0000100", "0000101", "0000111", "00000100", "00000111", "000011000",
	"0000010111", "0000011000", "0000001000", "00001100111", "00001101000", "00001101100", "00000110111", "00000101000",
	"00000010111", "00000011000", "000011001010", "000011001011", "000011001100", "000011001101", "000001101000", "000001101001",
	"000001101010", "000001101011", "000011010010", "000011010011", "000011010100", "000011010101", "000011010110", "000011010111",
	"000001101100", "000001101101", "000011011010", "000011011011", "000001010100", "000001010101", "000001010110", "000001010111",
	"000001100100", "000001100101", "000001010010", "000001010011", "000000100100", "000000110111", "000000111000", "000000100111",
	"000000101000", "000001011000", "000001011001", "000000101011", "000000101100", "000001011010", "000001100110", "000001100111",
}

// whiteMakeupCodes are the white make-up codes for runs 64, 128 .. 1728
// (T.4 Table 3); index i is run 64*(i+1).
var whiteMakeupCodes = [27]string{
	"11011", "10010", "010111", "0110111", "00110110", "00110111", "01100100", "01100101",
	"01101000", "01100111", "011001100", "011001101", "011010010", "011010011", "011010100", "011010101",
	"011010110", "011010111", "011011000", "011011001", "011011010", "011011011", "010011000", "010011001",
	"010011010", "011000", "010011011",
}

// blackMakeupCodes are the black make-up codes for runs 64, 128 .. 1728
// (T.4 Table 3).
var blackMakeupCodes = [27]string{
	"0000001111", "000011001000", "000011001001", "000001011011", "000000110011", "000000110100", "000000110101", "0000001101100",
	"0000001101101", "0000001001010", "0000001001011", "0000001001100", "0000001001101", "0000001110010", "0000001110011", "0000001110100",
	"0000001110101", "0000001110110", "0000001110111", "0000001010010", "0000001010011", "0000001010100", "0000001010101", "0000001011010",
	"0000001011011", "0000001100100", "0000001100101",
}

// extMakeupCodes are the make-up codes for runs 1792, 1856 .. 2560, the
// same for both colours (T.4 Table 3, "for wider paper").
var extMakeupCodes = [13]string{
	"00000001000", "00000001100", "00000001101", "000000010010", "000000010011", "000000010100", "000000010101",
	"000000010110", "000000010111", "000000011100", "000000011101", "000000011110", "000000011111",
}

// Two-dimensional mode codes (T.4 Table 4, T.6 Table 1).
const (
	codePass  = "0001"
	codeHoriz = "001"
	codeV0    = "1"
	codeVR1   = "011"
	codeVR2   = "000011"
	codeVR3   = "0000011"
	codeVL1   = "010"
	codeVL2   = "000010"
	codeVL3   = "0000010"
	codeExt2D = "0000001" // followed by 3 bits naming an extension (uncompressed mode is 111)
)

// eolCode is the end-of-line code, T.4 §4.1.2: eleven 0s and a 1.
const (
	eolCode = 0x001
	eolBits = 12
)

// maxRun is the longest run a single terminating plus make-up pair can code.
// Longer runs start with 2560 make-up codes (T.4 §4.1.1); the encoder emits
// them while at least 2624 remain, exactly as libtiff does, so that the sizes
// of our streams and libtiff's agree.
const (
	maxMakeup = 2560
	maxRun    = 2623
)

// vlc is one variable-length code: its bits right-aligned in code.
type vlc struct {
	code uint32
	bits uint8
}

func parseCode(s string) vlc {
	var c uint32
	for i := 0; i < len(s); i++ {
		c = c<<1 | uint32(s[i]-'0')
	}
	return vlc{c, uint8(len(s))}
}

// makeupCode returns the make-up code of colour (0 white, 1 black) for run,
// a multiple of 64 from 64 to 2560.
func makeupCode(color int, run int) string {
	i := run/64 - 1
	if run > 1728 {
		return extMakeupCodes[(run-1792)/64]
	}
	if color == 0 {
		return whiteMakeupCodes[i]
	}
	return blackMakeupCodes[i]
}

func termCode(color int, run int) string {
	if color == 0 {
		return whiteTermCodes[run]
	}
	return blackTermCodes[run]
}

// runCodes[color][run] is the complete code for a run of 0..maxRun pixels:
// the make-up code (if run >= 64) followed by the terminating code, at most
// 13+12 = 25 bits, so the encoder writes any run up to maxRun in one call.
var runCodes = buildRunCodes()

func buildRunCodes() *[2][maxRun + 1]vlc {
	var t [2][maxRun + 1]vlc
	for color := 0; color < 2; color++ {
		for run := 0; run <= maxRun; run++ {
			s := ""
			if run >= 64 {
				s = makeupCode(color, run&^63)
			}
			s += termCode(color, run&63)
			t[color][run] = parseCode(s)
		}
	}
	return &t
}

// makeup2560 is the code both colours use for each 2560 pixels of a long run.
var makeup2560 = parseCode(extMakeupCodes[12])

// Mode codes as vlc, indexed for the encoder: vertical codes by a1-b1+3.
var (
	vlcPass  = parseCode(codePass)
	vlcHoriz = parseCode(codeHoriz)
	vlcVert  = [7]vlc{
		parseCode(codeVL3), parseCode(codeVL2), parseCode(codeVL1), parseCode(codeV0),
		parseCode(codeVR1), parseCode(codeVR2), parseCode(codeVR3),
	}
)

// Decoder tables. A run table entry packs the run length (or a kind marker)
// and the code length: run<<8 | bits. Lookup is by the next runLookBits
// bits; every T.4 run code is at most 13 bits long.
const (
	runLookBits = 13
	entryBad    = 0       // no code starts with these bits
	entryEOL    = 0x7fff  // run field value marking an EOL prefix (≥ 8 zeros)
	makeupFlag  = 1 << 30 // set for make-up codes: the run continues
	runShift    = 8
	runMask     = 0x3fffff00
	bitsMask    = 0xff
	modeLookBit = 7 // every 2-D mode code but the extensions fits in 7 bits
)

// runTables[color][13 bits] decode one terminating or make-up code.
var runTables = buildRunTables()

func buildRunTables() *[2][1 << runLookBits]uint32 {
	var t [2][1 << runLookBits]uint32
	put := func(color int, s string, entry uint32) {
		c := parseCode(s)
		shift := runLookBits - int(c.bits)
		base := c.code << shift
		for i := uint32(0); i < 1<<shift; i++ {
			t[color][base|i] = entry | uint32(c.bits)
		}
	}
	for color := 0; color < 2; color++ {
		for run := 0; run < 64; run++ {
			put(color, termCode(color, run), uint32(run)<<runShift)
		}
		for run := 64; run <= maxMakeup; run += 64 {
			put(color, makeupCode(color, run), makeupFlag|uint32(run)<<runShift)
		}
		// Eight or more zeros: no run code has them; it is the start of an
		// EOL (or garbage), which the caller examines.
		put(color, "00000000", entryEOL<<runShift)
	}
	return &t
}

// Two-dimensional modes as the decoder sees them.
type codeMode uint8

const (
	modeBad codeMode = iota
	modePass
	modeHoriz
	modeV // vertical: offset in the table entry
	modeExt
	modeEOL // seven zeros: the start of an EOL
)

// modeEntry is one entry of modeTable: the mode, its vertical offset and
// the code length.
type modeEntry struct {
	mode  codeMode
	delta int8
	bits  uint8
}

var modeTable = buildModeTable()

func buildModeTable() *[1 << modeLookBit]modeEntry {
	var t [1 << modeLookBit]modeEntry
	put := func(s string, e modeEntry) {
		c := parseCode(s)
		e.bits = c.bits
		shift := modeLookBit - int(c.bits)
		for i := uint32(0); i < 1<<shift; i++ {
			t[c.code<<shift|i] = e
		}
	}
	put(codePass, modeEntry{mode: modePass})
	put(codeHoriz, modeEntry{mode: modeHoriz})
	for d := -3; d <= 3; d++ {
		put([]string{codeVL3, codeVL2, codeVL1, codeV0, codeVR1, codeVR2, codeVR3}[d+3], modeEntry{mode: modeV, delta: int8(d)})
	}
	put(codeExt2D, modeEntry{mode: modeExt})
	put("0000000", modeEntry{mode: modeEOL})
	return &t
}
