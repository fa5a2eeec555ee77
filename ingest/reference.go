package ingest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"

	"passerelle/geo"
	"passerelle/matcher"
)

// Reference holds every table of a reference folder laid out like
// ../shared/datasets, and what is derived from them for the score. Tables
// whose file is absent are nil and named in Missing.
type Reference struct {
	// Communes have their zone, rent, social share and basin filled, with
	// the fallbacks of ReadReference.
	Communes    []Commune
	Departments []geo.Department // with the prefecture's point and zone
	Regions     []Region
	// Atlas is built from Communes and Departments.
	Atlas           *geo.Atlas
	EPCIs           []EPCI
	EmploymentAreas []Area
	Basins          []Area
	Occupations     []Occupation // ROME 4.0 fiches
	JobTitles       []JobTitle
	FAP2009         []FAPCode
	FAP2021         []FAP2021
	ROMEFAP         []ROMEFAP // ROME v3 → FAP 2009
	BMOOccupations  []BMOOccupation
	BMO             []BMOCell
	Tensions        []Tension // DARES 2019, national, regional and departmental
	TensionHistory  []Tension // DARES national series 2011–2019
	Zones           []ZoneRow
	SocialHousing   []SocialHousing
	Rents           []Rent // Carte des loyers 2018, apartments
	RecentRents     []Rent // recent large-commune rents, apartments and houses
	DepartmentLines []Outline
	RegionLines     []Outline
	// Shortage is the labour-shortage index derived from BMO and DARES
	// (see ReadReference).
	Shortage *matcher.ShortageTable
	// Hiring spreads the BMO hiring projects of each (basin, FAP 2021
	// occupation) evenly over the ROME codes bridged to it, sorted by
	// basin then ROME code: the job volumes of a market built on this
	// reference.
	Hiring []Hiring
	// Missing lists the optional files that were absent.
	Missing []string

	depTension map[[2]string]Tension // (department, FAP 225) → tension
}

// Hiring is a number of hiring projects for one ROME occupation in one BMO
// basin (fractional: a BMO figure is spread over several ROME codes).
type Hiring struct {
	Basin    string
	ROME     string
	Projects float64
}

// DepartmentTension returns the DARES 2019 tension of FAP 2009 family fap
// (225 level, e.g. "A0Z40") in department dep, and whether it is known.
func (ref *Reference) DepartmentTension(dep, fap string) (Tension, bool) {
	t, ok := ref.depTension[[2]string{dep, fap}]
	return t, ok
}

// OffersOptions returns the options to read France Travail offers against
// ref: its atlas (points and department prefectures) and its ROME 4.0
// codes, with opts for the rest.
func (ref *Reference) OffersOptions(opts Options) OffersOptions {
	rome := make(map[string]bool, len(ref.Occupations))
	for _, o := range ref.Occupations {
		rome[o.Code] = true
	}
	if len(rome) == 0 {
		rome = nil
	}
	return OffersOptions{Options: opts, Atlas: ref.Atlas, ROME: rome}
}

