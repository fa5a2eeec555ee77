package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"passerelle/geo"
	"passerelle/matcher"
	"passerelle/store"
)

// offerRoutes holds what differs between /v1/housing and /v1/jobs.
type offerRoutes[T any] struct {
	path     string // "/v1/housing"
	statuses []string
	meta     func(*T) (id, owner, status, commune *string)
	// prepare applies the defaults and validates; place also checks the
	// point against the commune (placeCheck).
	prepare  func(o *T, place bool) error
	point    func(*T) *matcher.Point
	create   func(ctx context.Context, tx *store.Tx, o T) (T, error)
	update   func(ctx context.Context, tx *store.Tx, o T) (T, error)
	withdraw func(ctx context.Context, tx *store.Tx, id string) error
	get      func(ctx context.Context, a store.Actor, id string) (T, error)
	list     func(ctx context.Context, a store.Actor, f store.OfferFilter) (store.Page[T], error)
	kind     func(string) bool // valid filter value of kind
}

func (s *Server) housingRoutes() *offerRoutes[matcher.HousingOffer] {
	return &offerRoutes[matcher.HousingOffer]{
		path:     "/v1/housing",
		statuses: []string{matcher.StatusOpen, matcher.StatusReserved, matcher.StatusLet, matcher.StatusWithdrawn},
		meta: func(o *matcher.HousingOffer) (*string, *string, *string, *string) {
			return &o.ID, &o.Owner, &o.Status, &o.Commune
		},
		prepare: func(o *matcher.HousingOffer, place bool) error {
			o.ApplyDefaults()
			return s.placeCheck(o.Validate(), o.Commune, o.Point, place)
		},
		point: func(o *matcher.HousingOffer) *matcher.Point { return o.Point },
		create: func(ctx context.Context, tx *store.Tx, o matcher.HousingOffer) (matcher.HousingOffer, error) {
			return tx.CreateHousing(ctx, o)
		},
		update: func(ctx context.Context, tx *store.Tx, o matcher.HousingOffer) (matcher.HousingOffer, error) {
			return tx.UpdateHousing(ctx, o)
		},
		withdraw: func(ctx context.Context, tx *store.Tx, id string) error { return tx.WithdrawHousing(ctx, id) },
		get:      s.db.GetHousing,
		list:     s.db.ListHousing,
		kind: func(v string) bool {
			for _, k := range matcher.LandlordKinds {
				if string(k) == v {
					return true
				}
			}
			return false
		},
	}
}

func (s *Server) jobRoutes() *offerRoutes[matcher.JobOffer] {
	return &offerRoutes[matcher.JobOffer]{
		path:     "/v1/jobs",
		statuses: []string{matcher.StatusOpen, matcher.StatusFilled, matcher.StatusWithdrawn},
		meta: func(o *matcher.JobOffer) (*string, *string, *string, *string) {
			return &o.ID, &o.Owner, &o.Status, &o.Commune
		},
		prepare: func(o *matcher.JobOffer, place bool) error {
			o.ApplyDefaults()
			return s.placeCheck(o.Validate(), o.Commune, o.Point, place)
		},
		point: func(o *matcher.JobOffer) *matcher.Point { return o.Point },
		create: func(ctx context.Context, tx *store.Tx, o matcher.JobOffer) (matcher.JobOffer, error) {
			return tx.CreateJob(ctx, o)
		},
		update: func(ctx context.Context, tx *store.Tx, o matcher.JobOffer) (matcher.JobOffer, error) {
			return tx.UpdateJob(ctx, o)
		},
		withdraw: func(ctx context.Context, tx *store.Tx, id string) error { return tx.WithdrawJob(ctx, id) },
		get:      s.db.GetJob,
		list:     s.db.ListJobs,
		kind: func(v string) bool {
			for _, k := range matcher.Contracts {
				if string(k) == v {
					return true
				}
			}
			return false
		},
	}
}

