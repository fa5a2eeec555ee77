package ingest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Sentinel errors of the package. Every error a reader returns wraps one of
// them (through a *RowError when a line of the file is to blame).
var (
	// ErrMalformed is wrapped when a file cannot be parsed at all: a bad
	// CSV quote, a truncated or invalid JSON document, an empty file.
	ErrMalformed = errors.New("ingest: malformed file")
	// ErrMissingColumn is wrapped when a required column is absent from a
	// CSV header (often the sign of a wrong separator).
	ErrMissingColumn = errors.New("ingest: missing column")
	// ErrInvalidRow is wrapped by the *RowError of a rejected row.
	ErrInvalidRow = errors.New("ingest: invalid row")
	// ErrTooManyErrors is returned when more rows were rejected than
	// Options.MaxErrors allows; the reader then returns no values.
	ErrTooManyErrors = errors.New("ingest: too many rejected rows")
	// ErrMissingFile is returned by ReadReference when a required file of
	// the reference folder is absent.
	ErrMissingFile = errors.New("ingest: missing file")
)

// Reason codes of RowError.Code and of Report.Rejected. They are stable:
// clients may switch on them. The validation codes of matcher (required,
// invalid, out_of_range, too_many, inconsistent, unknown_value) are reused
// as they are for the users' files.
const (
	CodeMalformed     = "malformed"      // the line or document cannot be parsed
	CodeMissingColumn = "missing_column" // a required column is absent from the header
	CodeFieldCount    = "field_count"    // a line has fewer or more fields than the header (truncated file?)
	CodeRequired      = "required"       // a required cell is empty
	CodeInvalid       = "invalid"        // a code or a number is malformed
	CodeOutOfRange    = "out_of_range"   // a number lies outside its bounds
	CodeUnknownValue  = "unknown_value"  // a value is none of an enumeration
	CodeOutsideFrance = "outside_france" // coordinates outside metropolitan France and the DROM
	CodeDuplicate     = "duplicate"      // a key already appeared on an earlier line
	CodeInconsistent  = "inconsistent"   // a value contradicts another column
	CodeTooManyErrors = "too_many_errors"
)

// Skip reasons of Report.Skipped: rows that are well formed but out of
// Passerelle's scope, left out without failing the import.
const (
	SkipOverseasCollectivity = "overseas_collectivity" // 975, 977, 978, 98x: not a DROM
	SkipNonSalaried          = "non_salaried"          // France Travail franchise, liberal or commercial offers
	SkipAbroad               = "abroad"                // an offer whose work place is outside France
	SkipUnknownPlace         = "unknown_place"         // an offer with neither commune, department nor coordinates
)

// Options tune a reader. The zero value is strict: the first rejected row
// fails the read.
type Options struct {
	// MaxErrors is how many rejected rows are tolerated: the rows are left
	// out and listed in the Report. One more fails the read with
	// ErrTooManyErrors. 0 means none (strict); a negative value means no
	// limit. Syntax errors and missing columns always fail the read.
	MaxErrors int
	// Name is the file name used in errors and reports; each reader has a
	// default (its usual file name).
	Name string
	// KnownCommune, when set, tells whether a commune code is one the
	// caller can place (e.g. in its atlas); ReadVacancies rejects the rows
	// of other communes (code unknown_value, column commune).
	KnownCommune func(code string) bool
	// CheckPoint, when set, tells whether a row's point can lie in its
	// commune, with its distance from the commune's point and the limit in
	// kilometres (geo.Atlas.CheckPoint); ReadVacancies rejects the rows
	// whose point lies too far (code inconsistent, column lat): a typing
	// error in the coordinates or the commune code.
	CheckPoint func(code string, lon, lat float64) (km, limitKm float64, ok bool)
}

// name returns o.Name or def.
func (o Options) name(def string) string {
	if o.Name != "" {
		return o.Name
	}
	return def
}

