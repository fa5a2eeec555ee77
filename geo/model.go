package geo

import "math"

// Model is the distance-based commute-time model: the door-to-door time of
// a mode is estimated from the straight-line (haversine) distance, with a
// detour factor, speeds and fixed overheads that depend on how dense the
// two ends are. It implements Router until a road-network router replaces
// it.
//
// The time of a trip of straight-line distance d, in minutes, is
//
//	end(from) + end(to) + wait + route(detour × d)
//
// where end is the time spent at each end (walking to the car or the stop,
// parking, locking the bike), wait the waiting and transfer time of transit,
// and route the time on the route: its first 10 km at the local speed (streets, villages, junctions), the rest at the faster "far"
// speed (expressways, trunk roads, TER and RER lines).
//
// Density. Each end gets an urbanity in [0, 1] from its density, on a
// logarithmic scale: 0 at ≤ 100 inhabitants/km² (rural), 0.5 at 1,000, 1 at
// ≥ 10,000 (Paris is about 20,000, Lyon about 11,000). The end overheads use
// each end's own urbanity (parking is hard at the dense end, whatever the
// other). Detour, speeds and waiting use the trip's urbanity, the mean of
// the two: since urbanity is about log-density, this is the urbanity of the
// geometric mean of the two densities, so a village-to-city trip is treated
// as half urban, half rural, as its route is. Every parameter is linearly
// interpolated between its rural value (urbanity 0) and its dense value
// (urbanity 1). A missing, zero, negative or NaN density counts as rural.
//
// Availability. Transit is offered only when both ends have at least 300
// inhabitants/km², or when both are in the same (non-empty) employment area
// and at most 30 km apart; walking is not offered beyond 10 km and cycling
// beyond 15 km of straight line. Car is always
// offered (whether the household may drive is the matcher's business).
//
// The values of DefaultModel are documented on the constants below. A Model
// is immutable and safe for concurrent use; its methods do not allocate.
type Model struct {
	modes               [4]modeParams // indexed by modeIndex
	localRouteM         float64
	transitMinDensity   float64
	transitSameAreaMaxM float64
}

// profile is a mode's parameters at one end of the urbanity scale.
type profile struct {
	detour   float64 // route length / straight-line distance, ≥ 1
	localKmh float64 // speed on the first localRouteM meters of route, km/h, > 0
	farKmh   float64 // speed beyond, km/h, > 0
	endMin   float64 // minutes spent at each end, ≥ 0
	waitMin  float64 // minutes of waiting and transfers per trip, ≥ 0
}

// modeParams are a mode's parameters: rural and dense profiles and the
// straight-line distance beyond which it is not offered (+Inf: none).
type modeParams struct {
	rural, dense profile
	maxM         float64
}

var _ Router = (*Model)(nil)

