package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"passerelle/geo"
)

// column is a column a reader looks for: its canonical name (used in
// errors) and the normalised header names accepted for it.
type column struct {
	name     string
	aliases  []string
	required bool
	idx      int // index in the record, -1 when absent
}

// table reads a CSV file row by row: it detects the encoding and the
// separator, finds columns by header name and collects the errors of each
// row. Readers use it as:
//
//	t := newTable(opts, "file.csv")
//	code := t.need("code_insee", "codgeo")
//	if err := t.start(r); err != nil { … }
//	for t.next() { v := t.commune(code); if t.ok() { … } }
//	if err := t.end(); err != nil { … }
type table struct {
	file    string
	opts    Options
	rd      *csv.Reader
	cols    []*column
	header  map[string]int
	width   int
	rec     []string
	line    int
	rowErrs int // errors of the current row
	first   *RowError
	rep     *Report
	fatal   error
	lastErr *RowError
	private bool // the file holds personal data: values never go into errors
}

// newTable prepares a CSV table over r. It reads nothing yet.
func newTable(opts Options, defName string) *table {
	return &table{file: opts.name(defName), opts: opts, rep: &Report{File: opts.name(defName)}}
}

// addCol declares a column and returns its handle.
func (t *table) addCol(required bool, name string, aliases ...string) *column {
	c := &column{name: name, aliases: append([]string{normHeader(name)}, mapNorm(aliases)...), required: required, idx: -1}
	t.cols = append(t.cols, c)
	return c
}

// need declares a required column.
func (t *table) need(name string, aliases ...string) *column { return t.addCol(true, name, aliases...) }

// opt declares an optional column.
func (t *table) opt(name string, aliases ...string) *column { return t.addCol(false, name, aliases...) }

// mapNorm normalises every header name of s.
func mapNorm(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = normHeader(v)
	}
	return out
}

// start reads the header from r, detecting the encoding (UTF-8 with or
// without BOM, else Windows-1252) and the separator (',' or ';', the more
// frequent in the header line). It returns a *RowError wrapping
// ErrMalformed or ErrMissingColumn (listing every missing column).
func (t *table) start(r io.Reader) error {
	raw := bufio.NewReader(r)
	if b, _ := raw.Peek(2); len(b) == 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		return t.fileError(1, "", CodeMalformed, ErrMalformed,
			"Le fichier est en UTF-16 («\u00a0texte Unicode\u00a0»)\u00a0: enregistrez-le en «\u00a0CSV UTF-8\u00a0».",
			`The file is in UTF-16 ("Unicode text"): save it as "CSV UTF-8".`)
	}
	br := bufio.NewReaderSize(newTextDecoder(raw), 64<<10)
	head, _ := br.Peek(8 << 10)
	if i := strings.IndexByte(string(head), '\n'); i >= 0 {
		head = head[:i]
	}
	sep := ','
	if strings.Count(string(head), ";") > strings.Count(string(head), ",") {
		sep = ';'
	}
	t.rd = csv.NewReader(br)
	t.rd.Comma = sep
	t.rd.FieldsPerRecord = -1
	t.rd.ReuseRecord = true
	rec, err := t.rd.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return t.fileError(1, "", CodeMalformed, ErrMalformed, "Le fichier est vide\u00a0: il manque la ligne d'en-tête.", "The file is empty: the header line is missing.")
		}
		return t.syntaxError(err)
	}
	t.width = len(rec)
	t.header = make(map[string]int, len(rec))
	for i, h := range rec {
		n := normHeader(h)
		if _, dup := t.header[n]; !dup {
			t.header[n] = i
		}
	}
	var missing []string
	for _, c := range t.cols {
		for _, a := range c.aliases {
			if i, ok := t.header[a]; ok {
				c.idx = i
				break
			}
		}
		if c.idx < 0 && c.required {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		fr := "Colonne obligatoire absente de l'en-tête\u00a0: " + strings.Join(missing, ", ") + "."
		en := "Required column missing from the header: " + strings.Join(missing, ", ") + "."
		if len(rec) == 1 {
			fr += " L'en-tête n'a qu'une colonne\u00a0: le séparateur doit être la virgule ou le point-virgule."
			en += " The header has a single column: the separator must be a comma or a semicolon."
		}
		return t.fileError(1, missing[0], CodeMissingColumn, ErrMissingColumn, fr, en)
	}
	return nil
}

