package line

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// WAVWriter writes 16-bit PCM WAV at 8 kHz. The header's sizes are fixed
// up by Close, so the destination must be seekable.
type WAVWriter struct {
	w        io.WriteSeeker
	channels int
	frames   int64
	buf      []byte
	err      error
}

// NewWAVWriter starts a WAV file with the given number of channels.
func NewWAVWriter(w io.WriteSeeker, channels int) (*WAVWriter, error) {
	ww := &WAVWriter{w: w, channels: channels}
	if _, err := w.Write(wavHeader(channels, 0)); err != nil {
		return nil, fmt.Errorf("line: wav header: %w", err)
	}
	return ww, nil
}

func wavHeader(channels int, frames int64) []byte {
	data := uint32(frames * int64(channels) * 2)
	h := make([]byte, 0, 44)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, 36+data)
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1) // PCM
	h = binary.LittleEndian.AppendUint16(h, uint16(channels))
	h = binary.LittleEndian.AppendUint32(h, 8000)
	h = binary.LittleEndian.AppendUint32(h, uint32(8000*2*channels))
	h = binary.LittleEndian.AppendUint16(h, uint16(2*channels))
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, data)
	return h
}

// Write appends one block: one slice per channel, all the same length.
func (ww *WAVWriter) Write(chans ...[]int16) error {
	if ww.err != nil {
		return ww.err
	}
	if len(chans) != ww.channels {
		return fmt.Errorf("line: wav: %d channels given, %d expected", len(chans), ww.channels)
	}
	n := len(chans[0])
	ww.buf = ww.buf[:0]
	for i := range n {
		for _, c := range chans {
			var s int16
			if i < len(c) {
				s = c[i]
			}
			ww.buf = binary.LittleEndian.AppendUint16(ww.buf, uint16(s))
		}
	}
	if _, err := ww.w.Write(ww.buf); err != nil {
		ww.err = fmt.Errorf("line: wav write: %w", err)
		return ww.err
	}
	ww.frames += int64(n)
	return nil
}

// Close writes the final sizes into the header. It does not close the
// underlying writer.
func (ww *WAVWriter) Close() error {
	if ww.err != nil {
		return ww.err
	}
	if _, err := ww.w.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("line: wav: %w", err)
	}
	if _, err := ww.w.Write(wavHeader(ww.channels, ww.frames)); err != nil {
		return fmt.Errorf("line: wav: %w", err)
	}
	_, err := ww.w.Seek(0, io.SeekEnd)
	return err
}

// ErrWAVFormat is wrapped by ReadWAV's errors about unsupported files.
var ErrWAVFormat = errors.New("line: unsupported WAV")

// ReadWAV reads a 16-bit PCM WAV file at 8 kHz and returns its first
// channel.
func ReadWAV(r io.Reader) ([]int16, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("line: read wav: %w", err)
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: not RIFF/WAVE", ErrWAVFormat)
	}
	var channels, bitsPer int
	var rate uint32
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		p += 8
		if size < 0 || size > len(b)-p {
			size = len(b) - p
		}
		body := b[p : p+size]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, fmt.Errorf("%w: short fmt chunk", ErrWAVFormat)
			}
			if f := binary.LittleEndian.Uint16(body); f != 1 && f != 0xfffe {
				return nil, fmt.Errorf("%w: format %d is not PCM", ErrWAVFormat, f)
			}
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = binary.LittleEndian.Uint32(body[4:])
			bitsPer = int(binary.LittleEndian.Uint16(body[14:]))
		case "data":
			if channels < 1 || bitsPer != 16 || rate != 8000 {
				return nil, fmt.Errorf("%w: need 16-bit 8000 Hz PCM, have %d-bit %d Hz %d channels", ErrWAVFormat, bitsPer, rate, channels)
			}
			n := len(body) / (2 * channels)
			out := make([]int16, n)
			for i := range n {
				out[i] = int16(binary.LittleEndian.Uint16(body[i*2*channels:]))
			}
			return out, nil
		}
		p += size + size&1
	}
	return nil, fmt.Errorf("%w: no data chunk", ErrWAVFormat)
}
