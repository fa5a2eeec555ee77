package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/paulmach/orb"

	"passerelle/geo"
	"passerelle/matcher"
)

// RefDate is the day the synthetic market is generated "on": offers become
// available from it and households move from around it. It is fixed (never
// the clock) so that a seed always gives the same market.
var RefDate = matcher.NewDate(2026, 12, 1)

// ErrScale is returned (wrapped) for a scale name ParseScale does not know or
// a Scale Synthetic cannot build.
var ErrScale = errors.New("datasets: invalid scale")

// Scale sizes a synthetic market: the number of communes, housing offers
// and job offers.
type Scale struct {
	Name     string `json:"name"`
	Communes int    `json:"communes"`
	Housing  int    `json:"housing"`
	Jobs     int    `json:"jobs"`
}

// The predefined scales.
var (
	// Demo is a small market for `passerelle demo`, tests and examples:
	// 2,000 communes, 5,000 housing offers, 10,000 jobs.
	Demo = Scale{Name: "demo", Communes: 2_000, Housing: 5_000, Jobs: 10_000}
	// National is a market of the size of France's open offers: 20,000
	// communes, 500,000 housing offers, 1,000,000 jobs.
	National = Scale{Name: "national", Communes: 20_000, Housing: 500_000, Jobs: 1_000_000}
)

// Limits of a Scale accepted by Synthetic.
const (
	// MinCommunes is the smallest number of communes of a synthetic market:
	// room for every prefecture and fixed town.
	MinCommunes = 300
	// MaxCommunes is the largest number of communes of a synthetic market.
	MaxCommunes = 60_000
	// MaxOffers is the largest number of housing or job offers.
	MaxOffers = 10_000_000
)

// ParseScale returns the Scale named name: "demo", "national", or a number
// of housing offers with an optional k (thousands) or m (millions) suffix,
// e.g. "100k" (100,000 housing offers, 200,000 jobs, communes growing with
// the square root of the offers, from MinCommunes to 20,000 at 500k). It
// returns an error wrapping ErrScale for anything else.
func ParseScale(name string) (Scale, error) {
	s := strings.ToLower(strings.TrimSpace(name))
	switch s {
	case "demo":
		return Demo, nil
	case "national":
		return National, nil
	case "":
		return Scale{}, fmt.Errorf("datasets: parsing scale %q: %w", name, ErrScale)
	}
	mult := 1.0
	num := s
	switch s[len(s)-1] {
	case 'k':
		mult, num = 1e3, s[:len(s)-1]
	case 'm':
		mult, num = 1e6, s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || v <= 0 || v*mult > MaxOffers || v*mult < 1 {
		return Scale{}, fmt.Errorf("datasets: parsing scale %q: want demo, national or a count like 100k: %w", name, ErrScale)
	}
	h := int(math.Round(v * mult))
	c := int(math.Round(2000 * math.Sqrt(float64(h)/5000)))
	c = min(max(c, MinCommunes), National.Communes)
	return Scale{Name: s, Communes: c, Housing: h, Jobs: 2 * h}, nil
}

// Synthetic returns a deterministic synthetic market of the given scale:
// the same seed and scale always give the same communes, offers and
// shortage table, in the same order. Communes are scattered around each
// department's real prefecture (which keeps its real INSEE code, as do the
// Paris arrondissements and a few large towns); offers are placed by
// population. It returns an error wrapping ErrScale when the scale is out
// of range (communes outside [MinCommunes, MaxCommunes], offers negative or
// above MaxOffers). The market's Version is 0.
func Synthetic(seed uint64, scale Scale) (*matcher.Market, error) {
	if scale.Communes < MinCommunes || scale.Communes > MaxCommunes ||
		scale.Housing < 0 || scale.Housing > MaxOffers || scale.Jobs < 0 || scale.Jobs > MaxOffers {
		return nil, fmt.Errorf("datasets: synthetic market %+v: %w", scale, ErrScale)
	}
	g := newGen(seed)
	g.buildCommunes(scale.Communes)
	atlas, err := geo.NewAtlas(Departments(), g.communes)
	if err != nil {
		return nil, fmt.Errorf("datasets: synthetic market: %w", err)
	}
	// Its communes bear real INSEE codes at invented points: offers posted
	// with real addresses are not checked against them.
	atlas = atlas.Approximate()
	shortage := g.buildShortage()
	m := &matcher.Market{Atlas: atlas, Shortage: shortage}
	m.Housing = g.buildHousing(scale.Housing)
	m.Jobs = g.buildJobs(scale.Jobs)
	return m, nil
}

// Streams of the generator: each part of the market draws from its own
// PCG stream, so that changing the number of jobs does not change the
// housing, and so on.
const (
	streamCommunes uint64 = 0x636f6d6d756e6573 + iota
	streamShortage
	streamHousing
	streamJobs
	streamHouseholds
)

// gen holds the state shared by the steps of Synthetic.
type gen struct {
	seed     uint64
	deps     []DepartmentInfo
	depIndex map[string]int
	communes []geo.Commune
	cdep     []int32 // department index of each commune

	housingCum []float64 // cumulative placement weights of housing offers
	socialCum  []float64 // … of social-type housing (more in cities)
	jobCum     []float64 // … of job offers
	depShort   []float64 // mean shortage index of each department

	dates [400]matcher.Date // RefDate + i days

	// drawJob, when set, draws a job's occupation and commune (OnBasis);
	// otherwise occupations follow occTable's Zipf weights and communes
	// jobCum.
	drawJob func(r *rand.Rand) (*occRow, int)
}

func newGen(seed uint64) *gen {
	g := &gen{seed: seed, deps: DepartmentInfos(), depIndex: make(map[string]int, len(depTable))}
	for i, d := range g.deps {
		g.depIndex[d.Code] = i
	}
	for i := range g.dates {
		g.dates[i] = matcher.Date{Time: RefDate.AddDate(0, 0, i)}
	}
	return g
}

func (g *gen) rng(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(g.seed, stream)) }

