package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"passerelle/api"
	"passerelle/datasets"
	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
	"passerelle/store"
)

// importCmd is `passerelle import reference|jobs|housing`.
func importCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import official reference data, France Travail job offers or a landlords' vacancy file",
		Long: "import reference DIR   reads a folder laid out like ../shared/datasets (INSEE communes, ROME, BMO,\n" +
			"                       DARES, ABC zoning, RPLS, rents…) and stores what plans need in the database;\n" +
			"                       `--market real` then plans on it.\n" +
			"import jobs FILE.json  France Travail \"Offres d'emploi v2\" JSON (a search response or one offer)\n" +
			"import housing FILE.csv  the landlords' vacancy CSV (docs/formats.md)\n" +
			"Offers are upserted by external_ref in one transaction: a file refused as a whole changes nothing.",
	}
	cmd.AddCommand(importReferenceCmd(e), importOffersCmd(e, api.ImportJobs), importOffersCmd(e, api.ImportHousing))
	return cmd
}

func importReferenceCmd(e *env) *cobra.Command {
	var dbFlag, format string
	var maxErrors int
	cmd := &cobra.Command{
		Use:   "reference DIR [--db FILE|URL] [--max-errors N] [--format text|json]",
		Short: "Read a reference folder (official open data) and store what plans need",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr(fmt.Errorf("--format must be text or json, not %q", format))
			}
			dir := args[0]
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return usageErr(fmt.Errorf("%s is not a folder", dir))
			}
			ctx := cmd.Context()
			start := time.Now()
			e.progressLine("lecture du référentiel %s…", dir)
			ref, rep, err := ingest.ReadReferenceWith(os.DirFS(dir), ingest.Options{MaxErrors: maxErrors})
			if rep != nil {
				rep.File = dir
			}
			if err != nil {
				e.writeReport(format, "référentiel", rep, nil)
				return &exitError{code: 1, err: fmt.Errorf("reading %s: %w (nothing was imported)", dir, err)}
			}
			var jobs []matcher.JobOffer
			if f, err := os.Open(dir + "/" + ingest.FileOffers); err == nil {
				e.progressLine("lecture des offres France Travail du référentiel…")
				var orep *ingest.Report
				jobs, orep, err = ingest.ReadOffers(f, ref.OffersOptions(ingest.Options{MaxErrors: maxErrors, Name: ingest.FileOffers}))
				f.Close()
				if err != nil {
					e.writeReport(format, "offres du référentiel", orep, nil)
					return &exitError{code: 1, err: fmt.Errorf("reading %s: %w (nothing was imported)", ingest.FileOffers, err)}
				}
				for i := range jobs {
					jobs[i].ID = "ft-" + jobs[i].ExternalRef
					jobs[i].ApplyDefaults()
				}
				rep.Files = append(rep.Files, orep)
			}
			snap := snapshotOf(ref, jobs)
			body, err := snap.encode()
			if err != nil {
				return err
			}
			summary, _ := json.Marshal(rep)
			db, err := e.openDB(ctx, dbFlag)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.SaveReference(ctx, cliActor("admin", store.RoleAdmin), store.Reference{Name: referenceName, Source: dir, Summary: string(summary), Body: body}); err != nil {
				return err
			}
			if format == "json" {
				return json.NewEncoder(e.stdout).Encode(rep)
			}
			e.writeReport(format, "référentiel", rep, nil)
			fmt.Fprintf(e.stdout, "Référentiel importé en %.1f s : %d communes, %d métiers ROME, %d valeurs de tension, %d cellules BMO de recrutement, %d offres France Travail (%d Ko stockés).\n",
				time.Since(start).Seconds(), len(snap.Communes), len(snap.Occupations), len(snap.Shortage), len(snap.Hiring), len(snap.Jobs), len(body)/1024)
			if len(ref.Missing) > 0 {
				fmt.Fprintf(e.stdout, "Fichiers facultatifs absents : %s\n", strings.Join(ref.Missing, ", "))
			}
			fmt.Fprintln(e.stdout, "Suite : passerelle plan --market real --household FICHIER.json")
			return nil
		},
	}
	cmd.Flags().StringVar(&dbFlag, "db", "", "SQLite file or postgres:// URL (default: DATABASE_URL, PASSERELLE_DB, ./passerelle.db)")
	cmd.Flags().IntVar(&maxErrors, "max-errors", 0, "rejected rows tolerated per file before the import is refused (negative: no limit)")
	cmd.Flags().StringVar(&format, "format", "text", "report: text (French) or json")
	return cmd
}