// fileError records a fatal error at line and returns it.
func (t *table) fileError(line int, col, code string, sentinel error, fr, en string) error {
	e := &RowError{File: t.file, Line: line, Column: col, Code: code, MessageFR: fr, MessageEN: en, err: sentinel}
	t.rep.addError(*e)
	count(&t.rep.Rejected, code, 1)
	t.fatal = e
	return e
}

// syntaxError turns a csv parse error into a fatal *RowError.
func (t *table) syntaxError(err error) error {
	line := t.line + 1
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = pe.Line
	}
	return t.fileError(line, "", CodeMalformed, ErrMalformed,
		"Le fichier CSV est mal formé (guillemet non fermé ou fichier tronqué\u00a0?)\u00a0: "+frCSV(err)+".",
		"The CSV file is malformed (an unclosed quote or a truncated file?): "+err.Error()+".")
}

// frCSV names a csv error in French.
func frCSV(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return "guillemet en trop dans un champ"
	case errors.Is(err, csv.ErrBareQuote):
		return "guillemet dans un champ non entouré de guillemets"
	}
	return "erreur de lecture"
}

// next advances to the next data row, passing over lines that hold only
// spaces. It returns false at the end of the file or after a fatal error
// (see end).
func (t *table) next() bool {
	for {
		if t.fatal != nil {
			return false
		}
		t.endRow()
		if t.fatal != nil {
			return false
		}
		rec, err := t.rd.Read()
		if errors.Is(err, io.EOF) {
			t.rec = nil
			return false
		}
		if err != nil {
			_ = t.syntaxError(err)
			return false
		}
		if len(rec) == 1 && t.width > 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		t.rec = rec
		t.line, _ = t.rd.FieldPos(0)
		t.rep.Rows++
		t.rowErrs = 0
		t.first = nil
		if len(rec) != t.width {
			t.fail(nil, CodeFieldCount, "",
				"La ligne compte "+strconv.Itoa(len(rec))+" champ(s) au lieu de "+strconv.Itoa(t.width)+" (fichier tronqué ou séparateur incohérent\u00a0?).",
				"The line has "+strconv.Itoa(len(rec))+" fields instead of "+strconv.Itoa(t.width)+" (a truncated file or an inconsistent separator?).")
		}
		return true
	}
}

// endRow accounts for the row just processed (if any).
func (t *table) endRow() {
	if t.rec == nil {
		return
	}
	t.rec = nil
	if t.rowErrs == 0 {
		return
	}
	count(&t.rep.Rejected, t.first.Code, 1)
	rej := t.rep.RejectedRows()
	if t.opts.MaxErrors >= 0 && rej > t.opts.MaxErrors {
		t.fatal = tooMany(t.file, t.opts.MaxErrors, t.lastErr)
	}
}

// ok reports whether the current row has no error so far.
func (t *table) ok() bool { return t.rowErrs == 0 }

// accept counts the current row as accepted.
func (t *table) accept() { t.rep.Accepted++ }

// skipRow counts the current row as skipped for reason, unless it already
// has an error (it is then rejected).
func (t *table) skipRow(reason string) {
	if t.rowErrs == 0 {
		t.rep.skip(reason)
	}
}

// end finishes the read: it returns the fatal error, if any (a
// *RowError or an error wrapping ErrTooManyErrors).
func (t *table) end() error {
	t.endRow()
	return t.fatal
}