// maxShownErrors is how many RowErrors a Report keeps.
const maxShownErrors = 20

// RowError is one rejected row (or a file-level failure located at a line):
// which file, line and column, a stable code and a message in French and
// English, as in matcher.FieldError.
type RowError struct {
	File      string `json:"file"`
	Line      int    `json:"line"`             // 1-based; the CSV header is line 1
	Column    string `json:"column,omitempty"` // CSV header name or JSON field path
	Code      string `json:"code"`             // one of the Code… constants or a matcher validation code
	Value     string `json:"value,omitempty"`  // the offending value for codes and numbers, cut to 40 characters; never personal data
	MessageFR string `json:"message"`          // French, shown to users by default
	MessageEN string `json:"message_en"`       // English
	err       error  // the wrapped sentinel
}

// Error returns "ingest: FILE line N column C: English message".
func (e *RowError) Error() string {
	s := "ingest: " + e.File + " line " + strconv.Itoa(e.Line)
	if e.Column != "" {
		s += " column " + e.Column
	}
	if e.Value != "" {
		s += " value " + strconv.Quote(e.Value)
	}
	return s + ": " + e.MessageEN
}

// Unwrap returns the sentinel the error belongs to: ErrMalformed,
// ErrMissingColumn or ErrInvalidRow.
func (e *RowError) Unwrap() error {
	if e.err == nil {
		return ErrInvalidRow
	}
	return e.err
}

// Report sums up one import: rows read, accepted, skipped and rejected by
// reason, the fallbacks used, and the first 20 errors. ReadReference
// returns the sum over its files, with one Report per file in Files.
type Report struct {
	File      string         `json:"file"`
	Rows      int            `json:"rows"`     // data rows (or offers) read, header excluded
	Accepted  int            `json:"accepted"` // rows turned into values
	Skipped   map[string]int `json:"skipped,omitempty"`
	Rejected  map[string]int `json:"rejected,omitempty"`  // rows rejected, by the code of their first error; a file-level failure counts once
	Fallbacks map[string]int `json:"fallbacks,omitempty"` // documented fallbacks used, by kind
	Errors    []RowError     `json:"errors,omitempty"`    // the first 20 errors
	Files     []*Report      `json:"files,omitempty"`     // per-file reports of a folder import
}

// RejectedRows returns the number of rejected rows.
func (r *Report) RejectedRows() int {
	n := 0
	for _, v := range r.Rejected {
		n += v
	}
	return n
}

// addError records e in the shown errors when there is room.
func (r *Report) addError(e RowError) {
	if len(r.Errors) < maxShownErrors {
		r.Errors = append(r.Errors, e)
	}
}

// count increments m[k], allocating m.
func count(m *map[string]int, k string, n int) {
	if *m == nil {
		*m = make(map[string]int)
	}
	(*m)[k] += n
}

// skip records a skipped row.
func (r *Report) skip(reason string) { count(&r.Skipped, reason, 1) }

// fallback records a fallback used.
func (r *Report) fallback(kind string) { count(&r.Fallbacks, kind, 1) }

// merge adds the counts and errors of s to r and appends s to r.Files.
func (r *Report) merge(s *Report) {
	r.Rows += s.Rows
	r.Accepted += s.Accepted
	for _, k := range slices.Sorted(maps.Keys(s.Skipped)) {
		count(&r.Skipped, k, s.Skipped[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Rejected)) {
		count(&r.Rejected, k, s.Rejected[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Fallbacks)) {
		count(&r.Fallbacks, k, s.Fallbacks[k])
	}
	for _, e := range s.Errors {
		r.addError(e)
	}
	r.Files = append(r.Files, s)
}

// tooMany returns the error that ends a read after too many rejected rows.
func tooMany(file string, limit int, last *RowError) error {
	return fmt.Errorf("ingest: reading %s: more than %d rejected rows, the last at line %d: %w", file, limit, last.Line, ErrTooManyErrors)
}