// placeCheck adds to a validation result an error when the commune's
// department is unknown to the engine's atlas: such an offer could never be
// planned, so it is refused rather than stored; and, with place, one when
// the point lies too far from its commune to be in it
// (geo.Atlas.CheckPoint): a typing error that would place the offer
// elsewhere. A PATCH asks for the second only when it changes the point
// or the commune: closing an offer stored before the check, or under an
// atlas that could not judge it, must not fail over its point.
func (s *Server) placeCheck(verr error, commune string, point *matcher.Point, place bool) error {
	var fields []matcher.FieldError
	var ve *matcher.ValidationError
	if errors.As(verr, &ve) {
		fields = append(fields, ve.Fields...)
	} else if verr != nil {
		return verr
	}
	if geo.ValidCommuneCode(commune) {
		atlas := s.engines.Loaded().Atlas()
		if _, _, err := atlas.Locate(commune); err != nil {
			fields = append(fields, fieldErr("commune", "unknown_commune",
				"Commune inconnue et département inconnu : l'offre ne pourrait être proposée à personne.",
				"Unknown commune in an unknown department: the offer could not be proposed to anyone."))
		} else if place && point != nil && !slices.ContainsFunc(fields, func(f matcher.FieldError) bool { return strings.HasPrefix(f.Field, "point") }) {
			if km, limit, ok := atlas.CheckPoint(commune, point.Lon, point.Lat); !ok {
				fields = append(fields, matcher.PointFarError("point", commune, km, limit))
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &matcher.ValidationError{Fields: fields}
}

// checkMeta refuses server-owned fields in a create or patch body: the id
// is assigned by the server, the owner is the key's organisation (admins may
// name one at creation), and the status is changed by PATCH (open, reserved,
// let / filled) or DELETE (withdrawn).
func checkMeta(a store.Actor, wantID, id, wantOwner, owner string) error {
	var fields []matcher.FieldError
	if id != wantID {
		fields = append(fields, fieldErr("id", "read_only", "L'identifiant est attribué par le serveur.", "The id is assigned by the server."))
	}
	if owner != wantOwner && !(a.Role == store.RoleAdmin && wantOwner == "") {
		fields = append(fields, fieldErr("owner", "read_only", "Le propriétaire est l'organisation de la clé d'API.",
			"The owner is the API key's organisation."))
	}
	if len(fields) > 0 {
		return &matcher.ValidationError{Fields: fields}
	}
	return nil
}

func (r *offerRoutes[T]) register(s *Server, g *gin.RouterGroup, writer store.Role) {
	read := only(writer, store.RoleAdmin, store.RoleAdvisor)
	write := only(writer, store.RoleAdmin)
	rel := strings.TrimPrefix(r.path, g.BasePath())
	g.POST(rel, write, func(c *gin.Context) { r.createH(s, c) })
	g.GET(rel, read, func(c *gin.Context) { r.listH(c) })
	g.GET(rel+"/:id", read, func(c *gin.Context) { r.getH(c) })
	g.PATCH(rel+"/:id", write, func(c *gin.Context) { r.patchH(s, c) })
	g.DELETE(rel+"/:id", write, func(c *gin.Context) { r.deleteH(s, c) })
}

func (r *offerRoutes[T]) createH(s *Server, c *gin.Context) {
	var o T
	if err := decodeBody(c, &o); err != nil {
		fail(c, err)
		return
	}
	a := actor(c)
	id, owner, status, _ := r.meta(&o)
	wantOwner := ""
	if *owner == a.Org {
		wantOwner = a.Org
	}
	if err := checkMeta(a, "", *id, wantOwner, *owner); err != nil {
		fail(c, err)
		return
	}
	if *status == "" {
		*status = matcher.StatusOpen
	}
	if err := r.checkStatus(*status, false); err != nil {
		fail(c, err)
		return
	}
	if err := r.prepare(&o, true); err != nil {
		fail(c, err)
		return
	}
	s.write(c, true, func(tx *store.Tx) (response, error) {
		out, err := r.create(c.Request.Context(), tx, o)
		if err != nil {
			return response{}, err
		}
		id, _, _, _ := r.meta(&out)
		return response{status: http.StatusCreated, body: out, location: r.path + "/" + *id}, nil
	})
}

func (r *offerRoutes[T]) checkStatus(st string, patch bool) error {
	for _, v := range r.statuses {
		if v == st && (v != matcher.StatusWithdrawn) {
			return nil
		}
	}
	if st == matcher.StatusWithdrawn && patch {
		return &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("status", "use_delete",
			"Pour retirer une offre, utilisez DELETE.", "To withdraw an offer, use DELETE.")}}
	}
	return &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("status", "invalid_enum",
		"Statut inconnu ou non modifiable ainsi.", "Unknown status, or not one that can be set this way.")}}
}