// uniform returns a float64 in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// pick returns the index i such that cum[i-1] <= x < cum[i] for a uniform x
// in [0, cum[len-1]).
func pick(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	i := sort.SearchFloat64s(cum, x)
	if i < len(cum) && cum[i] == x {
		i++
	}
	return min(i, len(cum)-1)
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, v := range w {
		s += v
		c[i] = s
	}
	return c
}

// round2 rounds to cents; round0 to whole euros.
func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round0(v float64) float64 { return math.Round(v) }

// jitter moves p by up to maxM meters east and north.
func jitter(r *rand.Rand, p orb.Point, maxM float64) orb.Point {
	dx, dy := uniform(r, -maxM, maxM), uniform(r, -maxM, maxM)
	return offset(p, dx, dy)
}

// offset moves p by dx meters east and dy meters north.
func offset(p orb.Point, dx, dy float64) orb.Point {
	const mPerDeg = 111_320.0
	lat := p[1] + dy/mPerDeg
	lon := p[0] + dx/(mPerDeg*math.Cos(p[1]*math.Pi/180))
	return orb.Point{math.Round(lon*1e5) / 1e5, math.Round(lat*1e5) / 1e5}
}

// zoneRank orders the ABC zones from Abis (0) to C (4).
var zoneByRank = [...]geo.Zone{geo.ZoneAbis, geo.ZoneA, geo.ZoneB1, geo.ZoneB2, geo.ZoneC}

func zoneRank(z geo.Zone) int {
	for i, v := range zoneByRank {
		if v == z {
			return i
		}
	}
	return 4
}

// rentM2 draws a typical private rent per m², charges excluded, for zone z.
func rentM2(r *rand.Rand, z geo.Zone) float64 {
	switch z {
	case geo.ZoneAbis:
		return round2(uniform(r, 25, 30))
	case geo.ZoneA:
		return round2(uniform(r, 16, 20))
	case geo.ZoneB1:
		return round2(uniform(r, 11, 13))
	case geo.ZoneB2:
		return round2(uniform(r, 9, 10))
	}
	return round2(uniform(r, 7, 9))
}

// density returns a density in inhabitants per km² for a commune of pop
// inhabitants: about 25 at 200, 150 at 2,000, 1,000 at 20,000, 4,000 at
// 200,000 and 20,000 at 2 million, within [20, 20,000].
func density(r *rand.Rand, pop int) float64 {
	xs := [...]float64{2.3, 3.3, 4.3, 5.3, 6.3} // log10 of the population
	ys := [...]float64{25, 150, 1000, 4000, 20000}
	x := math.Log10(float64(max(pop, 1)))
	var y float64
	switch {
	case x <= xs[0]:
		y = ys[0]
	case x >= xs[len(xs)-1]:
		y = ys[len(ys)-1]
	default:
		for i := 1; i < len(xs); i++ {
			if x <= xs[i] {
				t := (x - xs[i-1]) / (xs[i] - xs[i-1])
				y = math.Pow(10, math.Log10(ys[i-1])+t*(math.Log10(ys[i])-math.Log10(ys[i-1])))
				break
			}
		}
	}
	return math.Round(min(max(y*uniform(r, 0.75, 1.3), 20), 20000))
}

