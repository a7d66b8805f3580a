package modem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTYConfig says where and how a pty appears to DTE programs.
type PTYConfig struct {
	// Device is the path DTEs open, e.g. /dev/ttyIAX0: a symbolic link to
	// the pty's slave, replaced if it is a stale link, refused if it is
	// anything else.
	Device string
	// Owner is "user", "user:group" or numeric ids; empty keeps root's.
	Owner string
	// Mode of the slave device; 0 means 0660 (iaxmodem left 0000 when its
	// config had no mode, which no DTE can open).
	Mode fs.FileMode
	// Poll is how often a missing DTE is looked for; default 100 ms.
	Poll time.Duration
}

// PTY is the serial port of a DCE: a pseudo-terminal whose slave side DTE
// programs open through PTYConfig.Device. It survives the DTE closing and
// reopening the device, tells the DCE when a DTE is attached, and drops
// what the DCE says while none is.
type PTY struct {
	cfg    PTYConfig
	master *os.File
	slave  string // /dev/pts/N
	log    *slog.Logger
}

// OpenPTY creates the pty, sets its owner and mode and links Device to it.
func OpenPTY(cfg PTYConfig, log *slog.Logger) (*PTY, error) {
	if cfg.Mode == 0 {
		cfg.Mode = 0o660
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("modem: open pty: %w", err)
	}
	p := &PTY{cfg: cfg, master: master, slave: slave.Name(), log: log}
	// Raw mode until a DTE sets its own: the default line discipline would
	// echo our answers back to us as commands.
	if err := makeRaw(slave); err != nil {
		slave.Close()
		master.Close()
		return nil, err
	}
	slave.Close()
	if err := p.setOwner(); err != nil {
		master.Close()
		return nil, err
	}
	if cfg.Device != "" {
		if err := link(p.slave, cfg.Device); err != nil {
			master.Close()
			return nil, err
		}
	}
	return p, nil
}

// Name is the slave device (/dev/pts/N).
func (p *PTY) Name() string { return p.slave }

func (p *PTY) setOwner() error {
	if err := os.Chmod(p.slave, p.cfg.Mode.Perm()); err != nil {
		return fmt.Errorf("modem: mode of %s: %w", p.slave, err)
	}
	if p.cfg.Owner == "" {
		return nil
	}
	uid, gid, err := LookupOwner(p.cfg.Owner)
	if err != nil {
		return err
	}
	if err := os.Chown(p.slave, uid, gid); err != nil {
		return fmt.Errorf("modem: owner of %s: %w", p.slave, err)
	}
	return nil
}

// LookupOwner resolves "user", "user:group", "uid:gid".
func LookupOwner(s string) (uid, gid int, err error) {
	name, group, hasGroup := strings.Cut(s, ":")
	uid, gid = -1, -1
	if name != "" {
		if uid, err = strconv.Atoi(name); err != nil {
			u, err := user.Lookup(name)
			if err != nil {
				return 0, 0, fmt.Errorf("modem: owner %q: %w", s, err)
			}
			uid, _ = strconv.Atoi(u.Uid)
			if !hasGroup {
				gid, _ = strconv.Atoi(u.Gid)
			}
		}
	}
	if hasGroup && group != "" {
		if gid, err = strconv.Atoi(group); err != nil {
			g, err := user.LookupGroup(group)
			if err != nil {
				return 0, 0, fmt.Errorf("modem: group %q: %w", s, err)
			}
			gid, _ = strconv.Atoi(g.Gid)
		}
	}
	return uid, gid, nil
}