func importOffersCmd(e *env, kind string) *cobra.Command {
	var dbFlag, org, format string
	var maxErrors int
	use, short, role := "jobs FILE.json", "Import France Travail job offers (JSON), upserted by their id", store.RoleEmployer
	if kind == api.ImportHousing {
		use, short, role = "housing FILE.csv", "Import a landlords' vacancy CSV (docs/formats.md), upserted by external_ref", store.RoleLandlord
	}
	cmd := &cobra.Command{
		Use:   use + " --org ORG [--db FILE|URL] [--max-errors N] [--format text|json]",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr(fmt.Errorf("--format must be text or json, not %q", format))
			}
			if strings.TrimSpace(org) == "" {
				return usageErr(errors.New("--org is required: the organisation that owns the offers"))
			}
			ctx := cmd.Context()
			f, err := os.Open(args[0])
			if err != nil {
				return usageErr(err)
			}
			defer f.Close()
			db, err := e.openDB(ctx, dbFlag)
			if err != nil {
				return err
			}
			defer db.Close()
			atlas, rome, err := importPlaces(ctx, db)
			if err != nil {
				return err
			}
			pr := e.newProgress(f)
			rep, err := api.ImportOffers(ctx, db, cliActor(org, role), kind, pr, api.ImportOptions{
				Name: args[0], MaxErrors: maxErrors, Atlas: atlas, ROME: rome, Progress: pr.offers})
			pr.done()
			what := "offres d'emploi"
			if kind == api.ImportHousing {
				what = "logements"
			}
			if format == "json" {
				if rep != nil {
					_ = json.NewEncoder(e.stdout).Encode(rep)
				}
			} else if rep != nil {
				e.writeReport(format, what, rep.Report, rep.Stored)
			}
			if err != nil {
				if errors.Is(err, ingest.ErrMalformed) || errors.Is(err, ingest.ErrMissingColumn) || errors.Is(err, ingest.ErrTooManyErrors) {
					return &exitError{code: 1, err: fmt.Errorf("%s: %w (nothing was imported)", args[0], err)}
				}
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dbFlag, "db", "", "SQLite file or postgres:// URL (default: DATABASE_URL, PASSERELLE_DB, ./passerelle.db)")
	cmd.Flags().StringVar(&org, "org", "", "organisation that owns the imported offers (required)")
	cmd.Flags().IntVar(&maxErrors, "max-errors", 0, "rejected rows tolerated (left out and reported) before the whole file is refused; negative: no limit")
	cmd.Flags().StringVar(&format, "format", "text", "report: text (French) or json")
	return cmd
}

// importPlaces returns the atlas and ROME codes offers are checked
// against: the imported reference's, else the built-in demo market's (whose
// communes are the prefectures and the project's towns).
func importPlaces(ctx context.Context, db *store.DB) (*geo.Atlas, map[string]bool, error) {
	snap, err := loadSnapshot(ctx, db)
	if err == nil {
		a, err := snap.atlas()
		if err != nil {
			return nil, nil, err
		}
		rome := make(map[string]bool, len(snap.Occupations))
		for _, o := range snap.Occupations {
			rome[o.Code] = true
		}
		return a, rome, nil
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		return nil, nil, err
	}
	m, err := datasets.Synthetic(marketSeed, datasets.Demo)
	if err != nil {
		return nil, nil, err
	}
	return m.Atlas, nil, nil
}

