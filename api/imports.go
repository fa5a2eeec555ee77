package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

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
// a refused file or is the store's.
func ImportOffers(ctx context.Context, db *store.DB, actor store.Actor, kind string, r io.Reader, opts ImportOptions) (*ImportReport, error) {
	out, hs, js, err := parseImport(ctx, kind, r, opts)
	if err != nil {
		return out, err
	}
	var up store.Upserted
	err = db.Write(ctx, actor, func(tx *store.Tx) error {
		up, err = upsertImport(ctx, tx, kind, hs, js)
		return err
	})
	if err != nil {
		return out, err
	}
	out.Stored = &up
	return out, nil
}

func upsertImport(ctx context.Context, tx *store.Tx, kind string, hs []matcher.HousingOffer, js []matcher.JobOffer) (store.Upserted, error) {
	h, j, err := tx.UpsertOffers(ctx, hs, js)
	if kind == ImportJobs {
		return j, err
	}
	return h, err
}

// refused reports whether an import error refuses the file as a whole
// (the caller's fault: 422), rather than a failure of the server.
func refused(err error) bool {
	return errors.Is(err, ingest.ErrMalformed) || errors.Is(err, ingest.ErrMissingColumn) ||
		errors.Is(err, ingest.ErrTooManyErrors) || errors.Is(err, ingest.ErrInvalidRow)
}

// parseImport reads and checks an offers file; see ImportOffers.
func parseImport(ctx context.Context, kind string, r io.Reader, opts ImportOptions) (*ImportReport, []matcher.HousingOffer, []matcher.JobOffer, error) {
	if opts.Atlas == nil {
		return nil, nil, nil, fmt.Errorf("api: import %s: no atlas", kind)
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
		in.CheckPoint = opts.Atlas.CheckPoint
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
		return nil, nil, nil, fmt.Errorf("api: import: unknown kind %q", kind)
	}
	if out.Report == nil {
		out.Report = &ingest.Report{File: opts.Name}
	}
	if err != nil {
		return out, nil, nil, err
	}
	if opts.MaxErrors >= 0 && out.RejectedRows() > opts.MaxErrors {
		return out, nil, nil, fmt.Errorf("%w: %d rows rejected, at most %d allowed", ingest.ErrTooManyErrors, out.RejectedRows(), opts.MaxErrors)
	}
	return out, hs, js, nil
}

// MaxImportBytes is the largest body of an import route (32 MiB: some
// 40,000 France Travail offers or 200,000 vacancy lines).
const MaxImportBytes = 32 << 20

// importRoute answers POST /v1/housing/import (a vacancy CSV, text/csv) and
// POST /v1/jobs/import (France Travail JSON): 200 with the ImportReport, or
// 422 with the report in the problem when the file is refused as a whole
// (nothing stored). ?max_errors=N tolerates N rejected rows (left out and
// reported). Offers are upserted by external_ref for the caller's
// organisation (admins: the offers' owner field).
func (s *Server) importRoute(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		maxErrors := 0
		if v := c.Query("max_errors"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("max_errors", "out_of_range",
					"max_errors doit être un entier entre 0 et 1 000 000.", "max_errors must be an integer between 0 and 1,000,000.")}})
				return
			}
			maxErrors = n
		}
		body, err := readImportBody(c, kind)
		if err != nil {
			fail(c, err)
			return
		}
		if s.replayed(c) { // a retry is not read again
			return
		}
		ctx := c.Request.Context()
		name := "vacancies.csv"
		if kind == ImportJobs {
			name = "offres.json"
		}
		rep, hs, js, err := parseImport(ctx, kind, bytes.NewReader(body), ImportOptions{
			Name: name, MaxErrors: maxErrors, Atlas: s.engines.Loaded().Atlas(), ROME: s.romeCodes()})
		if err != nil {
			if !refused(err) {
				fail(c, err)
				return
			}
			_ = c.Error(err)
			p := newProblem(http.StatusUnprocessableEntity, "import_refused",
				"Fichier refusé : rien n'a été importé. Le rapport donne les lignes en cause.",
				"File refused: nothing was imported. The report gives the lines at fault.").p
			p.Report = rep.Report
			p.RequestID = c.GetString(ctxRequestID)
			writeProblem(c, p)
			return
		}
		s.write(c, true, func(tx *store.Tx) (response, error) {
			up, err := upsertImport(ctx, tx, kind, hs, js)
			if err != nil {
				return response{}, err
			}
			rep.Stored = &up
			return response{status: http.StatusOK, body: rep}, nil
		})
	}
}

// readImportBody reads an import body (at most MaxImportBytes; CSV for
// housing, JSON for jobs) and keeps it on the context for the idempotency
// layer.
func readImportBody(c *gin.Context, kind string) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if kind == ImportHousing && ct != "text/csv" && ct != "text/plain" {
		return nil, newProblem(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Le corps doit être un fichier CSV (Content-Type: text/csv).", "The body must be a CSV file (Content-Type: text/csv).")
	}
	if kind == ImportJobs {
		if err := checkJSONType(c.GetHeader("Content-Type")); err != nil {
			return nil, err
		}
	}
	r := http.MaxBytesReader(c.Writer, c.Request.Body, MaxImportBytes)
	b, err := io.ReadAll(r)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, newProblem(http.StatusRequestEntityTooLarge, "body_too_large",
			"Le fichier dépasse 32 Mio : découpez-le.", "The file is larger than 32 MiB: split it.")
	}
	if err != nil {
		return nil, newProblem(http.StatusBadRequest, "body_unreadable", "Corps de requête illisible.", "The request body could not be read.")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, newProblem(http.StatusBadRequest, "body_missing", "Le fichier est vide.", "The file is empty.")
	}
	c.Set(ctxBody, b)
	return b, nil
}

// romeCodes returns the ROME codes of the occupation search, or nil.
func (s *Server) romeCodes() map[string]bool {
	if len(s.cfg.Occupations) == 0 {
		return nil
	}
	m := make(map[string]bool, len(s.cfg.Occupations))
	for _, o := range s.cfg.Occupations {
		m[o.Code] = true
	}
	return m
}