// link makes dev a symbolic link to target, replacing a symbolic link
// that is there, never another kind of file.
func link(target, dev string) error {
	if fi, err := os.Lstat(dev); err == nil {
		if fi.Mode()&fs.ModeSymlink == 0 {
			return fmt.Errorf("modem: %s exists and is not a symbolic link; not replacing it", dev)
		}
		if err := os.Remove(dev); err != nil {
			return fmt.Errorf("modem: replace %s: %w", dev, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dev), 0o755); err != nil {
		return fmt.Errorf("modem: %w", err)
	}
	if err := os.Symlink(target, dev); err != nil {
		return fmt.Errorf("modem: link %s: %w", dev, err)
	}
	return nil
}

// Close removes the device link (if it still points at this pty) and
// closes the master.
func (p *PTY) Close() error {
	if p.cfg.Device != "" {
		if t, err := os.Readlink(p.cfg.Device); err == nil && t == p.slave {
			os.Remove(p.cfg.Device)
		}
	}
	return p.master.Close()
}

// Serve connects d to the pty until ctx ends: DTE bytes to d.Write, d's
// output to the DTE, and d.SetAttached as DTEs open and close the device.
func (p *PTY) Serve(ctx context.Context, d *DCE) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.writeLoop(ctx, d)
	}()
	err := p.readLoop(ctx, d)
	cancel()
	d.SetAttached(false)
	p.master.SetDeadline(time.Now())
	<-done
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// readLoop polls for a DTE on the slave (POLLHUP on the master while none
// has it open) and reads what it writes.
func (p *PTY) readLoop(ctx context.Context, d *DCE) error {
	rc, err := p.master.SyscallConn()
	if err != nil {
		return err
	}
	buf := make([]byte, 4096)
	attached := false
	for ctx.Err() == nil {
		var revents int16
		var perr error
		cerr := rc.Control(func(fd uintptr) {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			_, perr = unix.Poll(fds, 0)
			revents = fds[0].Revents
		})
		if cerr != nil {
			return cerr
		}
		if perr != nil && !errors.Is(perr, syscall.EINTR) {
			return fmt.Errorf("modem: poll pty: %w", perr)
		}
		hup := revents&unix.POLLHUP != 0
		if hup == attached {
			attached = !hup
			p.log.Info("modem: DTE", "attached", attached, "device", p.cfg.Device)
			d.SetAttached(attached)
		}
		if hup {
			select {
			case <-ctx.Done():
			case <-time.After(p.cfg.Poll):
			}
			continue
		}
		// A DTE is there: wait for its bytes in the runtime's poller, and
		// look again for a hangup now and then. While the transmit buffer
		// is full, leave the bytes in the pty: the DTE's writes block.
		room := d.Room(len(buf))
		if room == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Millisecond):
			}
			continue
		}
		p.master.SetReadDeadline(time.Now().Add(p.cfg.Poll))
		n, err := p.master.Read(buf[:room])
		if n > 0 {
			d.Write(buf[:n])
		}
		switch {
		case err == nil, errors.Is(err, os.ErrDeadlineExceeded):
		case errors.Is(err, syscall.EIO):
			// The last DTE closed the slave; the next poll sees POLLHUP.
			time.Sleep(time.Millisecond)
		default:
			return fmt.Errorf("modem: read pty: %w", err)
		}
	}
	return nil
}

// writeLoop copies the DCE's output to the DTE.
func (p *PTY) writeLoop(ctx context.Context, d *DCE) {
	go func() {
		<-ctx.Done()
		d.cond.L.Lock()
		d.cond.Broadcast()
		d.cond.L.Unlock()
	}()
	buf := make([]byte, 4096)
	for {
		n, err := d.readCtx(ctx, buf)
		if err != nil {
			return
		}
		for off := 0; off < n; {
			p.master.SetWriteDeadline(time.Now().Add(2 * time.Second))
			w, err := p.master.Write(buf[off:n])
			off += w
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				// The DTE went away or stopped reading: drop the rest.
				p.log.Debug("modem: pty write", "err", err)
				break
			}
		}
	}
}

// readCtx is Read that also returns when ctx ends.
func (d *DCE) readCtx(ctx context.Context, p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for (len(d.out) == 0 || d.dteStopped) && !d.closed && ctx.Err() == nil {
		d.cond.Wait()
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if len(d.out) == 0 || d.dteStopped {
		return 0, ErrClosed
	}
	n := copy(p, d.out)
	d.out = d.out[:copy(d.out, d.out[n:])]
	return n, nil
}

// makeRaw puts a tty in raw mode (cfmakeraw).
func makeRaw(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var terr error
	err = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			terr = err
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
		terr = unix.IoctlSetTermios(int(fd), unix.TCSETS, t)
	})
	if err != nil {
		return err
	}
	if terr != nil {
		return fmt.Errorf("modem: raw mode: %w", terr)
	}
	return nil
}