// cliActor is the actor of the command line's writes: audit rows name the
// key "cli".
func cliActor(org string, role store.Role) store.Actor {
	return store.Actor{KeyID: "cli", Org: org, Role: role}
}

// writeReport prints an import report in French.
func (e *env) writeReport(format, what string, rep *ingest.Report, stored *store.Upserted) {
	if rep == nil || format == "json" {
		return
	}
	w := e.stdout
	fmt.Fprintf(w, "Import %s : %s\n", what, rep.File)
	fmt.Fprintf(w, "  lignes lues : %d ; acceptées : %d ; rejetées : %d ; hors champ : %d\n", rep.Rows, rep.Accepted, rep.RejectedRows(), sum(rep.Skipped))
	printCounts(w, "  rejets par motif", rep.Rejected)
	printCounts(w, "  hors champ", rep.Skipped)
	printCounts(w, "  replis documentés", rep.Fallbacks)
	for _, f := range rep.Files {
		if f.RejectedRows() > 0 || len(f.Errors) > 0 {
			fmt.Fprintf(w, "  %s : %d lignes, %d rejetées\n", f.File, f.Rows, f.RejectedRows())
		}
	}
	if stored != nil {
		fmt.Fprintf(w, "  base : %d créées, %d mises à jour, %d inchangées\n", stored.Created, stored.Updated, stored.Unchanged)
	}
	errs := rep.Errors
	for _, f := range rep.Files {
		errs = append(errs, f.Errors...)
	}
	if len(errs) > 20 {
		errs = errs[:20]
	}
	if len(errs) > 0 {
		fmt.Fprintln(w, "  premières erreurs :")
		for _, x := range errs {
			col := ""
			if x.Column != "" {
				col = ", colonne " + x.Column
			}
			fmt.Fprintf(w, "    %s ligne %d%s [%s] : %s / %s\n", x.File, x.Line, col, x.Code, x.MessageFR, x.MessageEN)
		}
	}
}

func printCounts(w io.Writer, label string, m map[string]int) {
	if len(m) == 0 {
		return
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	fmt.Fprintf(w, "%s : %s\n", label, strings.Join(parts, ", "))
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// progress reports how far a file has been read on stderr: a bar redrawn
// in place on a terminal, a plain line every 10 % otherwise.
type progress struct {
	e        *env
	r        io.Reader
	size     int64
	read     atomic.Int64
	n        atomic.Int64 // offers
	tty      bool
	lastPc   int64
	lastDraw time.Time
}

func (e *env) newProgress(f *os.File) *progress {
	p := &progress{e: e, r: f, lastPc: -1}
	if st, err := f.Stat(); err == nil {
		p.size = st.Size()
	}
	if sf, ok := e.stderr.(*os.File); ok {
		if st, err := sf.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read.Add(int64(n))
	p.draw(false)
	return n, err
}

func (p *progress) offers(n int) { p.n.Store(int64(n)) }

func (p *progress) draw(final bool) {
	if p.size <= 0 {
		return
	}
	pc := p.read.Load() * 100 / p.size
	if p.tty {
		if !final && time.Since(p.lastDraw) < 100*time.Millisecond {
			return
		}
		p.lastDraw = time.Now()
		bar := strings.Repeat("#", int(pc/5)) + strings.Repeat(" ", 20-int(pc/5))
		fmt.Fprintf(p.e.stderr, "\r[%s] %3d %% %d offres", bar, pc, p.n.Load())
		if final {
			fmt.Fprintln(p.e.stderr)
		}
		return
	}
	if step := pc / 10 * 10; step > p.lastPc {
		p.lastPc = step
		fmt.Fprintf(p.e.stderr, "import : %d %% lu (%d offres)\n", step, p.n.Load())
	}
}

func (p *progress) done() { p.draw(true) }

// progressLine prints one line of progress on stderr.
func (e *env) progressLine(format string, args ...any) {
	fmt.Fprintf(e.stderr, format+"\n", args...)
}
