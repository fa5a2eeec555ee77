package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"passerelle/matcher"
	"passerelle/store"
)

// Allocations of a caseload (issue 6, docs/ALLOCATION.md): advisors
// allocate their organisation's households at once; the allocation is
// stored and read back by id. Advisors only, like households and plans.

// MaxAllocationHouseholds is the most households in one allocation.
const MaxAllocationHouseholds = 5000

// MaxPlacementBonus is the largest placement_bonus accepted, in score
// units.
const MaxPlacementBonus = 10

// maxConcurrentAllocations is how many allocations run at once; others
// wait for a slot (within their AllocateTimeout). Each one already uses
// every core to build its options.
const maxConcurrentAllocations = 2

// allocationRequest is the body of POST /v1/allocations.
type allocationRequest struct {
	// HouseholdIDs are the caseload: ids of the advisor's organisation's
	// households, distinct, 1 to MaxAllocationHouseholds.
	HouseholdIDs []string `json:"household_ids"`
	// Top is the number of options per household (1–100, default 20).
	Top int `json:"top,omitempty"`
	// PlacementBonus is added to every placement's score (0 to
	// MaxPlacementBonus, default 1; 0 maximises the pure score total).
	PlacementBonus *float64 `json:"placement_bonus,omitempty"`
	// Locks and Forbidden are the advisors' decisions.
	Locks     []matcher.Lock   `json:"locks,omitempty"`
	Forbidden []matcher.Forbid `json:"forbidden,omitempty"`
}

// allocationParams are the parameters an allocation was computed with
// (the request with its defaults), kept with it.
type allocationParams struct {
	Top            int              `json:"top"`
	PlacementBonus float64          `json:"placement_bonus"`
	Locks          []matcher.Lock   `json:"locks"`
	Forbidden      []matcher.Forbid `json:"forbidden"`
}

// allocationDoc is the stored document of an allocation: the API answer
// without its id and creation time.
type allocationDoc struct {
	Request allocationParams `json:"request"`
	*matcher.Allocation
}

// check validates the request's shape (every problem at once) and returns
// the parameters with their defaults.
func (r *allocationRequest) check() (allocationParams, error) {
	var fields []matcher.FieldError
	switch n := len(r.HouseholdIDs); {
	case n == 0:
		fields = append(fields, fieldErr("household_ids", matcher.CodeRequired,
			"La liste des foyers à répartir est vide.", "The list of households to allocate is empty."))
	case n > MaxAllocationHouseholds:
		fields = append(fields, fieldErr("household_ids", matcher.CodeTooMany,
			fmt.Sprintf("Trop de foyers : %d (5 000 au plus par répartition).", n),
			fmt.Sprintf("Too many households: %d (at most 5,000 per allocation).", n)))
	default:
		seen := make(map[string]int, n)
		for i, id := range r.HouseholdIDs {
			f := fmt.Sprintf("household_ids[%d]", i)
			if id == "" {
				fields = append(fields, fieldErr(f, matcher.CodeRequired, "Identifiant de foyer vide.", "Empty household id."))
				continue
			}
			if j, dup := seen[id]; dup {
				fields = append(fields, fieldErr(f, matcher.CodeInvalid,
					fmt.Sprintf("Le foyer %q est déjà dans la liste (household_ids[%d]).", id, j),
					fmt.Sprintf("Household %q is already in the list (household_ids[%d]).", id, j)))
				continue
			}
			seen[id] = i
		}
	}
	p := allocationParams{Top: r.Top, PlacementBonus: 1, Locks: r.Locks, Forbidden: r.Forbidden}
	if p.Top == 0 {
		p.Top = matcher.DefaultAllocTop
	}
	if p.Top < 1 || p.Top > 100 {
		fields = append(fields, fieldErr("top", matcher.CodeOutOfRange,
			"top doit être compris entre 1 et 100.", "top must be between 1 and 100."))
	}
	if r.PlacementBonus != nil {
		p.PlacementBonus = *r.PlacementBonus
		if p.PlacementBonus < 0 || p.PlacementBonus > MaxPlacementBonus {
			fields = append(fields, fieldErr("placement_bonus", matcher.CodeOutOfRange,
				"placement_bonus doit être compris entre 0 et 10.", "placement_bonus must be between 0 and 10."))
		}
	}
	if p.Locks == nil {
		p.Locks = []matcher.Lock{}
	}
	if p.Forbidden == nil {
		p.Forbidden = []matcher.Forbid{}
	}
	if len(fields) > 0 {
		return p, &matcher.ValidationError{Fields: fields}
	}
	return p, nil
}

