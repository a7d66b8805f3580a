package main

import (
	"slices"
	"strconv"
)

// rows lists the modems measured. To add a modem, write its adapter in a
// file of its own (see row_v21.go) and add it here: one line.
func rows() []Row {
	return slices.Concat(
		v21Rows(),
		v27terRows(),
		v29Rows(),
		v17Rows(),
	)
}

func itoa(n int) string { return strconv.Itoa(n) }
