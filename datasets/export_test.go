package datasets

// Town is a fixed real commune of the synthetic market, exposed to tests.
type Town struct {
	Code, Name string
	Lon, Lat   float64
	Zone       string
	Pop        int
}

// Towns returns the fixed towns table for tests.
func Towns() []Town {
	out := make([]Town, len(townTable))
	for i, t := range townTable {
		out[i] = Town{t.code, t.name, t.lon, t.lat, string(t.zone), t.pop}
	}
	return out
}
