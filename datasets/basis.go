package datasets

import (
	"fmt"
	"math/rand/v2"

	"passerelle/geo"
	"passerelle/matcher"
)

// Hiring is a number of hiring projects for one occupation in one BMO basin
// (the BMO survey's projets de recrutement, spread over ROME codes).
type Hiring struct {
	Basin    string  // BMO basin code
	ROME     string  // ROME 4.0 code
	Projects float64 // hiring projects (may be fractional after spreading)
}

// Basis is real reference data that OnBasis generates a market on. The
// package does not read files: ingest reads the official ones and
// cmd/passerelle fills a Basis from them.
type Basis struct {
	// Departments of the atlas; nil means the project's own table.
	Departments []geo.Department
	// Communes with their real points, populations, ABC zones, rents per
	// m², social-housing shares and basins.
	Communes []geo.Commune
	// Parents are communes divided into arrondissements (Paris, Lyon,
	// Marseille): they stay in the atlas but offers go to the
	// arrondissements.
	Parents map[string]bool
	// Shortage is the real shortage index (BMO and DARES).
	Shortage *matcher.ShortageTable
	// Hiring gives job volumes per basin and occupation; when empty, jobs
	// follow population and the project's occupation weights.
	Hiring []Hiring
	// Titles names ROME codes outside the project's occupation table.
	Titles map[string]string
	// Jobs are real job offers, added to the market as they are.
	Jobs []matcher.JobOffer
}

// OnBasis generates a market of housing homes and jobs job offers on real
// reference data b, the same way Synthetic does on its own communes: homes
// are placed by population (social ones by population × social share) and
// priced from the commune's rent per m²; jobs are drawn in proportion to
// the hiring projects of each (basin, occupation), in the basin's communes
// by population. b.Jobs are appended. The same seed and basis give the
// same market. It returns an error when b has no commune the generator can
// place offers in, or when the atlas cannot be built.
func OnBasis(seed uint64, housing, jobs int, b *Basis) (*matcher.Market, error) {
	if housing < 0 || housing > MaxOffers || jobs < 0 || jobs > MaxOffers {
		return nil, fmt.Errorf("datasets: market on basis: %d homes, %d jobs: %w", housing, jobs, ErrScale)
	}
	deps := b.Departments
	if deps == nil {
		deps = Departments()
	}
	atlas, err := geo.NewAtlas(deps, b.Communes)
	if err != nil {
		return nil, fmt.Errorf("datasets: market on basis: %w", err)
	}
	g := newGen(seed)
	for _, c := range b.Communes {
		di, ok := g.depIndex[c.Department]
		if !ok || c.Population <= 0 || b.Parents[c.Code] {
			continue
		}
		g.communes = append(g.communes, c)
		g.cdep = append(g.cdep, int32(di))
	}
	if len(g.communes) == 0 {
		return nil, fmt.Errorf("datasets: market on basis: no commune with a population in a known department")
	}
	g.buildWeights()
	jw := make([]float64, len(g.communes))
	for i, c := range g.communes {
		jw[i] = float64(c.Population)
	}
	g.jobCum = cumulative(jw)
	g.drawJob = hiringDraw(g, b)

	m := &matcher.Market{Atlas: atlas, Shortage: b.Shortage}
	if m.Shortage == nil {
		m.Shortage = matcher.NewShortageTable(0.5)
	}
	m.Housing = g.buildHousing(housing)
	m.Jobs = append(g.buildJobs(jobs), b.Jobs...)
	return m, nil
}

// hiringDraw returns the job drawer of OnBasis: a (basin, occupation) by
// hiring projects, then one of the basin's communes by population. It
// returns nil (the default drawer) when no hiring figure falls in a basin
// with communes.
func hiringDraw(g *gen, b *Basis) func(r *rand.Rand) (*occRow, int) {
	basinCommunes := make(map[string][]int)
	for i, c := range g.communes {
		if c.Basin != "" {
			basinCommunes[c.Basin] = append(basinCommunes[c.Basin], i)
		}
	}
	basinCum := make(map[string][]float64, len(basinCommunes))
	for bs, idx := range basinCommunes {
		w := make([]float64, len(idx))
		for k, i := range idx {
			w[k] = float64(g.communes[i].Population)
		}
		basinCum[bs] = cumulative(w)
	}
	known := make(map[string]*occRow, len(occTable))
	for i := range occTable {
		known[occTable[i].code] = &occTable[i]
	}
	var cells []Hiring
	var w []float64
	for _, h := range b.Hiring {
		if h.Projects <= 0 || len(basinCommunes[h.Basin]) == 0 || len(h.ROME) != 5 {
			continue
		}
		cells = append(cells, h)
		w = append(w, h.Projects)
	}
	if len(cells) == 0 {
		return nil
	}
	// Occupations outside the project's table get middle-of-the-road
	// requirements (tier 1 pay, French A2, beginners welcome one time in three).
	rows := make(map[string]*occRow)
	for _, h := range cells {
		if _, ok := rows[h.ROME]; ok {
			continue
		}
		if o, ok := known[h.ROME]; ok {
			rows[h.ROME] = o
			continue
		}
		title := b.Titles[h.ROME]
		if title == "" {
			title = h.ROME
		}
		rows[h.ROME] = &occRow{code: h.ROME, title: title, tier: 1, french: matcher.A2, beginners: 0.33}
	}
	cum := cumulative(w)
	return func(r *rand.Rand) (*occRow, int) {
		h := &cells[pick(r, cum)]
		idx := basinCommunes[h.Basin]
		return rows[h.ROME], idx[pick(r, basinCum[h.Basin])]
	}
}