// File paths of a reference folder, relative to its root.
const (
	FileCommunes        = "communes/communes_fr.csv"
	FileDepartments     = "communes/departements.csv"
	FileRegions         = "communes/regions.csv"
	FileEPCI            = "communes/epci.csv"
	FileEmploymentAreas = "communes/ze2020_liste.csv"
	FileAreaMembers     = "communes/ze2020_composition_communale.csv"
	FileOccupations     = "rome/rome_fiches_v460.csv"
	FileJobTitles       = "rome/rome_appellations_v460.csv"
	FileBasins          = "labour_shortage/bmo_2024_bassins.csv"
	FileBasinMembers    = "labour_shortage/bmo_bassins_composition_communale.csv"
	FileBMO             = "labour_shortage/bmo_2024_bassins_metiers.csv"
	FileBMOOccupations  = "labour_shortage/bmo_2024_metiers.csv"
	FileTensions        = "labour_shortage/dares_tensions_2019.csv"
	FileTensionHistory  = "labour_shortage/dares_tensions_evolution_nat_2011_2019.csv"
	FileFAP2009         = "labour_shortage/fap2009_nomenclature.csv"
	FileROMEFAP         = "labour_shortage/fap2009_rome_v3_correspondance.csv"
	FileFAP2021         = "labour_shortage/fap2021_nomenclature.csv"
	FileZones           = "housing/zonage_abc_2024.csv"
	FileSocialHousing   = "housing/rpls_logements_sociaux_2024_communes.csv"
	FileRents           = "housing/loyers_appartements_carte_2018.csv"
	FileRecentRents     = "housing/loyers_grandes_communes_recent.csv"
	FileDepartmentLines = "boundaries/departements-version-simplifiee.geojson"
	FileRegionLines     = "boundaries/regions-version-simplifiee.geojson"
	FileOffers          = "job_offers/francetravail_offres_v2_search_sample.json"
)

// ReadReference reads a reference folder laid out like ../shared/datasets
// with the strict Options (any rejected row fails the import). See
// ReadReferenceWith.
func ReadReference(fsys fs.FS) (*Reference, *Report, error) {
	return ReadReferenceWith(fsys, Options{})
}

