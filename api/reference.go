package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"passerelle/geo"
	"passerelle/matcher"
)

// territoryBody is GET /v1/territories/{insee}: a commune and its
// indicators. Fallback is true when the commune is unknown and its
// department's prefecture stands in for it (as in plans).
type territoryBody struct {
	geo.Commune
	Fallback       bool    `json:"fallback"`
	DepartmentName string  `json:"department_name"`
	RegionName     string  `json:"region_name"`
	Lon            float64 `json:"lon"`
	Lat            float64 `json:"lat"`
}

func (s *Server) territory(c *gin.Context) {
	code := c.Param("insee")
	if !geo.ValidCommuneCode(code) {
		fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("insee", "invalid_code",
			"Code INSEE invalide : 5 caractères, par exemple 69123 ou 2A004.", "Invalid INSEE code: 5 characters, e.g. 69123 or 2A004.")}})
		return
	}
	atlas := s.engines.Loaded().Atlas()
	cm, fallback, err := atlas.Locate(code)
	if err != nil {
		fail(c, newProblem(http.StatusNotFound, "unknown_commune", "Commune et département inconnus.", "Unknown commune and department."))
		return
	}
	b := territoryBody{Commune: *cm, Fallback: fallback, Lon: cm.Point[0], Lat: cm.Point[1]}
	if d, ok := atlas.Department(cm.Department); ok {
		b.DepartmentName, b.RegionName = d.Name, d.RegionName
	}
	c.JSON(http.StatusOK, b)
}

// occEntry is an occupation with its folded search text.
type occEntry struct {
	Occupation
	folded string
}

func indexOccupations(list []Occupation) []occEntry {
	out := make([]occEntry, len(list))
	for i, o := range list {
		out[i] = occEntry{Occupation: o, folded: fold(o.Code + " " + o.Title)}
	}
	return out
}

// fold lowercases s and strips its accents: "Aide-soignant·e" and
// "AIDE SOIGNANT" match.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// occupations answers GET /v1/occupations?q=&limit=: the occupations whose
// code or title contains every word of q, accents and case ignored (at
// most limit, default 20, max 100), codes first then titles.
func (s *Server) occupations(c *gin.Context) {
	q := c.Query("q")
	limit := 20
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("limit", "out_of_range",
				"limit doit être un entier de 1 à 100.", "limit must be an integer from 1 to 100.")}})
			return
		}
		limit = n
	}
	if len(q) > 200 {
		fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("q", "too_long",
			"Recherche trop longue (200 caractères au plus).", "Search too long (at most 200 characters).")}})
		return
	}
	words := strings.Fields(fold(q))
	items := []Occupation{}
	for _, o := range s.occ {
		ok := true
		for _, w := range words {
			if !strings.Contains(o.folded, w) {
				ok = false
				break
			}
		}
		if ok {
			items = append(items, o.Occupation)
			if len(items) == limit {
				break
			}
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
