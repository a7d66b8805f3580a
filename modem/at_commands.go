package modem

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/softfax/softfax/dsp"
)

// errCmd ends a command line with ERROR.
type errCmd struct{ why string }

// execute runs one command line ("AT..." in any case). Commands run left
// to right; the first that fails ends the line with ERROR, one that goes
// online (A, D, +FTH, ...) ends it with its own result later (V.250 §5.2.1).
func (d *DCE) execute(line []byte) {
	if len(line) < 2 {
		d.result(resError)
		return
	}
	s := string(line[2:])
	online, err := d.run(s)
	if err != nil {
		d.log.Debug("modem: command refused", "line", string(line), "why", err.why)
		d.result(resError)
		return
	}
	if !online {
		d.result(resOK)
	}
}

// run executes the commands of one line after "AT". It reports whether a
// command left command state.
func (d *DCE) run(s string) (online bool, err *errCmd) {
	for i := 0; i < len(s); {
		c := upper(s[i])
		i++
		switch {
		case c == ' ':
		case c == 'D':
			return true, d.dial(s[i:])
		case c == 'A':
			if d.call != callRinging {
				return false, &errCmd{"no call to answer"}
			}
			d.answer()
			return true, nil
		case c == 'S':
			reg, n := number(s[i:])
			i += n
			if n == 0 {
				reg = 0 // "S=" and "S?" use the last register; keep it simple: S0
			}
			if reg < 0 || reg > 255 {
				return false, &errCmd{"no such S-register"}
			}
			if i < len(s) && s[i] == '?' {
				i++
				d.text(fmt.Sprintf("%03d", d.st.s[reg]))
				continue
			}
			if i < len(s) && s[i] == '=' {
				i++
				v, n := number(s[i:])
				i += n
				if v < 0 || v > 255 {
					return false, &errCmd{"S-register value out of range"}
				}
				d.st.s[reg] = v
				d.applyTimers()
				continue
			}
			return false, &errCmd{"S-register without = or ?"}
		case c == '&':
			if i >= len(s) {
				return false, &errCmd{"& without a letter"}
			}
			l := upper(s[i])
			i++
			v, n := number(s[i:])
			i += n
			if e := d.ampersand(l, v); e != nil {
				return false, e
			}
		case c == '+':
			j := i
			for j < len(s) && s[j] != ';' {
				j++
			}
			cmd := s[i:j]
			i = j + 1
			on, e := d.extended(cmd)
			if e != nil {
				return false, e
			}
			if on {
				return true, nil
			}
		case c >= 'A' && c <= 'Z':
			v, n := number(s[i:])
			i += n
			if e := d.basic(c, v); e != nil {
				return false, e
			}
		default:
			return false, &errCmd{fmt.Sprintf("unexpected %q", c)}
		}
	}
	return false, nil
}

// basic runs a one-letter command with its numeric argument (V.250 §6).
func (d *DCE) basic(c byte, v int) *errCmd {
	switch c {
	case 'E':
		d.st.echo = v == 1
	case 'V':
		d.st.verbose = v == 1
	case 'Q':
		d.st.quiet = v == 1
	case 'X':
		d.st.x = v
	case 'L':
		d.st.l = v
	case 'M':
		d.st.m = v
	case 'Z':
		d.onHook()
		d.busyOut = false
		d.st = defaultSettings()
		d.applyTimers()
	case 'H':
		switch v {
		case 0:
			d.onHook()
			d.busyOut = false
		case 1:
			// Off hook, busy: incoming calls are refused (V.250 §6.3.6).
			d.onHook()
			d.busyOut = true
		default:
			return &errCmd{"H takes 0 or 1"}
		}
	case 'O':
		return &errCmd{"no data connection to return to"}
	case 'I':
		return d.info(v)
	case 'B', 'C', 'N', 'P', 'T', 'W', 'Y':
		// Telephone-line and data-modem options with no meaning here.
	default:
		return &errCmd{"unknown command " + string(c)}
	}
	return nil
}

