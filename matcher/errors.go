package matcher

import (
	"errors"
	"strings"
)

// Sentinel errors of the package.
var (
	// ErrInvalid is wrapped by every *ValidationError.
	ErrInvalid = errors.New("matcher: invalid input")
	// ErrNotFound is returned for an unknown offer or household id.
	ErrNotFound = errors.New("matcher: not found")
	// ErrNoCandidates is returned when a market has no offers at all.
	ErrNoCandidates = errors.New("matcher: no candidates")
)

// FieldError is one failing field of an input, with a stable code and a
// message in French and in English.
type FieldError struct {
	Field     string `json:"field"`      // JSON path, e.g. "members[1].age"
	Code      string `json:"code"`       // stable, e.g. "required", "out_of_range"
	MessageFR string `json:"message"`    // French, shown to users by default
	MessageEN string `json:"message_en"` // English
}

// ValidationError lists every failing field of an input at once. It wraps
// ErrInvalid.
type ValidationError struct {
	Fields []FieldError `json:"errors"`
}

// Error returns the English messages joined by "; ".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("matcher: invalid input: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.MessageEN)
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// add appends a field error.
func (e *ValidationError) add(field, code, fr, en string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, MessageFR: fr, MessageEN: en})
}

// err returns e, or nil when it holds no field error.
func (e *ValidationError) err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}