func (r *offerRoutes[T]) getH(c *gin.Context) {
	o, err := r.get(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// patchH applies a JSON merge patch: fields present replace the stored
// ones, the result is validated as a whole, and nothing is changed when
// anything is wrong. A withdrawn offer cannot be patched (it is kept for
// the record): 409.
func (r *offerRoutes[T]) patchH(s *Server, c *gin.Context) {
	a := actor(c)
	cur, err := r.get(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	// A landlord's read is owner-scoped like its writes; an advisor never
	// reaches here (403).
	curID, curOwner, curStatus, _ := r.meta(&cur)
	if *curStatus == matcher.StatusWithdrawn {
		fail(c, newProblem(http.StatusConflict, "withdrawn", "Cette offre est retirée ; publiez-en une nouvelle.",
			"This offer is withdrawn; post a new one."))
		return
	}
	wantID, wantOwner := *curID, *curOwner
	// The place before the patch, copied: decoding into o writes through
	// the point it shares with cur.
	_, _, _, curCommune := r.meta(&cur)
	wasCommune, wasPoint := *curCommune, r.point(&cur)
	if wasPoint != nil {
		p := *wasPoint
		wasPoint = &p
	}
	o := cur
	if err := decodeBody(c, &o); err != nil {
		fail(c, err)
		return
	}
	id, owner, status, _ := r.meta(&o)
	if err := checkMeta(store.Actor{}, wantID, *id, wantOwner, *owner); err != nil {
		fail(c, err)
		return
	}
	if err := r.checkStatus(*status, true); err != nil {
		fail(c, err)
		return
	}
	_, _, _, commune := r.meta(&o)
	np := r.point(&o)
	moved := *commune != wasCommune || (wasPoint == nil) != (np == nil) || np != nil && *np != *wasPoint
	if err := r.prepare(&o, moved); err != nil {
		fail(c, err)
		return
	}
	s.write(c, true, func(tx *store.Tx) (response, error) {
		out, err := r.update(c.Request.Context(), tx, o)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: out}, nil
	})
}

// deleteH withdraws the offer: it stays stored with status withdrawn and
// leaves every plan computed after the answer.
func (r *offerRoutes[T]) deleteH(s *Server, c *gin.Context) {
	s.write(c, true, func(tx *store.Tx) (response, error) {
		if err := r.withdraw(c.Request.Context(), tx, c.Param("id")); err != nil {
			return response{}, err
		}
		return response{status: http.StatusNoContent}, nil
	})
}

// listH lists offers with filters: commune, department, status, kind
// (landlord kind or contract), rome (jobs), cursor and limit (1–100).
func (r *offerRoutes[T]) listH(c *gin.Context) {
	f := store.OfferFilter{
		Commune: c.Query("commune"), Department: c.Query("department"), Status: c.Query("status"),
		Kind: c.Query("kind"), ROME: c.Query("rome"), Cursor: c.Query("cursor"),
	}
	var fields []matcher.FieldError
	if f.Commune != "" && !geo.ValidCommuneCode(f.Commune) {
		fields = append(fields, fieldErr("commune", "invalid_code", "Code INSEE invalide.", "Invalid INSEE code."))
	}
	if f.Status != "" && !contains(r.statuses, f.Status) {
		fields = append(fields, fieldErr("status", "invalid_enum", "Statut inconnu.", "Unknown status."))
	}
	if f.Kind != "" && !r.kind(f.Kind) {
		fields = append(fields, fieldErr("kind", "invalid_enum", "Type inconnu.", "Unknown kind."))
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > store.MaxPageSize {
			fields = append(fields, fieldErr("limit", "out_of_range", "limit doit être un entier de 1 à 100.", "limit must be an integer from 1 to 100."))
		}
		f.Limit = n
	}
	if len(fields) > 0 {
		fail(c, &matcher.ValidationError{Fields: fields})
		return
	}
	p, err := r.list(c.Request.Context(), actor(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageJSON(p))
}

// pageBody is one page of a list: the items and the cursor of the next
// page ("" on the last).
type pageBody[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next_cursor,omitempty"`
}

func pageJSON[T any](p store.Page[T]) pageBody[T] {
	if p.Items == nil {
		p.Items = []T{}
	}
	return pageBody[T]{Items: p.Items, Next: p.Next}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
