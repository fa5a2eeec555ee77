package geo

import "github.com/paulmach/orb"

// Mode is a way of commuting.
type Mode string

// The commute modes, in the order plans list them.
const (
	Walk    Mode = "walk"
	Bike    Mode = "bike"
	Transit Mode = "transit"
	Car     Mode = "car"
)

// Modes lists every Mode in a fixed order.
var Modes = []Mode{Walk, Bike, Transit, Car}

// Valid reports whether m is one of the four modes.
func (m Mode) Valid() bool {
	switch m {
	case Walk, Bike, Transit, Car:
		return true
	}
	return false
}

// End is one end of a commute: a point and what the model needs to know of
// the place around it.
type End struct {
	Point          orb.Point // [lon, lat]
	DensityKm2     float64   // inhabitants per km² of the commune
	EmploymentArea string    // INSEE zone d'emploi code, "" if unknown
}

// Router estimates door-to-door commute times. A road-network router can
// replace the distance-based Model behind this interface.
type Router interface {
	// Minutes returns the commute time from one end to the other by mode,
	// in minutes, and false when the mode is not available between them
	// (for example no transit between two sparse places).
	Minutes(from, to End, mode Mode) (minutes float64, ok bool)
	// MaxReachM returns an upper bound, in meters of straight-line
	// distance, of how far any of modes can go within maxMinutes, whatever
	// the ends. Callers use it as a search radius.
	MaxReachM(maxMinutes float64, modes []Mode) float64
}

// Best returns the fastest of modes between from and to by r, its time in
// minutes and true, or false when no mode is available.
func Best(r Router, from, to End, modes []Mode) (Mode, float64, bool) {
	var best Mode
	bestMin, found := 0.0, false
	for _, m := range modes {
		t, ok := r.Minutes(from, to, m)
		if ok && (!found || t < bestMin) {
			best, bestMin, found = m, t, true
		}
	}
	return best, bestMin, found
}
