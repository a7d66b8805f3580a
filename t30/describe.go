package t30

import (
	"fmt"
	"strings"
)

// String names the recording length as T.30 Table 2 bits 19-20 do.
func (l Length) String() string {
	switch l {
	case LengthA4:
		return "A4 length"
	case LengthB4:
		return "B4 length"
	case LengthUnlimited:
		return "unlimited length"
	}
	return fmt.Sprintf("length(%d)", int(l))
}

// String lists the modems of the set, fastest family first.
func (s ModemSet) String() string {
	switch s {
	case ModemsV27terFallback:
		return "V.27ter 2400"
	case ModemsV27ter:
		return "V.27ter"
	case ModemsV29:
		return "V.29"
	case ModemsV27terV29:
		return "V.29/V.27ter"
	case ModemsV27terV29V17:
		return "V.17/V.29/V.27ter"
	}
	return fmt.Sprintf("modems(%d)", int(s))
}

// Describe spells out a DIS or DTC in the words a fax administrator reads
// (T.30 Table 2): modems, resolutions, codings, ECM, sizes, scan time and
// the optional procedures offered.
func (d DIS) Describe() string {
	w := []string{d.Modems.String()}
	res := []string{"standard"}
	if d.Fine {
		res = append(res, "fine")
	}
	if d.Superfine {
		res = append(res, "superfine")
	}
	if d.Res300 {
		res = append(res, "300x300")
	}
	if d.R16 {
		res = append(res, "R16")
	}
	w = append(w, strings.Join(res, "/"))
	codings := []string{"MH"}
	if d.MR {
		codings = append(codings, "MR")
	}
	if d.MMR {
		codings = append(codings, "MMR")
	}
	if d.Uncompressed {
		codings = append(codings, "uncompressed")
	}
	w = append(w, strings.Join(codings, "/"))
	if d.ECM {
		ecm := "ECM"
		if d.Frame64 {
			ecm += " (64-octet frames preferred)"
		}
		w = append(w, ecm)
	} else {
		w = append(w, "no ECM")
	}
	w = append(w, "up to "+d.Width.String(), d.Length.String())
	if d.ScanTime == 0 {
		w = append(w, "scan time 0 ms")
	} else {
		st := fmt.Sprintf("scan time %d ms", d.ScanTime)
		if d.ScanTimeHalfFine {
			st += " (half at fine)"
		}
		w = append(w, st)
	}
	if !d.CanReceive {
		w = append(w, "cannot receive")
	}
	if d.ReadyToTransmit {
		w = append(w, "has a document to poll")
	}
	if d.Subaddressing {
		w = append(w, "subaddressing")
	}
	if d.Password {
		w = append(w, "password")
	}
	if d.T38 {
		w = append(w, "T.38")
	}
	if d.V8 {
		w = append(w, "V.8")
	}
	return strings.Join(w, ", ")
}

// Describe spells out a DCS: the modem and rate, resolution, coding, ECM
// and frame size, width, length and scan time the sender chose.
func (d DCS) Describe() string {
	w := []string{d.Modulation.String()}
	switch {
	case d.R16:
		w = append(w, "R16")
	case d.Res300:
		w = append(w, "300x300")
	case d.Superfine:
		w = append(w, "superfine")
	case d.Fine:
		w = append(w, "fine")
	default:
		w = append(w, "standard")
	}
	switch {
	case d.MMR:
		w = append(w, "MMR")
	case d.MR:
		w = append(w, "MR")
	default:
		w = append(w, "MH")
	}
	if d.ECM {
		w = append(w, fmt.Sprintf("ECM %d-octet frames", d.FrameSize()))
	} else {
		w = append(w, "no ECM")
	}
	w = append(w, d.Width.String(), d.Length.String(), fmt.Sprintf("scan time %d ms", d.ScanTime))
	if d.SubAddress {
		w = append(w, "SUB follows")
	}
	if d.SenderID {
		w = append(w, "SID follows")
	}
	return strings.Join(w, ", ")
}