// ReadReferenceWith reads a reference folder laid out like
// ../shared/datasets (the File… paths): communes/communes_fr.csv and
// communes/departements.csv are required, every other file is optional
// (named in Reference.Missing when absent). opts.MaxErrors applies to each
// file; opts.Name is ignored. It returns the tables, a Report summing the
// files (one Report per file in Files) and an error wrapping
// ErrMissingFile, ErrMalformed, ErrMissingColumn or ErrTooManyErrors, in
// which case the Reference is nil.
//
// Derived values and the fallbacks for a commune missing from a source,
// each counted in Report.Fallbacks:
//   - zone: the ABC file; an arrondissement takes its commune's zone
//     ("zone_from_parent"); else the most common zone of its employment
//     area ("zone_from_employment_area"); else C ("zone_national").
//   - rent_m2 (apartments, charges included): the recent large-commune
//     file where it has the commune; else the 2018 map scaled by the
//     median ratio recent/2018 over the communes in both ("rent_2018_scaled"
//     counts them; the ratio is about 1.1); an arrondissement missing from
//     both takes its commune's rent, a commune with arrondissements their
//     mean ("rent_from_arrondissements"); else the mean of its employment
//     area ("rent_from_employment_area"), of its department
//     ("rent_from_department"), or of the country ("rent_national").
//   - social_share: RPLS social dwellings per 100 main residences; RPLS
//     lists only communes that have social housing, so an absent commune
//     gets 0 ("social_housing_none"); an arrondissement absent takes its
//     commune's.
//   - basin: the BMO composition; an arrondissement missing takes its
//     commune's ("basin_from_parent"); else the most common basin of its
//     employment area ("basin_from_employment_area"); else none
//     ("basin_missing": the shortage lookup then falls back to the
//     department).
//   - employment_area: communes_fr.csv, else the ZE composition file
//     ("employment_area_from_composition"); else none
//     ("employment_area_missing").
//   - departments: the prefecture's point and zone from its commune; the
//     IGN centre when the prefecture is unknown ("department_centre").
//
// The shortage index (Reference.Shortage, in [0, 1]) bridges ROME 4.0 to
// the FAP families the surveys use. A ROME code maps to FAP 2009 (225
// families) through the DARES ROME v3 table, using its parent fiche when
// the code itself is new in ROME 4.0 ("rome_fap_via_parent"); FAP 2009 maps
// to the FAP 2021 codes of BMO with the same letter, digit and two final
// digits (A0Z40 → A0X40), else to every FAP 2021 code of the same letter
// and digit ("fap_bridge_by_family"). This is an approximation: no official
// ROME 4.0 → FAP 2021 table was found. Then:
//   - (basin, ROME): the BMO share of hiring projects judged difficult,
//     summed over the bridged FAP 2021 codes and the non-secret cells,
//     blended 3:1 with the DARES department category when known;
//   - (department, ROME): the DARES 2019 tension category of the
//     department, mapped 1…5 → 0…1 (the best category over the bridged
//     families);
//   - (national, ROME): the DARES national category, the same way.
func ReadReferenceWith(fsys fs.FS, opts Options) (*Reference, *Report, error) {
	rep := &Report{File: "."}
	ref := &Reference{}
	opts.Name = ""
	// read opens path and runs fn on it; optional files may be absent.
	read := func(path string, required bool, fn func(r io.Reader, o Options) (*Report, error)) error {
		f, err := fsys.Open(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && !required {
				ref.Missing = append(ref.Missing, path)
				return nil
			}
			return fmt.Errorf("ingest: reading reference %s: %w (%w)", path, ErrMissingFile, err)
		}
		defer f.Close()
		o := opts
		o.Name = path
		r, err := fn(f, o)
		if r != nil {
			rep.merge(r)
		}
		if err != nil {
			return fmt.Errorf("ingest: reading reference: %w", err)
		}
		return nil
	}
	var depRows []Department
	var zeMembers, basinMembers map[string]string
	steps := []struct {
		path     string
		required bool
		fn       func(r io.Reader, o Options) (*Report, error)
	}{
		{FileCommunes, true, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.Communes, rp, err = ReadCommunes(r, o)
			return
		}},
		{FileDepartments, true, func(r io.Reader, o Options) (rp *Report, err error) { depRows, rp, err = ReadDepartments(r, o); return }},
		{FileRegions, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.Regions, rp, err = ReadRegions(r, o); return }},
		{FileEPCI, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.EPCIs, rp, err = ReadEPCI(r, o); return }},
		{FileEmploymentAreas, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.EmploymentAreas, rp, err = ReadEmploymentAreas(r, o)
			return
		}},
		{FileAreaMembers, false, func(r io.Reader, o Options) (rp *Report, err error) {
			zeMembers, rp, err = ReadAreaMembers(r, o)
			return
		}},
		{FileOccupations, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.Occupations, rp, err = ReadOccupations(r, o)
			return
		}},
		{FileJobTitles, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.JobTitles, rp, err = ReadJobTitles(r, o)
			return
		}},
		{FileBasins, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.Basins, rp, err = ReadBasins(r, o); return }},
		{FileBasinMembers, false, func(r io.Reader, o Options) (rp *Report, err error) {
			basinMembers, rp, err = ReadAreaMembers(r, o)
			return
		}},
		{FileBMO, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.BMO, rp, err = ReadBMO(r, o); return }},
		{FileBMOOccupations, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.BMOOccupations, rp, err = ReadBMOOccupations(r, o)
			return
		}},
		{FileTensions, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.Tensions, rp, err = ReadTensions(r, o)
			return
		}},
		{FileTensionHistory, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.TensionHistory, rp, err = ReadTensionHistory(r, o)
			return
		}},
		{FileFAP2009, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.FAP2009, rp, err = ReadFAP2009(r, o); return }},
		{FileROMEFAP, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.ROMEFAP, rp, err = ReadROMEFAP(r, o); return }},
		{FileFAP2021, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.FAP2021, rp, err = ReadFAP2021(r, o); return }},
		{FileZones, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.Zones, rp, err = ReadZones(r, o); return }},
		{FileSocialHousing, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.SocialHousing, rp, err = ReadSocialHousing(r, o)
			return
		}},
		{FileRents, false, func(r io.Reader, o Options) (rp *Report, err error) { ref.Rents, rp, err = ReadRents(r, o); return }},
		{FileRecentRents, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.RecentRents, rp, err = ReadRents(r, o)
			return
		}},
		{FileDepartmentLines, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.DepartmentLines, rp, err = ReadOutlines(r, o)
			return
		}},
		{FileRegionLines, false, func(r io.Reader, o Options) (rp *Report, err error) {
			ref.RegionLines, rp, err = ReadOutlines(r, o)
			return
		}},
	}
	for _, s := range steps {
		if err := read(s.path, s.required, s.fn); err != nil {
			return nil, rep, err
		}
	}
	ref.fillCommunes(rep, zeMembers, basinMembers)
	if err := ref.buildAtlas(rep, depRows); err != nil {
		return nil, rep, err
	}
	ref.buildShortage(rep)
	return ref, rep, nil
}