// depRadiusKM is how far from the prefecture synthetic communes go, in
// kilometres, where the default (45 km) does not fit.
var depRadiusKM = map[string]float64{
	"92": 7, "93": 7, "94": 7, "78": 22, "91": 22, "95": 22, "69": 30, "90": 15, "13": 40,
	"971": 25, "972": 20, "974": 25, "976": 10, "973": 60, "2A": 40, "2B": 40,
}

// villageStems are stems of synthetic commune names.
var villageStems = [...]string{
	"Saint-Martin", "Villeneuve", "Beaumont", "Montigny", "Fontaine", "Sainte-Marie", "Bellevue",
	"La Chapelle", "Neuville", "Rochefort", "Villers", "Le Mesnil", "Champagny", "Saint-Pierre",
	"Saint-Jean", "Mont-Saint-Éloi", "Val-des-Prés", "Bourgneuf", "Chassagne", "Roche-la-Croix",
	"Saint-Germain", "Châteauneuf", "Les Essarts", "Sainte-Croix", "Montfort", "Belleville",
	"Saint-Laurent", "Le Plessis", "Vauclair", "Fontenay",
}

// areaCount is the number of employment areas of a department.
func areaCount(pop int) int {
	switch {
	case pop < 300_000:
		return 3
	case pop < 700_000:
		return 4
	case pop < 1_200_000:
		return 5
	}
	return 6
}