// fail records an error of the current row.
func (t *table) fail(c *column, code, value, fr, en string) {
	col := ""
	if c != nil {
		col = c.name
	}
	if t.private {
		value = ""
	}
	if utf8.RuneCountInString(value) > 40 {
		value = string([]rune(value)[:40])
	}
	e := &RowError{File: t.file, Line: t.line, Column: col, Code: code, Value: value, MessageFR: fr, MessageEN: en, err: ErrInvalidRow}
	t.rowErrs++
	if t.first == nil {
		t.first = e
	}
	t.lastErr = e
	t.rep.addError(*e)
}

// raw returns the trimmed cell of c, "" when the column is absent or the
// row short.
func (t *table) raw(c *column) string {
	if c.idx < 0 || c.idx >= len(t.rec) {
		return ""
	}
	return strings.TrimSpace(t.rec[c.idx])
}

// str returns the cell of c as text (a copy: records are reused), with
// invalid UTF-8 replaced by U+FFFD.
func (t *table) str(c *column) string {
	v := t.raw(c)
	if !utf8.ValidString(v) {
		return strings.ToValidUTF8(v, "\uFFFD")
	}
	return strings.Clone(v)
}

// required returns the non-empty cell of c, or records CodeRequired.
func (t *table) required(c *column) string {
	v := t.str(c)
	if v == "" {
		t.fail(c, CodeRequired, "", "La valeur de la colonne "+c.name+" est obligatoire.", "The value of column "+c.name+" is required.")
	}
	return v
}

// float parses the cell of c as a number with a decimal point or comma
// (spaces as thousands separators are allowed). It returns present=false
// for an empty cell; a malformed or non-finite number records CodeInvalid.
func (t *table) float(c *column) (v float64, present bool) {
	s := t.raw(c)
	if s == "" {
		return 0, false
	}
	v, err := parseNumber(s)
	if err != nil {
		t.fail(c, CodeInvalid, s, "La valeur de la colonne "+c.name+" n'est pas un nombre.", "The value of column "+c.name+" is not a number.")
		return 0, false
	}
	return v, true
}

// rangeFloat is float with bounds lo ≤ v ≤ hi (CodeOutOfRange otherwise).
func (t *table) rangeFloat(c *column, lo, hi float64) (float64, bool) {
	v, ok := t.float(c)
	if ok && (v < lo || v > hi) {
		t.fail(c, CodeOutOfRange, t.raw(c),
			"La valeur de la colonne "+c.name+" doit être comprise entre "+fmtFR(lo)+" et "+fmtFR(hi)+".",
			"The value of column "+c.name+" must be between "+fmtEN(lo)+" and "+fmtEN(hi)+".")
		return 0, false
	}
	return v, ok
}

// int parses the cell of c as a whole number within [lo, hi]. Empty
// cells give present=false.
func (t *table) int(c *column, lo, hi int) (v int, present bool) {
	f, ok := t.rangeFloat(c, float64(lo), float64(hi))
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) {
		t.fail(c, CodeInvalid, t.raw(c), "La valeur de la colonne "+c.name+" doit être un nombre entier.", "The value of column "+c.name+" must be a whole number.")
		return 0, false
	}
	return int(f), true
}

// spaceCleaner drops the thousands separators of "1 234,5".
var spaceCleaner = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")