// fillCommunes sets the zone, rent, social share, basin and employment
// area of every commune, with the documented fallbacks.
func (ref *Reference) fillCommunes(rep *Report, zeMembers, basinMembers map[string]string) {
	cs := ref.Communes
	idx := make(map[string]int, len(cs))
	children := make(map[string][]int)
	for i := range cs {
		idx[cs[i].Code] = i
		if cs[i].Parent != "" {
			children[cs[i].Parent] = append(children[cs[i].Parent], i)
		}
	}
	parentOf := func(i int) (int, bool) {
		if cs[i].Parent == "" {
			return 0, false
		}
		p, ok := idx[cs[i].Parent]
		return p, ok
	}

	// Employment areas.
	for i := range cs {
		c := &cs[i]
		if c.EmploymentArea != "" {
			continue
		}
		if a, ok := zeMembers[c.Code]; ok {
			c.EmploymentArea = a
			rep.fallback("employment_area_from_composition")
		} else {
			rep.fallback("employment_area_missing")
		}
	}

	// ABC zones.
	zone := make(map[string]geo.Zone, len(ref.Zones))
	for _, z := range ref.Zones {
		zone[z.Commune] = z.Zone
	}
	for i := range cs {
		if z, ok := zone[cs[i].Code]; ok {
			cs[i].Zone = z
		}
	}
	for i := range cs {
		if cs[i].Zone == "" {
			if p, ok := parentOf(i); ok && cs[p].Zone != "" {
				cs[i].Zone = cs[p].Zone
				rep.fallback("zone_from_parent")
			}
		}
	}
	if ref.Zones != nil {
		byArea := modeBy(cs, func(c *Commune) (string, string) { return c.EmploymentArea, string(c.Zone) })
		for i := range cs {
			c := &cs[i]
			if c.Zone != "" {
				continue
			}
			if z, ok := byArea[c.EmploymentArea]; ok && c.EmploymentArea != "" {
				c.Zone = geo.Zone(z)
				rep.fallback("zone_from_employment_area")
			} else {
				c.Zone = geo.ZoneC
				rep.fallback("zone_national")
			}
		}
	}

	// Rents: recent where known, else 2018 scaled by the median ratio.
	rent := make(map[string]float64, len(ref.Rents))
	for _, r := range ref.Rents {
		if r.Kind == "apartment" {
			rent[r.Commune] = r.RentM2
		}
	}
	recent := make(map[string]float64, len(ref.RecentRents))
	var ratios []float64
	for _, r := range ref.RecentRents {
		if r.Kind == "apartment" {
			recent[r.Commune] = r.RentM2
			if old, ok := rent[r.Commune]; ok && old > 0 {
				ratios = append(ratios, r.RentM2/old)
			}
		}
	}
	scale := 1.0
	if len(ratios) > 0 {
		sort.Float64s(ratios)
		scale = ratios[len(ratios)/2]
	}
	for i := range cs {
		c := &cs[i]
		if v, ok := recent[c.Code]; ok {
			c.RentM2 = v
		} else if v, ok := rent[c.Code]; ok {
			c.RentM2 = v * scale
			if len(ratios) > 0 {
				rep.fallback("rent_2018_scaled")
			}
		}
	}
	if ref.Rents != nil || ref.RecentRents != nil {
		for i := range cs {
			c := &cs[i]
			if c.RentM2 > 0 {
				continue
			}
			if p, ok := parentOf(i); ok && cs[p].RentM2 > 0 {
				c.RentM2 = cs[p].RentM2
				rep.fallback("rent_from_arrondissements")
				continue
			}
			if kids := children[c.Code]; len(kids) > 0 {
				sum, n := 0.0, 0
				for _, k := range kids {
					if cs[k].RentM2 > 0 {
						sum += cs[k].RentM2
						n++
					}
				}
				if n > 0 {
					c.RentM2 = sum / float64(n)
					rep.fallback("rent_from_arrondissements")
				}
			}
		}
		byArea := meanBy(cs, func(c *Commune) (string, float64) { return c.EmploymentArea, c.RentM2 })
		byDep := meanBy(cs, func(c *Commune) (string, float64) { return c.Department, c.RentM2 })
		national := meanBy(cs, func(c *Commune) (string, float64) { return "", c.RentM2 })[""]
		for i := range cs {
			c := &cs[i]
			if c.RentM2 > 0 {
				continue
			}
			if v, ok := byArea[c.EmploymentArea]; ok && c.EmploymentArea != "" {
				c.RentM2 = v
				rep.fallback("rent_from_employment_area")
			} else if v, ok := byDep[c.Department]; ok {
				c.RentM2 = v
				rep.fallback("rent_from_department")
			} else {
				c.RentM2 = national
				rep.fallback("rent_national")
			}
		}
	}

	// Social housing.
	if ref.SocialHousing != nil {
		rows := make(map[string]*SocialHousing, len(ref.SocialHousing))
		for i := range ref.SocialHousing {
			rows[ref.SocialHousing[i].Commune] = &ref.SocialHousing[i]
		}
		set := func(c *Commune, s *SocialHousing) {
			c.SocialShare, c.SocialHomes, c.SocialVacancy, c.SocialTurnover = s.PerHundredRP, s.Dwellings, s.VacancyPct, s.TurnoverPct
		}
		for i := range cs {
			c := &cs[i]
			if s, ok := rows[c.Code]; ok {
				set(c, s)
			} else if p, ok := parentOf(i); ok {
				if s, ok := rows[cs[p].Code]; ok {
					set(c, s)
					c.SocialHomes = 0 // the stock is the parent commune's
				}
			} else {
				rep.fallback("social_housing_none")
			}
		}
	}

	// BMO basins.
	if basinMembers != nil {
		for i := range cs {
			if b, ok := basinMembers[cs[i].Code]; ok {
				cs[i].Basin = b
			}
		}
		byArea := modeBy(cs, func(c *Commune) (string, string) { return c.EmploymentArea, c.Basin })
		for i := range cs {
			c := &cs[i]
			if c.Basin != "" {
				continue
			}
			if p, ok := parentOf(i); ok && cs[p].Basin != "" {
				c.Basin = cs[p].Basin
				rep.fallback("basin_from_parent")
			} else if b, ok := byArea[c.EmploymentArea]; ok && c.EmploymentArea != "" {
				c.Basin = b
				rep.fallback("basin_from_employment_area")
			} else {
				rep.fallback("basin_missing")
			}
		}
	}
}