// The parameters of DefaultModel. Sources: the SDES/INSEE Enquête mobilité
// des personnes 2019 (EMP 2019) reports mean local trip durations of about
// 19 min by car, 14 min on foot, 18 min by bike and 41 min by public
// transport; circuity studies find urban road networks about 1.2 times the
// straight line (Newell 1980; 1.21–1.23 around transit stations, O'Sullivan
// 1996), higher for short trips and for pedestrian networks (Dill 2003);
// 1.2–1.4 is the usual range for national road networks (Ballou et al.
// 2002). The values below are chosen within those ranges and checked
// against the trips of the model's tests (Paris 5 km by transit ≈ 30 min;
// 20 km between villages by car ≈ 21 min).
const (
	// localRouteM is the length of route, in meters, driven or ridden at
	// the local speed before faster roads or lines are reached: about the
	// size of a town and its suburbs.
	localRouteM = 10_000

	// transitMinDensityKm2 is the density, in inhabitants per km², both
	// ends need for transit to be offered anywhere: the threshold of the
	// "urban cluster" of the Eurostat degree of urbanisation, used by
	// INSEE's grille communale de densité (≥ 300 inhabitants/km²).
	transitMinDensityKm2 = 300

	// transitSameAreaMaxM is how far apart, in meters, two ends of one
	// employment area (INSEE zone d'emploi, built from commuting flows) may
	// be for transit (regional coaches, TER, on-demand transport) to be
	// offered between sparse places: about the radius of a rural zone
	// d'emploi.
	transitSameAreaMaxM = 30_000

	// walkKmh is the walking speed, km/h: the usual planning value for
	// adults (4.5–5 km/h, ≈ 1.33 m/s).
	walkKmh = 4.8
	// walkDetour is the pedestrian route factor: above the 1.2 of urban
	// street grids (Newell), as pedestrian routes are less direct (Dill).
	walkDetour = 1.3
	// walkMaxM: walking is not offered beyond 10 km straight line (over
	// 2 h 40 min), far beyond any commute.
	walkMaxM = 10_000

	// Bike: 16 km/h in the country, 14 km/h in town (traffic lights), the
	// usual range of a conventional bike (14–16 km/h; EMP 2019's 18 min
	// mean trip is about 4 km). One minute at each end to fetch, lock and
	// park it. Not offered beyond 15 km straight line (≈ 19 km of route,
	// 70–80 min): cycle commutes are short.
	bikeRuralKmh, bikeDenseKmh       = 16, 14
	bikeRuralDetour, bikeDenseDetour = 1.25, 1.3
	bikeEndMin                       = 1
	bikeMaxM                         = 15_000

	// Transit, rural: a coach or TER with infrequent service. Stops are
	// further away (8 min walk at each end), the schedule delay is long
	// (15 min: people time their trip on an hourly timetable), the route
	// winds through villages (1.4), at 30 km/h locally and 60 km/h on TER
	// or express coach beyond.
	transitRuralDetour, transitRuralLocalKmh, transitRuralFarKmh = 1.4, 30, 60
	transitRuralEndMin, transitRuralWaitMin                      = 8, 15
	// Transit, dense: metro, tram and buses every few minutes. 4 min to
	// and from the stop, 4 min of waiting and transfers, route factor 1.3
	// (stations are 1.21–1.23 from their catchment, O'Sullivan, plus the
	// network's own detours), 20 km/h door-to-door in-vehicle speed (metro
	// and bus mix, stops included) and 45 km/h on RER/suburban rail
	// (stops every few kilometers).
	transitDenseDetour, transitDenseLocalKmh, transitDenseFarKmh = 1.3, 20, 45
	transitDenseEndMin, transitDenseWaitMin                      = 4, 4

	// Car, rural: the car is at the door and parking is free (1 min at
	// each end); route factor 1.25 (Ballou's national range); 65 km/h on
	// local roads (80 km/h limit, villages at 50) and 90 km/h beyond
	// (trunk roads, motorways).
	carRuralDetour, carRuralLocalKmh, carRuralFarKmh = 1.25, 65, 90
	carRuralEndMin                                   = 1
	// Car, dense: walking to the car and looking for a parking space take
	// 6 min at each end; one-way streets make the route longer (1.35);
	// 18 km/h in town (daytime traffic speeds in the largest French cities
	// are below 20 km/h) and 45 km/h on congested urban expressways.
	carDenseDetour, carDenseLocalKmh, carDenseFarKmh = 1.35, 18, 45
	carDenseEndMin                                   = 6
)

// DefaultModel returns the Model with the documented default parameters.
func DefaultModel() *Model {
	m := &Model{
		localRouteM:         localRouteM,
		transitMinDensity:   transitMinDensityKm2,
		transitSameAreaMaxM: transitSameAreaMaxM,
	}
	walk := profile{detour: walkDetour, localKmh: walkKmh, farKmh: walkKmh}
	m.modes[modeWalk] = modeParams{rural: walk, dense: walk, maxM: walkMaxM}
	m.modes[modeBike] = modeParams{
		rural: profile{detour: bikeRuralDetour, localKmh: bikeRuralKmh, farKmh: bikeRuralKmh, endMin: bikeEndMin},
		dense: profile{detour: bikeDenseDetour, localKmh: bikeDenseKmh, farKmh: bikeDenseKmh, endMin: bikeEndMin},
		maxM:  bikeMaxM,
	}
	m.modes[modeTransit] = modeParams{
		rural: profile{detour: transitRuralDetour, localKmh: transitRuralLocalKmh, farKmh: transitRuralFarKmh,
			endMin: transitRuralEndMin, waitMin: transitRuralWaitMin},
		dense: profile{detour: transitDenseDetour, localKmh: transitDenseLocalKmh, farKmh: transitDenseFarKmh,
			endMin: transitDenseEndMin, waitMin: transitDenseWaitMin},
		maxM: math.Inf(1),
	}
	m.modes[modeCar] = modeParams{
		rural: profile{detour: carRuralDetour, localKmh: carRuralLocalKmh, farKmh: carRuralFarKmh, endMin: carRuralEndMin},
		dense: profile{detour: carDenseDetour, localKmh: carDenseLocalKmh, farKmh: carDenseFarKmh, endMin: carDenseEndMin},
		maxM:  math.Inf(1),
	}
	return m
}

// Indexes of Model.modes.
const (
	modeWalk = iota
	modeBike
	modeTransit
	modeCar
)