// pad appends n in decimal, left-padded with zeros to width digits.
func pad(b []byte, n, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// buildCommunes fills g.communes with n communes (exactly n when the
// department code ranges allow it) and the placement weights.
func (g *gen) buildCommunes(n int) {
	r := g.rng(streamCommunes)
	nd := len(g.deps)

	// Fixed communes: prefectures and the towns table.
	fixed := make([][]townRow, nd)
	used := make([]map[int]bool, nd)
	nFixed := 0
	for i, d := range g.deps {
		used[i] = map[int]bool{}
		fixed[i] = append(fixed[i], townRow{code: d.PrefectureCode, name: d.Prefecture, lon: d.Point[0], lat: d.Point[1], zone: d.Zone, pop: d.PrefecturePopulation})
	}
	for _, t := range townTable {
		i := g.depIndex[geo.DepartmentOf(t.code)]
		fixed[i] = append(fixed[i], t)
	}
	for i, d := range g.deps {
		for _, t := range fixed[i] {
			num, _ := strconv.Atoi(t.code[len(d.Code):])
			used[i][num] = true
			nFixed++
		}
	}

	// Synthetic communes per department, proportional to population^0.6
	// (rural departments have many small communes), capped by the code range.
	capOf := func(i int) int {
		if g.deps[i].Overseas {
			return 99 - len(fixed[i])
		}
		if g.deps[i].Code == "75" {
			return 0
		}
		return 999 - len(fixed[i])
	}
	w := make([]float64, nd)
	for i, d := range g.deps {
		w[i] = math.Pow(float64(d.Population), 0.6)
		if d.Overseas {
			w[i] *= 0.3
		}
	}
	count := apportion(max(n-nFixed, 0), w, capOf)

	total := nFixed
	for _, c := range count {
		total += c
	}
	g.communes = make([]geo.Commune, 0, total)
	g.cdep = make([]int32, 0, total)
	for i, d := range g.deps {
		pref := d.Point
		radius := 45.0
		if v, ok := depRadiusKM[d.Code]; ok {
			radius = v
		}
		nAreas := areaCount(d.Population)
		areaCodes := make([]string, nAreas)
		basinCodes := make([]string, nAreas)
		for a := range nAreas {
			areaCodes[a] = "ZE" + d.Code + "-" + strconv.Itoa(a+1)
			basinCodes[a] = d.Code + string(pad(nil, a+1, 2))
		}
		area := func(p orb.Point) int {
			dist := geo.Distance(pref, p)
			if dist < min(8_000, radius*300) || nAreas == 1 { // radius km × 0.3, in meters
				return 0
			}
			ang := math.Atan2(p[1]-pref[1], p[0]-pref[0]) + math.Pi // [0, 2π]
			return 1 + min(int(ang/(2*math.Pi)*float64(nAreas-1)), nAreas-2)
		}
		rest := d.Population
		for _, t := range fixed[i] {
			if t.code != parisCode {
				rest -= t.pop
			}
		}
		rest = max(rest, d.Population/10)

		add := func(code, name string, p orb.Point, pop int, zone geo.Zone, big bool) {
			a := area(p)
			c := geo.Commune{
				Code: code, Name: name, Department: d.Code, Region: d.Region,
				EmploymentArea: areaCodes[a], Basin: basinCodes[a], Point: p, Population: pop,
				DensityKm2: density(r, pop), Zone: zone, RentM2: rentM2(r, zone),
			}
			switch {
			case pop >= 20_000:
				c.SocialShare = round2(uniform(r, 15, 35))
			case pop >= 5_000:
				c.SocialShare = round2(uniform(r, 10, 25))
			default:
				c.SocialShare = round2(uniform(r, 5, 12))
			}
			u := d.Unemployment * uniform(r, 0.9, 1.1)
			switch {
			case pop >= 20_000:
				u *= 1.25
			case pop < 2_000:
				u *= 0.8
			}
			if d.Overseas {
				u = min(max(u, 0.08), 0.40)
			} else {
				u = min(max(u, 0.05), 0.15)
			}
			c.Unemployment = math.Round(u*1000) / 1000
			c.AGIROperator = big || pop >= 20_000
			c.FrenchCourses = big || pop >= 5_000
			g.communes = append(g.communes, c)
			g.cdep = append(g.cdep, int32(i))
		}
		for _, t := range fixed[i] {
			add(t.code, t.name, orb.Point{t.lon, t.lat}, t.pop, t.zone, true)
		}

		// Heavy-tailed (Pareto, alpha 1.1) populations, largest first.
		k := count[i]
		pw := make([]float64, k)
		sum := 0.0
		for j := range pw {
			pw[j] = math.Min(math.Pow(1-r.Float64(), -1/1.1), 2000)
			sum += pw[j]
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(pw)))
		num := 0
		prefRank := zoneRank(d.Zone)
		code := make([]byte, 0, 5)
		for j := range k {
			num++
			for used[i][num] {
				num++
			}
			code = append(code[:0], d.Code...)
			code = pad(code, num, 5-len(d.Code))
			pop := max(int(float64(rest)*pw[j]/sum), 30)
			// Bigger communes are more often suburbs near the prefecture.
			var dist float64
			if pop >= 3_000 && r.Float64() < 0.45 {
				dist = uniform(r, 2, min(12, radius*0.6))
			} else {
				dist = radius * math.Sqrt(uniform(r, 0.02, 1))
			}
			ang := uniform(r, 0, 2*math.Pi)
			p := offset(pref, dist*1000*math.Cos(ang), dist*1000*math.Sin(ang))
			steps := 3
			switch {
			case dist < 6:
				steps = 0
			case dist < 15:
				steps = 1
			case dist < 30:
				steps = 2
			}
			if pop >= 20_000 && steps > 0 {
				steps--
			}
			zr := min(prefRank+steps, 4)
			if pop < 2_000 && zr > 1 {
				zr = 3
				if r.Float64() < 0.85 {
					zr = 4
				}
			}
			if zr == 0 && d.Zone != geo.ZoneAbis {
				zr = 1
			}
			name := villageStems[r.IntN(len(villageStems))] + "-" + d.Code + "-" + string(code[len(d.Code):])
			add(string(code), name, p, pop, zoneByRank[zr], false)
		}
	}

	g.buildWeights()
}

// apportion splits total into integers proportional to w, each at most
// capOf(i), by largest remainders, moving what a cap cuts to the others.
func apportion(total int, w []float64, capOf func(int) int) []int {
	count := make([]int, len(w))
	capped := make([]bool, len(w))
	left := total
	for left > 0 {
		sw := 0.0
		for i, v := range w {
			if !capped[i] {
				sw += v
			}
		}
		if sw == 0 {
			break
		}
		type rem struct {
			i int
			f float64
		}
		var rems []rem
		given := 0
		for i, v := range w {
			if capped[i] {
				continue
			}
			x := float64(left) * v / sw
			c := int(x)
			count[i] += c
			given += c
			rems = append(rems, rem{i, x - float64(c)})
		}
		sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
		for j := 0; given < left && j < len(rems); j++ {
			count[rems[j].i]++
			given++
		}
		left = 0
		for i := range count {
			if c := capOf(i); count[i] >= c {
				left += count[i] - c
				count[i] = c
				capped[i] = true
			}
		}
	}
	return count
}