// modeBy returns, for each group key, its most common non-empty value
// (ties broken by the smaller value).
func modeBy(cs []Commune, kv func(*Commune) (string, string)) map[string]string {
	counts := make(map[string]map[string]int)
	for i := range cs {
		k, v := kv(&cs[i])
		if k == "" || v == "" {
			continue
		}
		if counts[k] == nil {
			counts[k] = make(map[string]int)
		}
		counts[k][v]++
	}
	out := make(map[string]string, len(counts))
	for k, m := range counts {
		best, bn := "", 0
		for _, v := range slices.Sorted(maps.Keys(m)) {
			if m[v] > bn {
				best, bn = v, m[v]
			}
		}
		out[k] = best
	}
	return out
}

// meanBy returns, for each group key, the mean of its positive values.
func meanBy(cs []Commune, kv func(*Commune) (string, float64)) map[string]float64 {
	sum := make(map[string]float64)
	n := make(map[string]int)
	for i := range cs {
		k, v := kv(&cs[i])
		if v > 0 {
			sum[k] += v
			n[k]++
		}
	}
	out := make(map[string]float64, len(sum))
	for k, s := range sum {
		out[k] = s / float64(n[k])
	}
	return out
}

// buildAtlas makes the geo departments and the Atlas.
func (ref *Reference) buildAtlas(rep *Report, rows []Department) error {
	regName := make(map[string]string, len(ref.Regions))
	for _, g := range ref.Regions {
		regName[g.Code] = g.Name
	}
	byCode := make(map[string]*Commune, len(ref.Communes))
	for i := range ref.Communes {
		byCode[ref.Communes[i].Code] = &ref.Communes[i]
	}
	for _, d := range rows {
		gd := geo.Department{Code: d.Code, Name: d.Name, Region: d.Region, RegionName: regName[d.Region],
			PrefectureCode: d.ChefLieu, Overseas: d.Overseas, Zone: geo.ZoneC}
		if c, ok := byCode[d.ChefLieu]; ok {
			gd.Prefecture, gd.Point = c.Name, c.Point
			if c.Zone != "" {
				gd.Zone = c.Zone
			}
		} else if d.Centre != nil {
			gd.Point[0], gd.Point[1] = d.Centre[0], d.Centre[1]
			rep.fallback("department_centre")
		}
		ref.Departments = append(ref.Departments, gd)
	}
	gcs := make([]geo.Commune, len(ref.Communes))
	for i := range ref.Communes {
		gcs[i] = ref.Communes[i].Commune
	}
	a, err := geo.NewAtlas(ref.Departments, gcs)
	if err != nil {
		return fmt.Errorf("ingest: building the atlas of the reference: %w", err)
	}
	ref.Atlas = a
	return nil
}