// info answers ATI<n>.
func (d *DCE) info(v int) *errCmd {
	id := d.cfg.Identity
	switch v {
	case 0:
		d.text(id.Model)
	case 1:
		d.text(id.Revision)
	case 2:
		d.text("OK")
	case 3:
		d.text(id.Manufacturer)
	case 4:
		d.text(id.Manufacturer + " " + id.Model + " " + id.Revision)
	case 5:
		d.text("+FCLASS: 0,1,1.0")
	case 6:
		d.text("modulations: " + modList(Modulations()))
	case 7, 8, 9:
		d.text(id.Model)
	default:
		return &errCmd{"ATI takes 0-9"}
	}
	return nil
}

func (d *DCE) ampersand(l byte, v int) *errCmd {
	switch l {
	case 'F':
		d.st = defaultSettings()
		d.applyTimers()
	case 'C':
		d.st.ampC = v
	case 'D':
		d.st.ampD = v
	case 'K':
		d.st.ampK = v
	case 'V':
		d.text(d.profile())
	case 'W', 'Y', 'S', 'R', 'G', 'Q', 'B', 'H', 'I':
	default:
		return &errCmd{"unknown command &" + string(l)}
	}
	return nil
}

func (d *DCE) profile() string {
	st := d.st
	b := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	return fmt.Sprintf("E%d Q%d V%d X%d L%d M%d &C%d &D%d &K%d +FCLASS=%s S0=%d S7=%d S8=%d",
		b(st.echo), b(st.quiet), b(st.verbose), st.x, st.l, st.m, st.ampC, st.ampD, st.ampK,
		st.fclass, st.s[0], st.s[7], st.s[8])
}

// extended runs one +-command ("FTH=3", "FCLASS?", "FTM=?"), without the
// '+'. It reports whether the command went online.
func (d *DCE) extended(cmd string) (bool, *errCmd) {
	name, arg, kind := splitExtended(cmd)
	switch name {
	case "FCLASS":
		switch kind {
		case query:
			d.text(d.st.fclass)
		case test:
			d.text("0,1,1.0")
		case set:
			switch arg {
			case "0", "1", "1.0":
				d.st.fclass = arg
			default:
				return false, &errCmd{"class " + arg + " not supported"}
			}
		}
		return false, nil
	case "FTM", "FRM", "FTH", "FRH":
		return d.classOne(name, arg, kind)
	case "FTS", "FRS":
		if !d.faxClass() {
			return false, &errCmd{"not in class 1"}
		}
		switch kind {
		case test:
			d.text("0-255")
			return false, nil
		case set:
			v, ok := atoi(arg, 0, 255)
			if !ok {
				return false, &errCmd{"bad duration"}
			}
			var err error
			if name == "FTS" {
				d.mode = modeTxSilence
				err = d.eng.TransmitSilence(v)
			} else {
				d.mode = modeRxSilence
				err = d.eng.WaitSilence(v)
			}
			if err != nil {
				d.mode = modeCommand
				return false, &errCmd{err.Error()}
			}
			return true, nil
		}
		return false, &errCmd{"use =<n>"}
	case "FAR":
		return false, d.flag(&d.st.far, arg, kind)
	case "FCL":
		r := d.intParam(&d.st.fcl, arg, kind, 0, 255, "0-255")
		d.applyTimers()
		return false, r
	case "FIT":
		switch kind {
		case query:
			d.text(fmt.Sprintf("%d,%d", d.st.fit[0], d.st.fit[1]))
		case test:
			d.text("(0-255),(0-1)")
		case set:
			a, b, _ := strings.Cut(arg, ",")
			t, ok1 := atoi(a, 0, 255)
			act, ok2 := 0, true
			if b != "" {
				act, ok2 = atoi(b, 0, 1)
			}
			if !ok1 || !ok2 {
				return false, &errCmd{"bad +FIT"}
			}
			d.st.fit = [2]int{t, act}
			d.applyTimers()
		}
		return false, nil
	case "FDD":
		return false, d.intParam(&d.st.fdd, arg, kind, 0, 1, "0,1")
	case "FMI", "GMI":
		return false, d.ident(d.cfg.Identity.Manufacturer, kind)
	case "FMM", "GMM":
		return false, d.ident(d.cfg.Identity.Model, kind)
	case "FMR", "GMR":
		return false, d.ident(d.cfg.Identity.Revision, kind)
	case "VCID":
		return false, d.intParam(&d.st.vcid, arg, kind, 0, 2, "0,1")
	case "VRID":
		switch kind {
		case test:
			d.text("0,1")
		case set:
			if _, ok := atoi(arg, 0, 1); !ok {
				return false, &errCmd{"bad +VRID"}
			}
			if d.haveCID {
				d.presentCID()
			}
		}
		return false, nil
	case "VSID":
		return false, d.setVSID(arg, kind)
	case "IFC":
		switch kind {
		case query:
			d.text(fmt.Sprintf("+IFC:%d,%d", d.st.ifc[0], d.st.ifc[1]))
		case test:
			d.text("+IFC:(0-2),(0-2)")
		case set:
			a, b, _ := strings.Cut(arg, ",")
			x, ok1 := atoi(a, 0, 2)
			y, ok2 := x, true
			if b != "" {
				y, ok2 = atoi(b, 0, 2)
			}
			if !ok1 || !ok2 {
				return false, &errCmd{"bad +IFC"}
			}
			d.st.ifc = [2]int{x, y}
		}
		return false, nil
	case "IPR":
		switch kind {
		case query:
			d.text(fmt.Sprintf("+IPR:%d", d.st.ipr))
		case test:
			d.text("+IPR:(0,2400,4800,9600,19200,38400,57600,115200)")
		case set:
			v, ok := atoi(arg, 0, 1<<30)
			if !ok {
				return false, &errCmd{"bad rate"}
			}
			d.st.ipr = v // a pty has no line rate: any is fine
		}
		return false, nil
	case "FPR":
		switch kind {
		case query, test:
			d.text("115200")
		}
		return false, nil
	case "FLO":
		return false, d.intParam(&d.st.flo, arg, kind, 0, 2, "0-2")
	}
	return false, &errCmd{"unknown command +" + name}
}