// Grand-domaine base shortage indexes: care, building, hospitality,
// transport, agriculture and industry maintenance are the hardest to hire for.
var domainBase = map[byte]float64{
	'A': 0.62, 'B': 0.35, 'C': 0.32, 'D': 0.45, 'E': 0.30, 'F': 0.66, 'G': 0.64,
	'H': 0.55, 'I': 0.60, 'J': 0.72, 'K': 0.55, 'L': 0.28, 'M': 0.35, 'N': 0.58,
}

// buildShortage returns the shortage table: national values per domaine
// professionnel, values per (department, domaine) and some per (basin, ROME);
// it also sets g.depShort and the job placement weights.
func (g *gen) buildShortage() *matcher.ShortageTable {
	r := g.rng(streamShortage)
	t := matcher.NewShortageTable(0.45)
	var domains []string
	seen := map[string]bool{}
	for _, o := range occTable {
		if d := o.code[:3]; !seen[d] {
			seen[d] = true
			domains = append(domains, d)
		}
	}
	sort.Strings(domains)
	nat := make(map[string]float64, len(domains))
	for _, d := range domains {
		nat[d] = domainBase[d[0]] + uniform(r, -0.05, 0.05)
		t.Set("", d, nat[d])
	}
	g.depShort = make([]float64, len(g.deps))
	for i, dep := range g.deps {
		bonus := 0.0
		switch {
		case dep.Population < 250_000:
			bonus = 0.10
		case dep.Population < 400_000:
			bonus = 0.07
		case dep.Population > 1_500_000:
			bonus = -0.05
		}
		switch dep.Code {
		case "75", "92", "93", "94":
			bonus -= 0.05
		}
		s := 0.0
		for _, d := range domains {
			v := min(max(nat[d]+bonus+uniform(r, -0.08, 0.08), 0.05), 0.95)
			t.Set(dep.Code, d, v)
			s += v
		}
		g.depShort[i] = s / float64(len(domains))
	}
	// A few (basin, ROME) values: each basin's own tense occupations.
	zipf := occZipfCum
	seenBasin := map[string]bool{}
	for _, c := range g.communes {
		if seenBasin[c.Basin] {
			continue
		}
		seenBasin[c.Basin] = true
		for range 8 {
			o := occTable[pick(r, zipf)]
			base := nat[o.code[:3]]
			t.Set("b:"+c.Basin, o.code, base+uniform(r, -0.1, 0.2))
		}
	}
	jw := make([]float64, len(g.communes))
	for i := range g.communes {
		if g.communes[i].Code == parisCode {
			continue
		}
		jw[i] = float64(g.communes[i].Population) * (1 + (g.depShort[g.cdep[i]] - 0.5))
	}
	g.jobCum = cumulative(jw)
	return t
}

func (g *gen) buildWeights() {
	hw := make([]float64, len(g.communes))
	sw := make([]float64, len(g.communes))
	for i, c := range g.communes {
		if c.Code == parisCode { // the arrondissements carry Paris's offers
			continue
		}
		hw[i] = float64(c.Population)
		sw[i] = float64(c.Population) * c.SocialShare / 20
	}
	g.housingCum = cumulative(hw)
	g.socialCum = cumulative(sw)
}

// occZipfCum holds the cumulative Zipf-like weights of occTable by rank:
// the weight of rank i is 1/(i+3)^1.05.
var occZipfCum = func() []float64 {
	w := make([]float64, len(occTable))
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+3), 1.05)
	}
	return cumulative(w)
}()

// idBlock holds n identifiers prefix+zero-padded number (from 1) in one
// string, so that each offer's ID is a substring, not an allocation.
type idBlock struct {
	s string
	l int
}