// fapKey is the part of a FAP code shared by FAP 2009 and FAP 2021
// families: letter, digit and the two final digits (A0Z40 and A0X40 give
// "A040").
func fapKey(code string) string {
	if len(code) < 5 {
		return ""
	}
	return code[:2] + code[3:5]
}

// buildShortage derives the shortage index (see ReadReferenceWith).
func (ref *Reference) buildShortage(rep *Report) {
	ref.depTension = make(map[[2]string]Tension)
	natCat := make(map[string]int)
	for _, t := range ref.Tensions {
		if t.FAPLevel != "fap225" {
			continue
		}
		switch t.Geo {
		case "dep":
			ref.depTension[[2]string{t.Department, t.FAP}] = t
		case "nat":
			natCat[t.FAP] = t.Category
		}
	}
	t := matcher.NewShortageTable(0.5)
	ref.Shortage = t
	if len(ref.Occupations) == 0 || len(ref.ROMEFAP) == 0 {
		return
	}
	// ROME → FAP 2009 (225).
	romeFAP := make(map[string][]string)
	for _, x := range ref.ROMEFAP {
		if !slices.Contains(romeFAP[x.ROMEv3], x.FAP225) {
			romeFAP[x.ROMEv3] = append(romeFAP[x.ROMEv3], x.FAP225)
		}
	}
	// FAP 2009 → FAP 2021 (228, the BMO codes).
	byKey := make(map[string][]string)
	byFamily := make(map[string][]string)
	seen := make(map[string]bool)
	for _, f := range ref.FAP2021 {
		if seen[f.Code228] {
			continue
		}
		seen[f.Code228] = true
		byKey[fapKey(f.Code228)] = append(byKey[fapKey(f.Code228)], f.Code228)
		byFamily[f.Code228[:2]] = append(byFamily[f.Code228[:2]], f.Code228)
	}
	// BMO per (basin, FAP 2021): projects and difficult ones.
	type sums struct{ met, xmet int }
	bmo := make(map[[2]string]sums)
	projects := make(map[[2]string]int) // hiring projects, difficult figure secret or not
	basins := make(map[string]string)   // basin → a department (for DARES)
	for _, c := range ref.BMO {
		if !c.Projects.Secret {
			projects[[2]string{c.Basin, c.Occupation}] += c.Projects.N
		}
		if c.Projects.Secret || c.Difficult.Secret {
			continue
		}
		k := [2]string{c.Basin, c.Occupation}
		s := bmo[k]
		s.met += c.Projects.N
		s.xmet += c.Difficult.N
		bmo[k] = s
		if _, ok := basins[c.Basin]; !ok {
			basins[c.Basin] = c.Department
		}
	}
	basinList := slices.Sorted(maps.Keys(basins))
	deps := make(map[string]bool)
	for _, d := range ref.Departments {
		deps[d.Code] = true
	}
	depList := slices.Sorted(maps.Keys(deps))
	cat01 := func(c int) float64 { return float64(c-1) / 4 }
	romesOf := make(map[string][]string) // FAP 2021 → ROME codes bridged to it
	defer func() { ref.Hiring = spreadHiring(projects, romesOf) }()
	for _, o := range ref.Occupations {
		faps := romeFAP[o.Code]
		if len(faps) == 0 && o.Parent != "" {
			if faps = romeFAP[o.Parent]; len(faps) > 0 {
				rep.fallback("rome_fap_via_parent")
			}
		}
		if len(faps) == 0 {
			continue
		}
		var fap21 []string
		for _, f := range faps {
			if cs := byKey[fapKey(f)]; len(cs) > 0 {
				fap21 = append(fap21, cs...)
			} else if cs := byFamily[f[:2]]; len(cs) > 0 {
				fap21 = append(fap21, cs...)
				rep.fallback("fap_bridge_by_family")
			}
		}
		for _, f := range fap21 {
			if !slices.Contains(romesOf[f], o.Code) {
				romesOf[f] = append(romesOf[f], o.Code)
			}
		}
		best := 0
		for _, f := range faps {
			best = max(best, natCat[f])
		}
		if best > 0 {
			t.Set("", o.Code, cat01(best))
		}
		depVal := func(dep string) (float64, bool) {
			b := 0
			for _, f := range faps {
				if x, ok := ref.depTension[[2]string{dep, f}]; ok {
					b = max(b, x.Category)
				}
			}
			return cat01(b), b > 0
		}
		for _, dep := range depList {
			if v, ok := depVal(dep); ok {
				t.Set(dep, o.Code, v)
			}
		}
		for _, b := range basinList {
			met, xmet := 0, 0
			for _, f := range fap21 {
				s := bmo[[2]string{b, f}]
				met += s.met
				xmet += s.xmet
			}
			if met == 0 {
				continue
			}
			v := float64(xmet) / float64(met)
			if d, ok := depVal(basins[b]); ok {
				v = 0.75*v + 0.25*d
			}
			t.Set("b:"+b, o.Code, v)
		}
	}
}

// spreadHiring spreads the projects of each (basin, FAP 2021) cell evenly
// over the ROME codes bridged to the FAP code.
func spreadHiring(met map[[2]string]int, romesOf map[string][]string) []Hiring {
	sum := make(map[[2]string]float64)
	for k, n := range met {
		rs := romesOf[k[1]]
		if n <= 0 || len(rs) == 0 {
			continue
		}
		for _, r := range rs {
			sum[[2]string{k[0], r}] += float64(n) / float64(len(rs))
		}
	}
	out := make([]Hiring, 0, len(sum))
	for k, v := range sum {
		out = append(out, Hiring{Basin: k[0], ROME: k[1], Projects: v})
	}
	slices.SortFunc(out, func(a, b Hiring) int {
		if a.Basin != b.Basin {
			return strings.Compare(a.Basin, b.Basin)
		}
		return strings.Compare(a.ROME, b.ROME)
	})
	return out
}
