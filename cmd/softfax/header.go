package main

import (
	"fmt"
	"strings"
	"time"
)

// headerLine is the line stamped at the top of each page we send, like a
// fax machine's: date and time, our name (the header setting), our number
// (the station ID), the called number and the page number.
func headerLine(at time.Time, name, from, to string, page, pages int) string {
	parts := []string{at.Format("2006-01-02 15:04")}
	if name = strings.TrimSpace(name); name != "" {
		parts = append(parts, name)
	}
	if from = strings.TrimSpace(from); from != "" {
		parts = append(parts, "FROM "+from)
	}
	parts = append(parts, "TO "+to, fmt.Sprintf("P. %d/%d", page, pages))
	return strings.Join(parts, "  ")
}