// parseNumber parses "1234.5", "1234,5", "1 234,5" or "-0,25". It rejects
// NaN, infinities and hexadecimal forms.
func parseNumber(s string) (float64, error) {
	if strings.ContainsAny(s, " \u00a0\u202f") {
		s = spaceCleaner.Replace(s)
	}
	if strings.IndexByte(s, ',') >= 0 {
		if strings.IndexByte(s, '.') >= 0 {
			return 0, strconv.ErrSyntax
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, strconv.ErrSyntax
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, strconv.ErrSyntax
	}
	return v, nil
}

// commune returns the cell of c as an INSEE commune code. A numeric code
// of 4 digits gets its leading zero back (spreadsheets drop it). An empty
// cell records CodeRequired when required, a malformed one CodeInvalid.
func (t *table) commune(c *column, required bool) string {
	s := t.raw(c)
	if s == "" {
		if required {
			t.required(c)
		}
		return ""
	}
	if len(s) == 4 && isDigits(s) {
		s = "0" + s
	}
	if !geo.ValidCommuneCode(s) {
		t.fail(c, CodeInvalid, s,
			"Le code commune n'est pas valide\u00a0: il faut un code INSEE de 5 caractères, par exemple 71076 ou 2A004.",
			"The commune code is not valid: expected a 5-character INSEE code such as 71076 or 2A004.")
		return ""
	}
	return strings.Clone(s)
}

// department returns the cell of c as a department code ("1" becomes
// "01"). Overseas collectivities (975, 977, 978, 98x) are returned as they
// are with ok=false so that callers can skip them.
func (t *table) department(c *column, required bool) (code string, ok bool) {
	s := t.raw(c)
	if s == "" {
		if required {
			t.required(c)
		}
		return "", false
	}
	if len(s) == 1 && isDigits(s) {
		s = "0" + s
	}
	if isOverseasCollectivity(s) {
		return strings.Clone(s), false
	}
	if geo.ValidDepartmentCode(s) {
		return strings.Clone(s), true
	}
	t.fail(c, CodeInvalid, s,
		"Le code département n'est pas valide\u00a0: il faut un code de département, par exemple 71, 2A ou 974.",
		"The department code is not valid: expected a department code such as 71, 2A or 974.")
	return "", false
}

// isOverseasCollectivity reports whether s is the code of an overseas
// collectivity that is not a DROM (975, 977, 978, 984, 986–989).
func isOverseasCollectivity(s string) bool {
	switch s {
	case "975", "977", "978", "984", "986", "987", "988", "989":
		return true
	}
	return false
}

// region returns the cell of c as a 2-digit region code ("1" becomes "01").
func (t *table) region(c *column, required bool) string {
	s := t.raw(c)
	if s == "" {
		if required {
			t.required(c)
		}
		return ""
	}
	if len(s) == 1 && isDigits(s) {
		s = "0" + s
	}
	if len(s) != 2 || !isDigits(s) {
		t.fail(c, CodeInvalid, s, "Le code région n'est pas valide\u00a0: il faut 2 chiffres, par exemple 27.",
			"The region code is not valid: expected 2 digits such as 27.")
		return ""
	}
	return strings.Clone(s)
}

// code returns the cell of c when it matches valid, else records
// CodeInvalid with the hint (French, English) of what is expected.
func (t *table) code(c *column, required bool, valid func(string) bool, hintFR, hintEN string) string {
	s := t.raw(c)
	if s == "" {
		if required {
			t.required(c)
		}
		return ""
	}
	if !valid(s) {
		t.fail(c, CodeInvalid, s, "La valeur de la colonne "+c.name+" n'est pas valide\u00a0: "+hintFR+".",
			"The value of column "+c.name+" is not valid: "+hintEN+".")
		return ""
	}
	return strings.Clone(s)
}

// rome returns the cell of c as a ROME code (a letter A–N and 4 digits).
func (t *table) rome(c *column, required bool) string {
	return t.code(c, required, validROME, "il faut une lettre de A à N suivie de 4 chiffres, par exemple G1602",
		"expected a letter from A to N followed by 4 digits, such as G1602")
}

// point reads a point from the lon and lat columns: both empty gives
// ok=false; one missing, malformed or outside France records an error.
func (t *table) point(lon, lat *column, required bool) (p [2]float64, ok bool) {
	x, okx := t.float(lon)
	y, oky := t.float(lat)
	if !okx && !oky {
		if t.raw(lon) == "" && t.raw(lat) == "" && required {
			t.required(lat)
		}
		return p, false
	}
	if okx != oky {
		if !okx {
			t.required(lon)
		} else {
			t.required(lat)
		}
		return p, false
	}
	if !InFrance(x, y) {
		t.fail(lat, CodeOutsideFrance, t.raw(lat)+" "+t.raw(lon),
			"Les coordonnées (latitude "+t.raw(lat)+", longitude "+t.raw(lon)+") sont hors de France (métropole et DROM).",
			"The coordinates (latitude "+t.raw(lat)+", longitude "+t.raw(lon)+") are outside France (metropolitan France and the DROM).")
		return p, false
	}
	return [2]float64{x, y}, true
}

// isDigits reports whether s is made of ASCII digits only (and not empty).
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validROME reports whether s is shaped like a ROME code: a letter A–N and
// four digits.
func validROME(s string) bool {
	return len(s) == 5 && s[0] >= 'A' && s[0] <= 'N' && isDigits(s[1:])
}

// normHeader normalises a header name for matching: lower case, accents
// removed, spaces, hyphens, dots and apostrophes turned into '_', a BOM
// and surrounding spaces dropped. "Code INSEE" and "code_insee" match, as
// do "Année" and "annee".
func normHeader(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "\ufeff")
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(s) {
		r = foldAccent(r)
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			under = false
		case r == '%':
			b.WriteString("pct")
		default:
			if !under && b.Len() > 0 {
				b.WriteByte('_')
				under = true
			}
		}
	}
	return strings.TrimRight(b.String(), "_")
}

