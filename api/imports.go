package api

import (
	"context"
	"fmt"
	"io"

	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
	"passerelle/store"
)

// Offer kinds of ImportOffers.
const (
	ImportHousing = "housing" // the landlords' vacancy CSV (docs/formats.md)
	ImportJobs    = "jobs"    // France Travail "Offres d'emploi v2" JSON
)

// ImportReport is the answer of an offer import, the same for the CLI and
// the API: the reader's report (rows read, accepted, skipped and rejected
// by reason, the first 20 errors with their line) and what was stored.
type ImportReport struct {
	Kind string `json:"kind"`
	*ingest.Report
	// Stored says what the import did in the database; absent when the
	// file was refused as a whole (then nothing changed).
	Stored *store.Upserted `json:"stored,omitempty"`
}

// ImportOptions tune ImportOffers.
type ImportOptions struct {
	// Name is the file name shown in the report.
	Name string
	// MaxErrors is how many rejected rows are tolerated (left out and
	// reported); one more refuses the whole file. 0 is strict; negative
	// means no limit.
	MaxErrors int
	// Atlas places the offers: a row whose commune (or department) it
	// cannot place is rejected, since no plan could use it.
	Atlas *geo.Atlas
	// ROME is the set of ROME 4.0 codes (jobs; optional).
	ROME map[string]bool
	// Progress, when set, is called with the number of offers read so far.
	Progress func(offers int)
}

// ImportOffers reads an offers file of kind ImportHousing or ImportJobs
// from r and upserts its accepted offers by external_ref, on behalf of
// actor, in one transaction: either every accepted offer is stored or,
// when the file is refused (a syntax error, a missing column, more
// rejected rows than MaxErrors) or the database fails, nothing is. The
// report is returned in every case; the error wraps ingest's sentinels for
// a refused file (answer 422) or is the store's.
func ImportOffers(ctx context.Context, db *store.DB, actor store.Actor, kind string, r io.Reader, opts ImportOptions) (*ImportReport, error) {
	if opts.Atlas == nil {
		return nil, fmt.Errorf("api: import %s: no atlas", kind)
	}
	in := ingest.Options{MaxErrors: opts.MaxErrors, Name: opts.Name}
	out := &ImportReport{Kind: kind}
	var hs []matcher.HousingOffer
	var js []matcher.JobOffer
	var err error
	placeable := func(code string) bool { _, _, err := opts.Atlas.Locate(code); return err == nil }
	switch kind {
	case ImportHousing:
		in.KnownCommune = placeable
		hs, out.Report, err = ingest.ReadVacancies(r, in)
		if opts.Progress != nil {
			opts.Progress(len(hs))
		}
	case ImportJobs:
		var bad []ingest.RowError
		out.Report, err = ingest.StreamOffers(ctx, r, ingest.OffersOptions{Options: in, Atlas: opts.Atlas, ROME: opts.ROME},
			func(line int, j matcher.JobOffer) error {
				if !placeable(j.Commune) {
					bad = append(bad, ingest.RowError{File: opts.Name, Line: line, Column: "lieuTravail.commune", Code: ingest.CodeUnknownValue,
						Value: j.Commune, MessageFR: "Commune inconnue du référentiel : importez le référentiel qui la contient.",
						MessageEN: "Commune unknown to the reference data: import reference data that holds it."})
					return nil
				}
				js = append(js, j)
				if opts.Progress != nil && len(js)%1000 == 0 {
					opts.Progress(len(js))
				}
				return nil
			})
		if out.Report != nil {
			for _, b := range bad {
				out.Report.Accepted--
				if out.Report.Rejected == nil {
					out.Report.Rejected = map[string]int{}
				}
				out.Report.Rejected[b.Code]++
				if len(out.Report.Errors) < 20 {
					out.Report.Errors = append(out.Report.Errors, b)
				}
			}
		}
		if opts.Progress != nil {
			opts.Progress(len(js))
		}
	default:
		return nil, fmt.Errorf("api: import: unknown kind %q", kind)
	}
	if out.Report == nil {
		out.Report = &ingest.Report{File: opts.Name}
	}
	if err != nil {
		return out, err
	}
	if opts.MaxErrors >= 0 && out.RejectedRows() > opts.MaxErrors {
		return out, fmt.Errorf("%w: %d rows rejected, at most %d allowed", ingest.ErrTooManyErrors, out.RejectedRows(), opts.MaxErrors)
	}
	var up store.Upserted
	err = db.Write(ctx, actor, func(tx *store.Tx) error {
		h, j, err := tx.UpsertOffers(ctx, hs, js)
		up = h
		if kind == ImportJobs {
			up = j
		}
		return err
	})
	if err != nil {
		return out, err
	}
	out.Stored = &up
	return out, nil
}