// newIDBlock builds the identifiers of 1…n, numbers padded to width digits
// (more when n needs them).
func newIDBlock(prefix string, width, n int) idBlock {
	width = max(width, len(strconv.Itoa(n)))
	l := len(prefix) + width
	buf := make([]byte, 0, n*l)
	for i := 1; i <= n; i++ {
		buf = append(buf, prefix...)
		buf = pad(buf, i, width)
	}
	if len(buf) == 0 {
		return idBlock{l: l}
	}
	// buf is never written again: share it as the string.
	return idBlock{s: unsafe.String(&buf[0], len(buf)), l: l}
}

// at returns the identifier of offer index i (number i+1).
func (b idBlock) at(i int) string { return b.s[i*b.l : (i+1)*b.l] }

// housingKinds and their cumulative shares (percent).
var (
	housingKinds = [...]matcher.LandlordKind{matcher.Private, matcher.Social, matcher.Relay, matcher.IML, matcher.ResidenceSociale, matcher.PensionDeFamille}
	housingCumPc = [...]float64{45, 75, 83, 90, 96, 100}
	// rooms shares (percent, T1…T5) by kind for non-shared flats.
	roomsPrivate = [...]float64{25, 55, 80, 95, 100}
	roomsSocial  = [...]float64{8, 30, 65, 90, 100}
	roomsRelay   = [...]float64{20, 55, 85, 100, 100}
	// surfaces (m²) by rooms.
	surfaceLo = [...]float64{18, 30, 50, 65, 80}
	surfaceHi = [...]float64{25, 45, 68, 82, 95}
	occByRoom = [...]int{2, 3, 5, 6, 8}
)