// modeIndex returns the index of mode in Model.modes, or -1.
func modeIndex(mode Mode) int {
	switch mode {
	case Walk:
		return modeWalk
	case Bike:
		return modeBike
	case Transit:
		return modeTransit
	case Car:
		return modeCar
	}
	return -1
}

// urbanity maps a density, in inhabitants per km², to [0, 1] on an
// approximately logarithmic scale: piecewise linear through 100 → 0,
// 300 → 0.25, 1,000 → 0.5, 3,000 → 0.75 and 10,000 → 1 (log10 would give
// 0.24 and 0.74 at 300 and 3,000). NaN, zero and negative densities give 0.
// It is non-decreasing and costs a few comparisons, no logarithm.
func urbanity(densityKm2 float64) float64 {
	switch {
	case !(densityKm2 > 100):
		return 0
	case densityKm2 < 300:
		return 0.25 * (densityKm2 - 100) / 200
	case densityKm2 < 1000:
		return 0.25 + 0.25*(densityKm2-300)/700
	case densityKm2 < 3000:
		return 0.5 + 0.25*(densityKm2-1000)/2000
	case densityKm2 < 10000:
		return 0.75 + 0.25*(densityKm2-3000)/7000
	}
	return 1
}

// lerp interpolates from a (u = 0) to b (u = 1).
func lerp(a, b, u float64) float64 { return a + (b-a)*u }

// routeMinutes returns the minutes to cover routeM meters of route, the
// first localM at localKmh and the rest at farKmh. A km/h speed covers
// 1000/60 meters a minute, so meters × 0.06 / kmh are minutes.
func routeMinutes(routeM, localM, localKmh, farKmh float64) float64 {
	if routeM <= localM {
		return routeM * 0.06 / localKmh
	}
	return localM*0.06/localKmh + (routeM-localM)*0.06/farKmh
}

// Minutes returns the door-to-door commute time from one end to the other
// by mode, in minutes, and whether mode is offered between them (false, and
// 0 minutes, for an unknown mode, invalid points, or a mode not offered,
// e.g. transit between two sparse places of different employment areas).
// It computes the haversine distance and calls MinutesDist. Safe for
// concurrent use; it does not allocate.
func (m *Model) Minutes(from, to End, mode Mode) (float64, bool) {
	return m.MinutesDist(Distance(from.Point, to.Point), from, to, mode)
}

// MinutesDist is Minutes with the straight-line distance between the ends
// already known, in meters (for example from Index.Within); the ends'
// points are not read. It returns 0 and false for a NaN, infinite or
// negative distance, and never returns NaN. The time is non-decreasing in
// distM for fixed ends, and at distance 0 it is the overheads alone. Safe
// for concurrent use; it does not allocate.
func (m *Model) MinutesDist(distM float64, from, to End, mode Mode) (float64, bool) {
	mi := modeIndex(mode)
	if mi < 0 || !(distM >= 0) || math.IsInf(distM, 1) {
		return 0, false
	}
	p := &m.modes[mi]
	if distM > p.maxM {
		return 0, false
	}
	if mi == modeTransit && !m.transitOffered(distM, from, to) {
		return 0, false
	}
	uf, ut := urbanity(from.DensityKm2), urbanity(to.DensityKm2)
	u := (uf + ut) / 2
	r, d := &p.rural, &p.dense
	t := lerp(r.endMin, d.endMin, uf) + lerp(r.endMin, d.endMin, ut) + lerp(r.waitMin, d.waitMin, u)
	routeM := lerp(r.detour, d.detour, u) * distM
	t += routeMinutes(routeM, m.localRouteM, lerp(r.localKmh, d.localKmh, u), lerp(r.farKmh, d.farKmh, u))
	return t, true
}

// FastestDist returns which of modes, given by their index in Modes, takes
// the fewest minutes between the ends distM meters apart (the first listed
// on a tie) and those minutes, or false when none is offered. It equals the
// least of MinutesDist over the modes, bit for bit, with the ends'
// urbanity computed once: a search calls it for every home and job it
// pairs. Indexes outside Modes are skipped. Safe for concurrent use; it
// does not allocate.
func (m *Model) FastestDist(distM float64, from, to End, modes []int8) (mode int8, minutes float64, ok bool) {
	if !(distM >= 0) || math.IsInf(distM, 1) {
		return 0, 0, false
	}
	uf, ut := urbanity(from.DensityKm2), urbanity(to.DensityKm2)
	u := (uf + ut) / 2
	for _, mi := range modes {
		if mi < 0 || int(mi) >= len(m.modes) {
			continue
		}
		p := &m.modes[mi]
		if distM > p.maxM || mi == modeTransit && !m.transitOffered(distM, from, to) {
			continue
		}
		// MinutesDist's expression, in the same order.
		r, d := &p.rural, &p.dense
		t := lerp(r.endMin, d.endMin, uf) + lerp(r.endMin, d.endMin, ut) + lerp(r.waitMin, d.waitMin, u)
		routeM := lerp(r.detour, d.detour, u) * distM
		t += routeMinutes(routeM, m.localRouteM, lerp(r.localKmh, d.localKmh, u), lerp(r.farKmh, d.farKmh, u))
		if !ok || t < minutes {
			mode, minutes, ok = mi, t, true
		}
	}
	return mode, minutes, ok
}

