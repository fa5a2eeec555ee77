package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"slices"
	"strings"

	"passerelle/api"
	"passerelle/datasets"
	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
	"passerelle/store"
)

// referenceName is the name of the reference data set that `import
// reference` stores and `--market real` reads.
const referenceName = "real"

// Sizes of the market that --market real generates on the imported
// reference (the real France Travail offers of the folder come on top).
const (
	realHousing = 100_000
	realJobs    = 200_000
)

// snapshotVersion changes whenever refSnapshot changes shape; an older
// snapshot is refused with a request to import again.
const snapshotVersion = 1

// refSnapshot is what `import reference` keeps of a reference folder: the
// derived tables a market is built on, not the files. It is stored in the
// database (store.SaveReference) as gzip-compressed gob.
type refSnapshot struct {
	Version         int
	Departments     []geo.Department
	Communes        []geo.Commune
	Parents         []string // communes divided into arrondissements
	ShortageDefault float64
	Shortage        []shortageEntry
	Hiring          []datasets.Hiring
	Occupations     []api.Occupation // ROME 4.0 codes and titles
	Jobs            []matcher.JobOffer
}

type shortageEntry struct {
	Place, Occ string
	V          float64
}

// snapshotOf keeps what a market needs of ref, with the real job offers.
func snapshotOf(ref *ingest.Reference, jobs []matcher.JobOffer) *refSnapshot {
	s := &refSnapshot{Version: snapshotVersion, Departments: ref.Departments, Jobs: jobs}
	parents := map[string]bool{}
	s.Communes = make([]geo.Commune, len(ref.Communes))
	for i, c := range ref.Communes {
		s.Communes[i] = c.Commune
		if c.Parent != "" {
			parents[c.Parent] = true
		}
	}
	for p := range parents {
		s.Parents = append(s.Parents, p)
	}
	slices.Sort(s.Parents)
	if ref.Shortage != nil {
		s.ShortageDefault = ref.Shortage.Default
		ref.Shortage.Range(func(place, occ string, v float64) {
			s.Shortage = append(s.Shortage, shortageEntry{place, occ, v})
		})
		slices.SortFunc(s.Shortage, func(a, b shortageEntry) int {
			return cmp.Or(strings.Compare(a.Place, b.Place), strings.Compare(a.Occ, b.Occ))
		})
	}
	for _, h := range ref.Hiring {
		s.Hiring = append(s.Hiring, datasets.Hiring{Basin: h.Basin, ROME: h.ROME, Projects: h.Projects})
	}
	for _, o := range ref.Occupations {
		s.Occupations = append(s.Occupations, api.Occupation{Code: o.Code, Title: o.Title})
	}
	return s
}

func (s *refSnapshot) encode() ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := gob.NewEncoder(zw).Encode(s); err != nil {
		return nil, fmt.Errorf("encoding the reference: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encoding the reference: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeSnapshot(b []byte) (*refSnapshot, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decoding the imported reference: %w", err)
	}
	var s refSnapshot
	if err := gob.NewDecoder(zr).Decode(&s); err != nil {
		return nil, fmt.Errorf("decoding the imported reference: %w", err)
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("the imported reference has an older format: run `passerelle import reference DIR` again")
	}
	return &s, nil
}

// errNoReference says how to get the reference --market real needs.
var errNoReference = errors.New("no reference data imported: run `passerelle import reference DIR` first (DIR laid out like ../shared/datasets; see README, \"Use real data\")")

// loadSnapshot reads the imported reference from db.
func loadSnapshot(ctx context.Context, db *store.DB) (*refSnapshot, error) {
	r, err := db.LoadReference(ctx, referenceName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usageErr(errNoReference)
	}
	if err != nil {
		return nil, err
	}
	return decodeSnapshot(r.Body)
}

// atlas builds the snapshot's atlas.
func (s *refSnapshot) atlas() (*geo.Atlas, error) {
	return geo.NewAtlas(s.Departments, s.Communes)
}

// market generates the real market: realHousing homes and realJobs jobs on
// the reference, plus its real offers.
func (s *refSnapshot) market() (*matcher.Market, error) {
	parents := make(map[string]bool, len(s.Parents))
	for _, p := range s.Parents {
		parents[p] = true
	}
	sh := matcher.NewShortageTable(s.ShortageDefault)
	for _, e := range s.Shortage {
		sh.Set(e.Place, e.Occ, e.V)
	}
	titles := make(map[string]string, len(s.Occupations))
	for _, o := range s.Occupations {
		titles[o.Code] = o.Title
	}
	return datasets.OnBasis(marketSeed, realHousing, realJobs, &datasets.Basis{
		Departments: s.Departments, Communes: s.Communes, Parents: parents, Shortage: sh,
		Hiring: s.Hiring, Titles: titles, Jobs: slices.Clone(s.Jobs)})
}