type extKind int

const (
	action extKind = iota // +X
	set                   // +X=v
	query                 // +X?
	test                  // +X=?
)

func splitExtended(cmd string) (name, arg string, kind extKind) {
	i := strings.IndexAny(cmd, "=?")
	if i < 0 {
		return strings.ToUpper(strings.TrimSpace(cmd)), "", action
	}
	name = strings.ToUpper(strings.TrimSpace(cmd[:i]))
	rest := cmd[i:]
	switch {
	case rest == "?":
		return name, "", query
	case rest == "=?":
		return name, "", test
	case rest[0] == '=':
		return name, strings.TrimSpace(rest[1:]), set
	}
	return name, rest, action
}

func (d *DCE) faxClass() bool { return d.st.fclass == "1" || d.st.fclass == "1.0" }

// classOne starts +FTM/+FRM/+FTH/+FRH (T.31 §8.3).
func (d *DCE) classOne(name, arg string, kind extKind) (bool, *errCmd) {
	if !d.faxClass() {
		return false, &errCmd{"not in class 1"}
	}
	hdlc := name == "FTH" || name == "FRH"
	switch kind {
	case test:
		if hdlc {
			d.text("3")
		} else {
			d.text(modList(Modulations()))
		}
		return false, nil
	case set:
	default:
		return false, &errCmd{"use =<mod>"}
	}
	v, ok := atoi(arg, 0, 255)
	m := Modulation(v)
	if !ok || !m.Valid() || (!hdlc && m == V21) {
		return false, &errCmd{"modulation " + arg + " not supported"}
	}
	if d.call != callUp {
		return false, &errCmd{"no call"}
	}
	var err error
	d.connect = false
	d.frame, d.dleSeen = d.frame[:0], false
	switch name {
	case "FTH":
		d.mode = modeTxHDLC
		err = d.eng.TransmitHDLC(m)
	case "FRH":
		d.mode, d.rxMod = modeRxHDLC, m
		err = d.eng.ReceiveHDLC(m)
	case "FTM":
		d.mode = modeTxData
		err = d.eng.TransmitData(m)
	case "FRM":
		d.mode, d.rxMod = modeRxData, m
		err = d.eng.ReceiveData(m, d.st.far)
	}
	if err != nil {
		d.mode = modeCommand
		return false, &errCmd{err.Error()}
	}
	return true, nil
}

func modList(ms []Modulation) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = strconv.Itoa(int(m))
	}
	return strings.Join(s, ",")
}

func (d *DCE) ident(v string, kind extKind) *errCmd {
	if kind == set {
		return &errCmd{"read-only"}
	}
	if kind != test {
		d.text(v)
	}
	return nil
}