// transitOffered reports whether transit runs between from and to, distM
// meters apart.
func (m *Model) transitOffered(distM float64, from, to End) bool {
	if from.DensityKm2 >= m.transitMinDensity && to.DensityKm2 >= m.transitMinDensity {
		return true
	}
	return from.EmploymentArea != "" && from.EmploymentArea == to.EmploymentArea && distM <= m.transitSameAreaMaxM
}

// MaxReachM returns an upper bound, in meters of straight-line distance, of
// how far any of modes can go within maxMinutes, whatever the ends: for
// every pair of ends and every mode in modes, Minutes ≤ maxMinutes implies
// a distance ≤ MaxReachM. It returns 0 when no listed mode can make it (a
// NaN or negative maxMinutes, no valid mode) and may return +Inf for an
// infinite maxMinutes. Unknown modes are ignored. Safe for concurrent use.
func (m *Model) MaxReachM(maxMinutes float64, modes []Mode) float64 {
	best := 0.0
	for _, mode := range modes {
		mi := modeIndex(mode)
		if mi < 0 {
			continue
		}
		p := &m.modes[mi]
		endMin := min(p.rural.endMin, p.dense.endMin)
		best = max(best, m.reach(mi, maxMinutes, endMin, 0, 1, p.maxM))
	}
	return best
}

// Reach returns an upper bound, in meters of straight-line distance, of how
// far mode can go within maxMinutes from the end from, whatever the other
// end: tighter than MaxReachM because from's own overhead and density are
// known. It returns 0 for an unknown mode or a NaN or negative maxMinutes.
// Safe for concurrent use.
func (m *Model) Reach(maxMinutes float64, mode Mode, from End) float64 {
	mi := modeIndex(mode)
	if mi < 0 {
		return 0
	}
	p := &m.modes[mi]
	uf := urbanity(from.DensityKm2)
	capM := p.maxM
	if mi == modeTransit && !(from.DensityKm2 >= m.transitMinDensity) {
		// From a sparse place, transit needs the same employment area.
		if from.EmploymentArea == "" {
			return 0
		}
		capM = min(capM, m.transitSameAreaMaxM)
	}
	// The trip's urbanity (uf + ut) / 2 lies in [uf/2, (uf+1)/2].
	return m.reach(mi, maxMinutes, lerp(p.rural.endMin, p.dense.endMin, uf), uf/2, (uf+1)/2, capM)
}

// reach inverts the fastest time mode mi can achieve when the trip's
// urbanity is anywhere in [uLo, uHi], fromEndMin is spent at the first end
// and the least possible at the other: the time is at least the overheads
// plus the route at the smallest detour and the highest speeds of the
// range (each parameter is linear in urbanity, so its extremes are at uLo
// or uHi). The result is widened by a relative 1e-9 and 1 µm so that the
// rounding of MinutesDist cannot cross it, and capped at capM.
func (m *Model) reach(mi int, maxMinutes, fromEndMin, uLo, uHi, capM float64) float64 {
	if !(maxMinutes >= 0) {
		return 0
	}
	p := &m.modes[mi]
	r, d := &p.rural, &p.dense
	lo := func(a, b float64) float64 { return min(lerp(a, b, uLo), lerp(a, b, uHi)) }
	hi := func(a, b float64) float64 { return max(lerp(a, b, uLo), lerp(a, b, uHi)) }
	budget := maxMinutes - fromEndMin - min(r.endMin, d.endMin) - lo(r.waitMin, d.waitMin)
	if budget < 0 {
		return 0
	}
	vLocal, vFar := hi(r.localKmh, d.localKmh), hi(r.farKmh, d.farKmh)
	var routeM float64
	if localMin := m.localRouteM * 0.06 / vLocal; budget <= localMin {
		routeM = budget * vLocal / 0.06
	} else {
		routeM = m.localRouteM + (budget-localMin)*vFar/0.06
	}
	distM := routeM / lo(r.detour, d.detour)
	return min(capM, distM*(1+1e-9)+1e-6)
}