// foldAccent maps the accented lower-case Latin letters of French to their
// base letter.
func foldAccent(r rune) rune {
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å':
		return 'a'
	case 'ç':
		return 'c'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'î', 'ï', 'í', 'ì':
		return 'i'
	case 'ô', 'ö', 'ó', 'ò', 'õ':
		return 'o'
	case 'ù', 'û', 'ü', 'ú':
		return 'u'
	case 'ÿ':
		return 'y'
	case 'œ':
		return 'o'
	case 'æ':
		return 'a'
	}
	return r
}

// fmtFR formats a bound the French way (decimal comma).
func fmtFR(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// fmtEN formats a bound the English way.
func fmtEN(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// InFrance reports whether the point (lon, lat), in WGS84 degrees, lies in
// metropolitan France (with Corsica) or in one of the five DROM
// (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte). It tests boxes
// around each territory with a margin of about 0.1°, not the outlines, so
// a point in the sea or just across a border may pass; it rejects (0, 0),
// swapped coordinates and points abroad. NaN and infinities are outside.
func InFrance(lon, lat float64) bool {
	for _, b := range franceBoxes {
		if lon >= b[0] && lon <= b[1] && lat >= b[2] && lat <= b[3] {
			return true
		}
	}
	return false
}

// franceBoxes are {lon min, lon max, lat min, lat max} of each territory.
var franceBoxes = [...][4]float64{
	{-5.3, 9.7, 41.3, 51.2},      // metropolitan France and Corsica
	{-61.9, -60.9, 15.8, 16.6},   // Guadeloupe
	{-61.3, -60.7, 14.3, 14.95},  // Martinique
	{-54.7, -51.5, 2.0, 5.9},     // Guyane
	{55.15, 55.9, -21.45, -20.8}, // La Réunion
	{44.9, 45.35, -13.05, -12.6}, // Mayotte
}

// itoa formats i in decimal.
func itoa(i int) string { return strconv.Itoa(i) }

// collectivity reports whether the cell of c is the commune code of an
// overseas collectivity that is not a DROM (975xx, 977xx, 978xx, 98xxx);
// readers skip such rows.
func (t *table) collectivity(c *column) bool {
	s := t.raw(c)
	return len(s) == 5 && isDigits(s) && isOverseasCollectivity(s[:3])
}
