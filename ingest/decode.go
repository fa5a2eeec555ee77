package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// cp1252High maps the bytes 0x80–0x9F of Windows-1252 to runes; the
// undefined five map to U+FFFD. Bytes 0xA0–0xFF are Latin-1 (the byte is the
// code point). The table is written here rather than taken from
// golang.org/x/text so that the module needs no new direct dependency.
var cp1252High = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

// Encodings the text decoder can settle on.
const (
	encUndecided = iota
	encUTF8
	encCP1252
)

// textDecoder streams a text file as UTF-8. It drops a leading UTF-8 BOM
// and decides the encoding at the first non-ASCII line: valid UTF-8 stays
// as is, anything else is read as Windows-1252 from then on.
type textDecoder struct {
	br      *bufio.Reader
	enc     int
	started bool
	out     []byte // decoded bytes not yet returned
	err     error  // sticky error of br
}

// newTextDecoder returns a decoder reading r.
func newTextDecoder(r io.Reader) *textDecoder {
	return &textDecoder{br: bufio.NewReaderSize(r, 64<<10)}
}

// Read implements io.Reader.
func (d *textDecoder) Read(p []byte) (int, error) {
	if !d.started {
		d.started = true
		if b, _ := d.br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
			_, _ = d.br.Discard(3)
			d.enc = encUTF8
		}
	}
	if len(d.out) > 0 {
		n := copy(p, d.out)
		d.out = d.out[n:]
		return n, nil
	}
	if d.err != nil {
		return 0, d.err
	}
	if d.enc == encUTF8 {
		return d.br.Read(p)
	}
	line, err := d.br.ReadSlice('\n')
	if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
		d.err = err
	}
	if d.enc == encUndecided {
		ascii := true
		for _, c := range line {
			if c >= 0x80 {
				ascii = false
				break
			}
		}
		if !ascii {
			d.enc = encCP1252
			if validUTF8Prefix(line, errors.Is(err, bufio.ErrBufferFull)) {
				d.enc = encUTF8
			}
		}
	}
	if d.enc == encCP1252 {
		d.out = appendCP1252(d.out[:0], line)
	} else {
		d.out = append(d.out[:0], line...)
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	if n == 0 && d.err != nil {
		return 0, d.err
	}
	return n, nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a cut rune at
// its end when cut is true (the line went on beyond the buffer).
func validUTF8Prefix(b []byte, cut bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if !cut {
		return false
	}
	for k := 1; k <= 3 && k < len(b); k++ {
		if utf8.Valid(b[:len(b)-k]) && !utf8.FullRune(b[len(b)-k:]) {
			return true
		}
	}
	return false
}

// appendCP1252 appends the UTF-8 form of the Windows-1252 text b to dst.
func appendCP1252(dst, b []byte) []byte {
	for _, c := range b {
		switch {
		case c < 0x80:
			dst = append(dst, c)
		case c < 0xA0:
			dst = utf8.AppendRune(dst, cp1252High[c-0x80])
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}