func (d *DCE) flag(p *bool, arg string, kind extKind) *errCmd {
	switch kind {
	case query:
		if *p {
			d.text("1")
		} else {
			d.text("0")
		}
	case test:
		d.text("0,1")
	case set:
		v, ok := atoi(arg, 0, 1)
		if !ok {
			return &errCmd{"takes 0 or 1"}
		}
		*p = v == 1
	}
	return nil
}

func (d *DCE) intParam(p *int, arg string, kind extKind, lo, hi int, rng string) *errCmd {
	switch kind {
	case query:
		d.text(strconv.Itoa(*p))
	case test:
		d.text(rng)
	case set:
		v, ok := atoi(arg, lo, hi)
		if !ok {
			return &errCmd{"value out of range " + rng}
		}
		*p = v
	}
	return nil
}

// setVSID sets the caller ID of the next outgoing call: AT+VSID="number",
// or AT+VSID="name","number".
func (d *DCE) setVSID(arg string, kind extKind) *errCmd {
	switch kind {
	case query:
		d.text(fmt.Sprintf("%q,%q", d.vsid[0], d.vsid[1]))
		return nil
	case test:
		d.text("\"name\",\"number\"")
		return nil
	case action:
		return &errCmd{"use =\"name\",\"number\""}
	}
	var parts []string
	for _, p := range strings.Split(arg, ",") {
		parts = append(parts, strings.Trim(strings.TrimSpace(p), `"`))
	}
	switch len(parts) {
	case 1:
		d.vsid = [2]string{"", parts[0]}
	case 2:
		d.vsid = [2]string{parts[0], parts[1]}
	default:
		return &errCmd{"+VSID takes name and number"}
	}
	return nil
}

// dial runs ATD: T/P and W/@/! are ignored; digits up to the first ','
// are the number called; after it, each ',' is an S8 pause and each digit a
// DTMF tone sent once the far end answered; ';' returns to command state
// instead of starting the fax handshake (V.250 §6.3.1).
func (d *DCE) dial(s string) *errCmd {
	if !d.faxClass() {
		return &errCmd{"dialling needs +FCLASS=1"}
	}
	if d.call != callNone {
		return &errCmd{"already in a call"}
	}
	var number []rune
	var steps []dialStep
	afterComma, cmd := false, false
	for _, c := range strings.ToUpper(s) {
		switch {
		case c >= '0' && c <= '9' || c == '*' || c == '#' || c >= 'A' && c <= 'D':
			if afterComma {
				steps = append(steps, dialStep{digit: c})
			} else {
				number = append(number, c)
			}
		case c == '+' && len(number) == 0 && !afterComma:
			number = append(number, c)
		case c == ',':
			afterComma = true
			steps = append(steps, dialStep{pause: d.st.s[8] * dsp.SampleRate})
		case c == ';':
			cmd = true
		case c == 'T', c == 'P', c == 'W', c == '@', c == '!', c == ' ', c == '-', c == '(', c == ')', c == '.':
		default:
			return &errCmd{fmt.Sprintf("bad dial character %q", c)}
		}
	}
	if len(number) == 0 {
		return &errCmd{"no number"}
	}
	if d.cfg.Phone == nil {
		d.result(resNoDialtone)
		return nil
	}
	d.call = callDialling
	d.mode = modeDialing
	d.dialSteps, d.dialCmd = steps, cmd
	d.cfg.Phone.Dial(DialRequest{Number: string(number), CallerName: d.vsid[0], CallerNumber: d.vsid[1]})
	return nil
}

// answer runs ATA (or S0's auto-answer) on a ringing call.
func (d *DCE) answer() {
	if d.cfg.Phone != nil {
		d.cfg.Phone.Answer()
	}
	d.call = callUp
	d.mode = modeAnswering
	d.applyTimers()
	if err := d.eng.Answer(); err != nil {
		d.mode = modeCommand
		d.result(resError)
	}
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// number parses leading decimal digits (at most 6) and returns the value
// and how many bytes it took; no digits is 0.
func number(s string) (int, int) {
	v, n := 0, 0
	for n < len(s) && n < 6 && s[n] >= '0' && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, n
}

func atoi(s string, lo, hi int) (int, bool) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < lo || v > hi {
		return 0, false
	}
	return v, true
}
