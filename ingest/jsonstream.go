package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// lineReader counts the lines of what it reads so that a byte offset of a
// json.Decoder can be turned into a line number, and keeps the bytes read
// since the last offset asked for, so that the start of a value can be
// found. It forgets what lies before the last offset asked for, so memory
// stays small on long streams (offsets must be asked in increasing order).
type lineReader struct {
	r        io.Reader
	pos      int64   // bytes read so far
	nl       []int64 // offsets of newlines not yet passed
	head     int
	lines    int    // newlines before nl[head]
	win      []byte // the bytes read from winStart on
	winStart int64
}

// Read implements io.Reader.
func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		k := bytes.IndexByte(p[i:n], '\n')
		if k < 0 {
			break
		}
		l.nl = append(l.nl, l.pos+int64(i+k))
		i += k + 1
	}
	l.win = append(l.win, p[:n]...)
	l.pos += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off and forgets what
// comes before it.
func (l *lineReader) lineAt(off int64) int {
	for l.head < len(l.nl) && l.nl[l.head] < off {
		l.head++
		l.lines++
	}
	if l.head > 4096 && l.head*2 > len(l.nl) {
		l.nl = append(l.nl[:0], l.nl[l.head:]...)
		l.head = 0
	}
	if k := off - l.winStart; k > 64<<10 && k*2 > int64(len(l.win)) && k <= int64(len(l.win)) {
		l.win = append(l.win[:0], l.win[k:]...)
		l.winStart = off
	}
	return l.lines + 1
}

// valueStart returns the offset of the first byte at or after off that is
// neither white space nor a comma: where the array element after off
// begins.
func (l *lineReader) valueStart(off int64) int64 {
	i := off - l.winStart
	for i >= 0 && i < int64(len(l.win)) {
		switch l.win[i] {
		case ' ', '\t', '\r', '\n', ',':
			i++
			continue
		}
		break
	}
	return l.winStart + i
}

// jsonError turns a decoding error into a fatal *RowError at its line.
func jsonError(file string, lr *lineReader, dec *json.Decoder, err error) *RowError {
	off := dec.InputOffset()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	col := ""
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off, col = te.Offset, te.Field
	}
	fr, en := "Le document JSON est mal formé\u00a0: "+err.Error()+".", "The JSON document is malformed: "+err.Error()+"."
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		fr, en = "Le document JSON s'arrête avant sa fin (fichier tronqué\u00a0?).", "The JSON document ends too early (a truncated file?)."
	}
	return &RowError{File: file, Line: lr.lineAt(off), Column: col, Code: CodeMalformed, MessageFR: fr, MessageEN: en, err: ErrMalformed}
}

// walkJSON streams a JSON document that is either an object holding an
// array under key arrayKey, or an array of elements, and decodes each
// element straight from the stream into a fresh T handed to elem with the
// line where it starts. A value that does not fit T (a string for a
// number…) is still handed on, with the *json.UnmarshalTypeError and the
// line of the faulty field in typeErr; elem decides. Other keys of the
// top-level object are kept raw in rest, so that a caller can read a lone
// element object from them when found is false. A syntax error is returned
// as a *RowError wrapping ErrMalformed; an error of elem as it is.
func walkJSON[T any](r io.Reader, file, arrayKey string, elem func(v *T, line int, typeErr *RowError) error) (rest map[string]json.RawMessage, found bool, err error) {
	lr := &lineReader{r: r}
	dec := json.NewDecoder(lr)
	fail := func(err error) error {
		var re *RowError
		if errors.As(err, &re) {
			return err
		}
		return jsonError(file, lr, dec, err)
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, false, &RowError{File: file, Line: 1, Code: CodeMalformed, MessageFR: "Le fichier est vide.", MessageEN: "The file is empty.", err: ErrMalformed}
		}
		return nil, false, fail(err)
	}
	array := func() error {
		for dec.More() {
			prevEnd := dec.InputOffset()
			var v T
			err := dec.Decode(&v)
			var te *json.UnmarshalTypeError
			if err != nil && !errors.As(err, &te) {
				return fail(err)
			}
			start := lr.valueStart(prevEnd)
			var typeErr *RowError
			if te != nil {
				at := min(max(prevEnd+te.Offset, start), lr.pos)
				line := lr.lineAt(start) // may forget the window before start
				line += bytes.Count(lr.win[start-lr.winStart:at-lr.winStart], []byte{'\n'})
				typeErr = &RowError{File: file, Line: line,
					Column: te.Field, Code: CodeMalformed, err: ErrInvalidRow,
					MessageFR: "Un champ n'a pas le type attendu\u00a0: " + te.Error() + ".", MessageEN: "A field does not have the expected type: " + te.Error() + "."}
			}
			if err := elem(&v, lr.lineAt(start), typeErr); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return fail(err)
		}
		return nil
	}
	switch tok {
	case json.Delim('['):
		if err := array(); err != nil {
			return nil, true, err
		}
		found = true
	case json.Delim('{'):
		rest = make(map[string]json.RawMessage)
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, false, fail(err)
			}
			key, _ := kt.(string)
			if key == arrayKey {
				if t, err := dec.Token(); err != nil {
					return nil, false, fail(err)
				} else if t != json.Delim('[') {
					return nil, false, &RowError{File: file, Line: lr.lineAt(dec.InputOffset()), Column: arrayKey, Code: CodeMalformed,
						MessageFR: "Le champ " + arrayKey + " doit être une liste.", MessageEN: "The field " + arrayKey + " must be an array.", err: ErrMalformed}
				}
				if err := array(); err != nil {
					return nil, true, err
				}
				found = true
				continue
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, false, fail(err)
			}
			rest[key] = raw
		}
		if _, err := dec.Token(); err != nil { // '}'
			return nil, found, fail(err)
		}
	default:
		return nil, false, &RowError{File: file, Line: 1, Code: CodeMalformed,
			MessageFR: "Le document JSON doit être un objet ou une liste.", MessageEN: "The JSON document must be an object or an array.", err: ErrMalformed}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, found, &RowError{File: file, Line: lr.lineAt(dec.InputOffset()), Code: CodeMalformed,
			MessageFR: "Du texte suit la fin du document JSON.", MessageEN: "Text follows the end of the JSON document.", err: ErrMalformed}
	}
	return rest, found, nil
}
