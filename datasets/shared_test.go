package datasets_test

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"passerelle/internal/testenv"
)

// sharedDir is where the official open-data files live, relative to the
// package directory. Tests only read them; nothing is copied.
const sharedDir = "../../shared/datasets"

// sharedFile returns the path of a file of the shared datasets. It skips the
// test when the directory is missing, unless CI is set (then it fails).
func sharedFile(tb testing.TB, rel string) string {
	tb.Helper()
	_, err := os.Stat(sharedDir)
	testenv.Require(tb, err == nil, "the shared datasets ("+sharedDir+")")
	p := filepath.Join(sharedDir, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared dataset file: %v", err)
	}
	return p
}

// table is a CSV file read by header name.
type table struct {
	col  map[string]int
	rows [][]string
}

// get returns the value of column name in row r; it fails on a missing column.
func (t *table) get(tb testing.TB, r []string, name string) string {
	tb.Helper()
	i, ok := t.col[name]
	if !ok {
		tb.Fatalf("column %q missing", name)
	}
	if i >= len(r) {
		return ""
	}
	return r[i]
}

// float returns column name of row r as a float64.
func (t *table) float(tb testing.TB, r []string, name string) float64 {
	tb.Helper()
	v, err := strconv.ParseFloat(t.get(tb, r, name), 64)
	if err != nil {
		tb.Fatalf("column %q: %v", name, err)
	}
	return v
}

// index maps the value of column key to its row.
func (t *table) index(tb testing.TB, key string) map[string][]string {
	tb.Helper()
	m := make(map[string][]string, len(t.rows))
	for _, r := range t.rows {
		m[t.get(tb, r, key)] = r
	}
	return m
}

// readTable reads a comma-separated file of the shared datasets.
func readTable(tb testing.TB, rel string) *table {
	tb.Helper()
	f, err := os.Open(sharedFile(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	rd.FieldsPerRecord = -1
	head, err := rd.Read()
	if err != nil {
		tb.Fatalf("reading header of %s: %v", rel, err)
	}
	t := &table{col: make(map[string]int, len(head))}
	for i, h := range head {
		if i == 0 && len(h) >= 3 && h[:3] == "\ufeff" {
			h = h[3:]
		}
		t.col[h] = i
	}
	for {
		r, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("reading %s: %v", rel, err)
		}
		t.rows = append(t.rows, r)
	}
	return t
}