// options returns the matcher's options for parameters p.
func (p allocationParams) options() matcher.AllocateOptions {
	bonus := p.PlacementBonus
	if bonus == 0 {
		bonus = -1 // the matcher reads 0 as "default" and a negative value as 0
	}
	return matcher.AllocateOptions{Top: p.Top, PlacementBonus: bonus, Locks: p.Locks, Forbidden: p.Forbidden}
}

// createAllocation allocates the advisor's households at once, stores the
// allocation and answers 201 with it and its Location. A replay of an
// Idempotency-Key answers the first response without solving again.
func (s *Server) createAllocation(c *gin.Context) {
	var req allocationRequest
	if err := decodeBody(c, &req); err != nil {
		fail(c, err)
		return
	}
	params, err := req.check()
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	// A replayed request must not solve again.
	if s.replayed(c) {
		return
	}
	hs, missing, err := s.db.ReadHouseholds(ctx, actor(c), req.HouseholdIDs)
	if err != nil {
		fail(c, err)
		return
	}
	if len(missing) > 0 {
		// Unknown, deleted and other organisations' households answer
		// alike: nothing tells which exist elsewhere.
		ve := &matcher.ValidationError{}
		for _, i := range missing {
			id := req.HouseholdIDs[i]
			ve.Fields = append(ve.Fields, fieldErr(fmt.Sprintf("household_ids[%d]", i), matcher.CodeUnknownValue,
				fmt.Sprintf("Aucun foyer de votre organisation n'a l'identifiant %q.", id),
				fmt.Sprintf("No household of your organisation has the id %q.", id)))
		}
		fail(c, ve)
		return
	}
	a, err := s.allocate(ctx, hs, params.options())
	if err != nil {
		fail(c, err)
		return
	}
	doc, err := json.Marshal(allocationDoc{Request: params, Allocation: a})
	if err != nil {
		fail(c, fmt.Errorf("api: encode allocation: %w", err))
		return
	}
	s.write(c, false, func(tx *store.Tx) (response, error) {
		r, err := tx.CreateAllocation(ctx, a.Households, a.Placed, doc)
		if err != nil {
			return response{}, err
		}
		b, err := allocationJSON(r)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusCreated, body: b, location: "/v1/allocations/" + r.ID}, nil
	})
}

// allocate runs the allocation over the current engine, at most
// maxConcurrentAllocations at once and within AllocateTimeout (waiting for
// a slot included). Field errors of the matcher name the request's fields.
func (s *Server) allocate(ctx context.Context, hs []matcher.Household, opts matcher.AllocateOptions) (*matcher.Allocation, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.AllocateTimeout)
	defer cancel()
	select {
	case s.allocSlots <- struct{}{}:
		defer func() { <-s.allocSlots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("api: allocate: waiting for a slot: %w", ctx.Err())
	}
	eng, err := s.engines.Current(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	a, err := eng.Allocate(ctx, hs, opts)
	if err != nil {
		return nil, renameAllocFields(err)
	}
	// Ids and counts only: never names or free text about people.
	zerolog.Ctx(ctx).Info().Int("households", a.Households).Int("placed", a.Placed).Int("options", a.Stats.Options).
		Float64("gap", a.Gap).Int64("data_version", a.DataVersion).Dur("latency", time.Since(start)).Msg("allocation computed")
	return a, nil
}

// renameAllocFields renames the matcher's "households[i]…" fields to the
// request's "household_ids[i]…" (the household at that place of the list);
// locks[i] and forbidden[i] already name the request's fields.
func renameAllocFields(err error) error {
	var ve *matcher.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &matcher.ValidationError{Fields: make([]matcher.FieldError, len(ve.Fields))}
	for i, f := range ve.Fields {
		if rest, ok := strings.CutPrefix(f.Field, "households["); ok {
			f.Field = "household_ids[" + rest
		}
		out.Fields[i] = f
	}
	return out
}

// allocationJSON is the API answer of stored allocation r: its id and
// creation time followed by the fields of its document.
func allocationJSON(r store.AllocationRecord) (json.RawMessage, error) {
	head, err := json.Marshal(struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
	}{r.ID, r.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("api: allocation %s: %w", r.ID, err)
	}
	doc := bytes.TrimSpace(r.Doc)
	if len(doc) < 2 || doc[0] != '{' {
		return nil, fmt.Errorf("api: allocation %s: stored document is not a JSON object", r.ID)
	}
	rest := bytes.TrimSpace(doc[1:])
	out := make([]byte, 0, len(head)+len(doc)+1)
	out = append(out, head[:len(head)-1]...) // without its closing brace
	if rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}

// getAllocation answers a stored allocation (advisors of its
// organisation; another organisation's answers 404).
func (s *Server) getAllocation(c *gin.Context) {
	r, err := s.db.GetAllocation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	b, err := allocationJSON(r)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}