func drawCum(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

// decentOccupants is the largest number of persons the decency norm allows
// in surface m²: 9 m² for one, 16 for two, 9 more per extra person.
func decentOccupants(surface float64) int {
	if surface < 16 {
		return 1
	}
	return 2 + int((surface-16)/9)
}

// ownerStrings returns prefix+department code for every department.
func (g *gen) ownerStrings(prefix string) []string {
	out := make([]string, len(g.deps))
	for i, d := range g.deps {
		out[i] = prefix + d.Code
	}
	return out
}

// buildHousing returns n housing offers. Shared flats (IML) carry their
// rent and charges per place, and max_occupants equals their free places.
func (g *gen) buildHousing(n int) []matcher.HousingOffer {
	if n == 0 {
		return nil
	}
	r := g.rng(streamHousing)
	out := make([]matcher.HousingOffer, n)
	points := make([]matcher.Point, n)
	ids := newIDBlock("h-", 6, n)
	refs := newIDBlock("SYN-H-", 6, n)
	owners := g.ownerStrings("landlord-")
	for i := range out {
		h := &out[i]
		h.ID, h.ExternalRef = ids.at(i), refs.at(i)
		kind := housingKinds[drawCum(r, housingCumPc[:])]
		var ci int
		if kind == matcher.Private {
			ci = pick(r, g.housingCum)
		} else {
			ci = pick(r, g.socialCum)
		}
		c := &g.communes[ci]
		h.LandlordKind = kind
		h.Commune = c.Code
		h.Owner = owners[g.cdep[ci]]
		p := jitter(r, c.Point, 400)
		points[i] = matcher.Point{Lon: p[0], Lat: p[1]}
		h.Point = &points[i]

		rooms := 1
		switch kind {
		case matcher.Private:
			rooms = 1 + drawCum(r, roomsPrivate[:])
		case matcher.Social:
			rooms = 1 + drawCum(r, roomsSocial[:])
		case matcher.Relay:
			rooms = 1 + drawCum(r, roomsRelay[:])
		case matcher.IML:
			rooms = 3
		}
		h.Rooms = rooms
		h.SurfaceM2 = math.Round(uniform(r, surfaceLo[rooms-1], surfaceHi[rooms-1]))
		h.MaxOccupants = min(occByRoom[rooms-1], decentOccupants(h.SurfaceM2))
		chargesM2 := uniform(r, 1.5, 3)
		rent := h.SurfaceM2 * c.RentM2
		switch kind {
		case matcher.Private:
			rent *= uniform(r, 0.9, 1.1)
			h.Lease = matcher.DirectLease
			h.Furnished = r.Float64() < 0.15
		case matcher.Social:
			rent *= uniform(r, 0.55, 0.65)
			h.Lease = matcher.DirectLease
			if r.Float64() < 0.15 {
				h.Lease = matcher.SlidingLease
			}
		case matcher.Relay:
			rent *= uniform(r, 0.5, 0.6)
			h.Lease = matcher.SubLease
			if r.Float64() < 0.4 {
				h.Lease = matcher.SlidingLease
			}
			h.MaxMonths = between(r, 6, 18)
			h.Furnished = r.Float64() < 0.6
		case matcher.IML:
			h.Shared = true
			h.Places = between(r, 1, 2)
			switch x := r.Float64(); {
			case x < 0.7:
				h.Gender = matcher.Male
			case x < 0.9:
				h.Gender = matcher.Female
			default:
				h.Gender = matcher.AnyGender
			}
			h.MaxOccupants = h.Places               // one person per place
			rent = rent / 3 * uniform(r, 0.7, 0.85) // per place
			chargesM2 /= 3
			h.Lease = matcher.SubLease
			h.MaxMonths = 18
			h.Furnished = true
		case matcher.ResidenceSociale:
			rent = min(rent*uniform(r, 0.8, 0.95), uniform(r, 380, 480)) // capped redevance
			h.Lease = matcher.ResidenceLease
			h.MaxOccupants = between(r, 1, 2)
			h.MaxMonths = 24
			h.Furnished = true
		case matcher.PensionDeFamille:
			rent = min(rent*uniform(r, 0.7, 0.85), uniform(r, 320, 420))
			h.Lease = matcher.ResidenceLease
			h.MaxOccupants = 1
			h.Furnished = true
		}
		h.RentMonthly = round0(rent)
		h.ChargesMonthly = round0(h.SurfaceM2 * chargesM2)
		avail := r.IntN(91)
		h.AvailableFrom = g.dates[avail]
		h.ExpiresOn = g.dates[avail+between(r, 60, 180)]
		h.StepFree = r.Float64() < 0.25
		h.Status = matcher.StatusOpen
		if r.Float64() < 0.04 {
			h.Status = matcher.StatusReserved
		}
	}
	return out
}

// Contracts and their cumulative shares (percent), like France Travail's
// published offers.
var (
	contractKinds = [...]matcher.Contract{matcher.CDI, matcher.CDD, matcher.Interim, matcher.Apprenticeship,
		matcher.Professionalisation, matcher.Training, matcher.Insertion, matcher.Seasonal}
	contractCumPc = [...]float64{60, 82, 92, 93.5, 95, 96, 98, 100}
	partTimeHours = [...]float64{20, 24, 25, 26, 28, 30, 32}
	frenchByRank  = [...]matcher.FrenchLevel{matcher.A0, matcher.A1, matcher.A2, matcher.B1, matcher.B2, matcher.C1, matcher.C2}
)

// SMIC is the gross monthly minimum wage for 35 hours a week assumed by the
// generator, in euros (2026 estimate).
const SMIC = 1823.0

// Employer name parts by grand domaine.
var employerPrefixes = map[byte][]string{
	'A': {"EARL", "GAEC", "Maraîchers", "Vergers", "Domaine"},
	'B': {"Atelier", "Maison", "Création"},
	'C': {"Banque", "Assurances", "Agence immobilière"},
	'D': {"Boulangerie", "Boucherie", "Supermarché", "Épicerie", "Magasin"},
	'E': {"Imprimerie", "Studio"},
	'F': {"Bâtiment", "Maçonnerie", "Travaux publics", "Rénovation", "Couverture"},
	'G': {"Restaurant", "Hôtel", "Brasserie", "Camping", "Traiteur"},
	'H': {"Industries", "Usine", "Mécanique", "Plasturgie", "Agroalimentaire"},
	'I': {"Garage", "Maintenance", "Thermique"},
	'J': {"Centre hospitalier", "EHPAD", "Clinique", "Pharmacie", "Laboratoire"},
	'K': {"Association", "Propreté", "Services à la personne", "Sécurité", "Régie de quartier"},
	'L': {"Théâtre", "Production"},
	'M': {"Cabinet", "Conseil", "Informatique"},
	'N': {"Transports", "Logistique", "Entrepôts", "Messagerie"},
}

var employerNames = [...]string{
	"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
	"du Centre", "des Tilleuls", "du Val", "de la Gare", "du Port", "des Lilas", "du Parc", "de l'Ouest",
}

// buildJobs returns n job offers.
func (g *gen) buildJobs(n int) []matcher.JobOffer {
	if n == 0 {
		return nil
	}
	r := g.rng(streamJobs)
	out := make([]matcher.JobOffer, n)
	points := make([]matcher.Point, n)
	ids := newIDBlock("j-", 7, n)
	refs := newIDBlock("SYN-J-", 7, n)
	owners := g.ownerStrings("employer-")
	zipf := occZipfCum
	// Employer names, shared strings.
	var employers [14][]string
	for gd := range 14 {
		for _, p := range employerPrefixes[byte('A'+gd)] {
			for _, nm := range employerNames {
				employers[gd] = append(employers[gd], p+" "+nm)
			}
		}
	}
	for i := range out {
		j := &out[i]
		j.ID, j.ExternalRef = ids.at(i), refs.at(i)
		var o *occRow
		var ci int
		if g.drawJob != nil {
			o, ci = g.drawJob(r)
		} else {
			o, ci = &occTable[pick(r, zipf)], pick(r, g.jobCum)
		}
		c := &g.communes[ci]
		j.ROME, j.Title = o.code, o.title
		j.Commune = c.Code
		j.Owner = owners[g.cdep[ci]]
		pool := employers[o.code[0]-'A']
		j.Employer = pool[r.IntN(len(pool))]
		p := jitter(r, c.Point, 1000)
		points[i] = matcher.Point{Lon: p[0], Lat: p[1]}
		j.Point = &points[i]

		j.Contract = contractKinds[drawCum(r, contractCumPc[:])]
		switch j.Contract {
		case matcher.CDD:
			if r.IntN(2) == 0 {
				j.Months = between(r, 1, 5)
			} else {
				j.Months = between(r, 6, 12)
			}
		case matcher.Interim:
			j.Months = between(r, 1, 3)
		case matcher.Seasonal:
			j.Months = between(r, 2, 6)
		case matcher.Apprenticeship:
			j.Months = 12 * between(r, 1, 3)
		case matcher.Professionalisation:
			j.Months = between(r, 6, 24)
		case matcher.Training:
			j.Months = between(r, 3, 12)
		case matcher.Insertion:
			j.Months = between(r, 4, 24)
		}
		j.HoursWeekly = 35
		partTime := 0.12
		switch o.code {
		case "K2204", "K1302", "K1304", "K2202":
			partTime = 0.5
		}
		if j.Contract == matcher.Insertion {
			partTime = 0.7
		}
		if r.Float64() < partTime {
			j.HoursWeekly = partTimeHours[r.IntN(len(partTimeHours))]
		}
		var base float64
		switch o.tier {
		case 0:
			base = uniform(r, SMIC, SMIC+150)
		case 1:
			base = uniform(r, 1900, 2300)
		case 2:
			base = uniform(r, 2200, 2900)
		default:
			base = uniform(r, 2700, 3400)
		}
		switch j.Contract {
		case matcher.Apprenticeship:
			base = SMIC * uniform(r, 0.53, 0.78)
		case matcher.Training:
			base = uniform(r, 700, 1300)
		case matcher.Insertion:
			base = SMIC
		}
		lo := round0(base * j.HoursWeekly / 35)
		if j.Contract != matcher.Apprenticeship && j.Contract != matcher.Training {
			lo = max(lo, round0(SMIC*j.HoursWeekly/35))
		}
		hi := lo
		if r.Float64() < 0.7 {
			hi = round0(lo * uniform(r, 1.0, 1.15))
		}
		j.SalaryMonthlyGross = matcher.Salary{Min: lo, Max: hi}

		fr := o.french.Rank()
		switch x := r.Float64(); {
		case o.code == "J1506":
		case x < 0.15:
			fr--
		case x < 0.3:
			fr++
		}
		j.FrenchLevel = frenchByRank[min(max(fr, 1), 5)]
		switch {
		case o.code[:3] == "N41" || o.code == "J1305" || o.code == "N4301":
			j.DrivingLicence = o.code != "N4301"
		case c.Population < 3_000:
			j.DrivingLicence = r.Float64() < 0.35
		default:
			j.DrivingLicence = r.Float64() < 0.11
		}
		j.BeginnersOK = r.Float64() < o.beginners*0.85 || j.Contract == matcher.Apprenticeship || j.Contract == matcher.Training
		j.Positions = 1
		if r.Float64() < 0.2 {
			j.Positions = between(r, 2, 5)
		}
		start := r.IntN(61)
		j.StartOn = g.dates[start]
		j.ExpiresOn = g.dates[start+between(r, 30, 90)]
		j.Status = matcher.StatusOpen
	}
	return out
}
