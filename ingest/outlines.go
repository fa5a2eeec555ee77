package ingest

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"passerelle/geo"
)

// Outline is the boundary of a department or a region from a GeoJSON
// FeatureCollection: its code, name and polygons, each a list of rings
// (outer first, then holes) of [lon, lat] points in WGS84 degrees. The
// nesting is that of orb.MultiPolygon, to which it converts element by
// element.
type Outline struct {
	Code     string
	Name     string
	Polygons [][][][2]float64
}

// Contains reports whether the point (lon, lat) lies inside the outline
// (even-odd rule over every ring, so holes are excluded).
func (o *Outline) Contains(lon, lat float64) bool {
	in := false
	for _, poly := range o.Polygons {
		for _, ring := range poly {
			for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
				a, b := ring[i], ring[j]
				if (a[1] > lat) != (b[1] > lat) && lon < (b[0]-a[0])*(lat-a[1])/(b[1]-a[1])+a[0] {
					in = !in
				}
			}
		}
	}
	return in
}

// geoFeature is the part of a GeoJSON feature that is read.
type geoFeature struct {
	Type       string `json:"type"`
	Properties struct {
		Code json.RawMessage `json:"code"`
		Nom  string          `json:"nom"`
	} `json:"properties"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// ReadOutlines reads department or region outlines from a GeoJSON
// FeatureCollection (departements-version-simplifiee.geojson,
// regions-version-simplifiee.geojson) whose features carry the properties
// code and nom and a Polygon or MultiPolygon geometry. Codes must be
// department codes (2 or 3 characters) or region codes; every point must
// lie in France (InFrance); rings need at least 4 points. Errors name the
// line and the feature (column "features[i]"); the error wraps
// ErrMalformed, ErrInvalidRow or ErrTooManyErrors and the slice is nil.
func ReadOutlines(r io.Reader, opts Options) ([]Outline, *Report, error) {
	file := opts.name("outlines.geojson")
	rep := &Report{File: file}
	var out []Outline
	i := 0
	var fatal error
	_, found, err := walkJSON(r, file, "features", func(f *geoFeature, line int, typeErr *RowError) error {
		defer func() { i++ }()
		rep.Rows++
		col := "features[" + strconv.Itoa(i) + "]"
		reject := func(code, fr, en string) error {
			e := RowError{File: file, Line: line, Column: col, Code: code, MessageFR: fr, MessageEN: en, err: ErrInvalidRow}
			rep.addError(e)
			count(&rep.Rejected, code, 1)
			if opts.MaxErrors >= 0 && rep.RejectedRows() > opts.MaxErrors {
				fatal = tooMany(file, opts.MaxErrors, &e)
				return fatal
			}
			return nil
		}
		if typeErr != nil {
			return reject(CodeMalformed, typeErr.MessageFR, typeErr.MessageEN)
		}
		code := string(bytes.Trim(f.Properties.Code, `"`))
		if !geo.ValidDepartmentCode(code) && !(len(code) == 2 && isDigits(code)) {
			return reject(CodeInvalid, "Le code de l'entité n'est ni un code de département ni un code de région.", "The feature's code is neither a department nor a region code.")
		}
		if f.Geometry == nil {
			return reject(CodeRequired, "L'entité n'a pas de géométrie.", "The feature has no geometry.")
		}
		o := Outline{Code: code, Name: f.Properties.Nom}
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return reject(CodeMalformed, "Les coordonnées du polygone sont mal formées.", "The polygon's coordinates are malformed.")
			}
			o.Polygons = [][][][2]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &o.Polygons); err != nil {
				return reject(CodeMalformed, "Les coordonnées du multipolygone sont mal formées.", "The multipolygon's coordinates are malformed.")
			}
		default:
			return reject(CodeUnknownValue, "La géométrie doit être un Polygon ou un MultiPolygon.", "The geometry must be a Polygon or a MultiPolygon.")
		}
		if len(o.Polygons) == 0 {
			return reject(CodeRequired, "La géométrie est vide.", "The geometry is empty.")
		}
		for _, poly := range o.Polygons {
			if len(poly) == 0 {
				return reject(CodeRequired, "Un polygone est vide.", "A polygon is empty.")
			}
			for _, ring := range poly {
				if len(ring) < 4 {
					return reject(CodeInvalid, "Un anneau du polygone a moins de 4 points.", "A ring of the polygon has fewer than 4 points.")
				}
				for _, p := range ring {
					if !InFrance(p[0], p[1]) {
						return reject(CodeOutsideFrance, "Un point du contour est hors de France.", "A point of the outline is outside France.")
					}
				}
			}
		}
		rep.Accepted++
		out = append(out, o)
		return nil
	})
	if err == nil && !found {
		err = &RowError{File: file, Line: 1, Column: "features", Code: CodeMissingColumn,
			MessageFR: "Le GeoJSON n'a pas de liste «\u00a0features\u00a0».", MessageEN: `The GeoJSON has no "features" array.`, err: ErrMissingColumn}
	}
	if err != nil {
		if re, ok := err.(*RowError); ok {
			rep.addError(*re)
			count(&rep.Rejected, re.Code, 1)
		}
		return nil, rep, err
	}
	return out, rep, nil
}
