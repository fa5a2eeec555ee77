package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"passerelle/matcher"
	"passerelle/store"
)

// Households: advisors of the owning organisation only (DESIGN §8). Every
// read and write leaves an audit row (the store writes it).

func (s *Server) createHousehold(c *gin.Context) {
	var h matcher.Household
	if err := decodeBody(c, &h); err != nil {
		fail(c, err)
		return
	}
	if h.ID != "" {
		fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("id", "read_only",
			"L'identifiant est attribué par le serveur.", "The id is assigned by the server.")}})
		return
	}
	h.ApplyDefaults()
	if err := h.Validate(); err != nil {
		fail(c, err)
		return
	}
	s.write(c, false, func(tx *store.Tx) (response, error) {
		out, err := tx.CreateHousehold(c.Request.Context(), h)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusCreated, body: out, location: "/v1/households/" + out.ID}, nil
	})
}

func (s *Server) getHousehold(c *gin.Context) {
	h, err := s.db.ReadHousehold(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// patchHousehold applies a JSON merge patch onto the stored household and
// validates the whole result; nothing changes when anything is wrong.
func (s *Server) patchHousehold(c *gin.Context) {
	id := c.Param("id")
	var h matcher.Household
	// Read, merge and write in one transaction so that two patches cannot
	// interleave.
	body, err := readBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	s.write(c, false, func(tx *store.Tx) (response, error) {
		cur, err := tx.Household(c.Request.Context(), id)
		if err != nil {
			return response{}, err
		}
		h = cur
		if err := decodeStrict(body, &h); err != nil {
			return response{}, err
		}
		if h.ID != id {
			return response{}, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("id", "read_only",
				"L'identifiant ne peut pas changer.", "The id cannot change.")}}
		}
		h.ApplyDefaults()
		if err := h.Validate(); err != nil {
			return response{}, err
		}
		out, err := tx.UpdateHousehold(c.Request.Context(), h)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: out}, nil
	})
}

func (s *Server) deleteHousehold(c *gin.Context) {
	s.write(c, false, func(tx *store.Tx) (response, error) {
		if err := tx.DeleteHousehold(c.Request.Context(), c.Param("id")); err != nil {
			return response{}, err
		}
		return response{status: http.StatusNoContent}, nil
	})
}

func (s *Server) listHouseholds(c *gin.Context) {
	limit := 0
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > store.MaxPageSize {
			fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("limit", "out_of_range",
				"limit doit être un entier de 1 à 100.", "limit must be an integer from 1 to 100.")}})
			return
		}
		limit = n
	}
	p, err := s.db.ListHouseholds(c.Request.Context(), actor(c), c.Query("cursor"), limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageJSON(p))
}

// planRequest is the optional body of POST /v1/households/{id}/plans.
type planRequest struct {
	// Top is the number of options (1–100, default 10).
	Top int `json:"top,omitempty"`
}

// planBody is a stored plan as the API shows it: the DESIGN §4 plan
// document with the plan's id, status, creation time and decision ledger.
type planBody struct {
	ID        string         `json:"id"`
	Status    string         `json:"status"`
	CreatedAt time.Time      `json:"created_at"`
	Decisions []decisionBody `json:"decisions"`
	*matcher.Plan
}

type decisionBody struct {
	At       time.Time `json:"at"`
	Decision string    `json:"decision"`
	Reason   string    `json:"reason"`
}

func newPlanBody(r store.PlanRecord, ds []store.Decision) planBody {
	b := planBody{ID: r.ID, Status: r.Status, CreatedAt: r.CreatedAt, Plan: &r.Plan, Decisions: []decisionBody{}}
	for _, d := range ds {
		b.Decisions = append(b.Decisions, decisionBody{At: d.At, Decision: d.Decision, Reason: d.Reason})
	}
	return b
}

// createPlan computes a plan for the household (through the cache) and
// stores it with status proposed: 201 with the plan and its Location.
func (s *Server) createPlan(c *gin.Context) {
	var req planRequest
	body, err := readBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	if len(body) > 0 {
		if err := decodeStrict(body, &req); err != nil {
			fail(c, err)
			return
		}
	}
	if req.Top == 0 {
		req.Top = 10
	}
	if req.Top < 1 || req.Top > 100 {
		fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("top", "out_of_range",
			"top doit être compris entre 1 et 100.", "top must be between 1 and 100.")}})
		return
	}
	ctx := c.Request.Context()
	// A replayed request must not compute a new plan.
	if s.replayed(c) {
		return
	}
	id := c.Param("id")
	doc, version, err := s.db.ReadHouseholdDoc(ctx, actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.plan(c, id, doc, version, req.Top)
	if err != nil {
		fail(c, err)
		return
	}
	s.write(c, false, func(tx *store.Tx) (response, error) {
		r, err := tx.CreatePlan(ctx, id, *p)
		if err != nil {
			return response{}, err
		}
		// The ledger starts with the proposal itself.
		d, err := tx.AddDecision(ctx, r.ID, store.DecisionProposed, "plan generated")
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusCreated, body: newPlanBody(r, []store.Decision{d}), location: "/v1/plans/" + r.ID}, nil
	})
}

// previewPlan answers GET /v1/households/{id}/plan?top=N: the household's
// plan now, computed or from the cache, without storing it (the advisor
// looks before proposing; POST …/plans stores one).
func (s *Server) previewPlan(c *gin.Context) {
	top := 10
	if v := c.Query("top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			fail(c, &matcher.ValidationError{Fields: []matcher.FieldError{fieldErr("top", "out_of_range",
				"top doit être compris entre 1 et 100.", "top must be between 1 and 100.")}})
			return
		}
		top = n
	}
	id := c.Param("id")
	doc, version, err := s.db.ReadHouseholdDoc(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Vary", "Accept-Encoding")
	if acceptsGzip(c) {
		b, err := s.planGzip(c, id, doc, version, top)
		if err != nil {
			fail(c, err)
			return
		}
		h := c.Writer.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(b)))
		c.Status(http.StatusOK)
		_, _ = c.Writer.Write(b)
		return
	}
	b, err := s.planJSON(c, id, doc, version, top)
	if err != nil {
		fail(c, err)
		return
	}
	writePlan(c, b, id)
}

// plan returns the plan of h over the current engine, decoded (for the
// routes that store it).
func (s *Server) plan(c *gin.Context, id string, doc []byte, version int64, top int) (*matcher.Plan, error) {
	b, err := s.planJSON(c, id, doc, version, top)
	if err != nil {
		return nil, err
	}
	var p matcher.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("api: decode cached plan: %w", err)
	}
	p.HouseholdID = id
	return &p, nil
}

// planPrefix starts the JSON of every cached plan: plans are cached
// without their household's id (identical situations share one), and
// writePlan splices the id in.
var planPrefix = []byte(`{"household_id":""`)

// planJSON returns the plan of household id, whose stored document is doc
// (store.ReadHouseholdDoc, with the data version read with it), over an
// engine at that version or later, as JSON with an empty
// household_id, from the cache when an identical household was
// planned at the same data version, weights and day. Concurrent misses on
// one key compute once, detached from the first caller's cancellation. The
// X-Cache header says HIT, MISS or BYPASS (the cache failed; the plan was
// computed anyway). A hit is answered as the cached bytes, never decoded.
func (s *Server) planJSON(c *gin.Context, id string, doc []byte, version int64, top int) ([]byte, error) {
	ctx := c.Request.Context()
	eng, key, err := s.keyFor(ctx, doc, version, top)
	if err != nil {
		return nil, err
	}
	status := "MISS"
	if b, ok, err := s.cache.Get(ctx, key); err != nil {
		status = "BYPASS"
		s.metrics.cache.WithLabelValues("error").Inc()
		zerolog.Ctx(ctx).Warn().Str("cache_error", err.Error()).Msg("plan cache read failed")
	} else if ok && bytes.HasPrefix(b, planPrefix) {
		s.metrics.cache.WithLabelValues("hit").Inc()
		setCache(c, "HIT")
		return b, nil
	}
	v, err, _ := s.flight.Do(key, func() (any, error) {
		// Another caller may have stored the plan between our read and
		// this flight: look once more, so that a plan is computed once.
		// Also after a failed read (BYPASS): a slow Redis may have timed
		// out under load while the in-process tier now holds the plan.
		if b, ok, err := s.cache.Get(ctx, key); err == nil && ok && bytes.HasPrefix(b, planPrefix) {
			return b, nil
		}
		h, err := store.DecodeHousehold(id, doc)
		if err != nil {
			return nil, err
		}
		cctx, cancel := contextWithTimeout(ctx, s.cfg.PlanTimeout)
		defer cancel()
		start := time.Now()
		p, err := eng.Plan(cctx, &h, matcher.PlanOptions{Top: top})
		if err != nil {
			return nil, err
		}
		s.metrics.plan.Observe(time.Since(start).Seconds())
		p.HouseholdID = ""
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		// ±10 % jitter spreads the expiry of plans computed together.
		ttl := time.Duration(float64(s.cfg.PlanTTL) * (0.9 + 0.2*rand.Float64()))
		if err := s.cache.Set(cctx, key, b, ttl); err != nil {
			s.metrics.cache.WithLabelValues("error").Inc()
			zerolog.Ctx(ctx).Warn().Str("cache_error", err.Error()).Msg("plan cache write failed")
		}
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	if status == "MISS" {
		s.metrics.cache.WithLabelValues("miss").Inc()
	} else {
		s.metrics.cache.WithLabelValues("bypass").Inc()
	}
	setCache(c, status)
	return v.([]byte), nil
}

// keyFor returns an engine at data version version or later and the cache
// key of the plan of household document doc with top options over it.
func (s *Server) keyFor(ctx context.Context, doc []byte, version int64, top int) (*matcher.Engine, string, error) {
	eng, err := s.engines.AtLeast(ctx, version)
	if err != nil {
		return nil, "", err
	}
	w, err := s.weightsJSON(eng.Weights())
	if err != nil {
		return nil, "", err
	}
	return eng, planKey(s.dbID, doc, w, eng.Version(), eng.Base(), top, s.cfg.Now().UTC().Format(time.DateOnly)), nil
}

// weightsMemo is the JSON of one set of weights.
type weightsMemo struct {
	w matcher.Weights
	b []byte
}

// weightsJSON returns w as JSON, for cache keys. Every engine of a server
// has the same weights, so the encoding is kept and reused while they are
// equal.
func (s *Server) weightsJSON(w matcher.Weights) ([]byte, error) {
	if m := s.weights.Load(); m != nil && m.w == w {
		return m.b, nil
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("api: plan key: %w", err)
	}
	s.weights.Store(&weightsMemo{w: w, b: b})
	return b, nil
}

// planGzip returns the plan of household id compressed with gzip, with its
// household_id: a client that accepts gzip receives a tenth of the bytes
// (44 KB of JSON for ten options become about 7 KB). The compressed plan is
// cached per household (the id is inside), beside the shared JSON, so a hit
// costs no compression.
func (s *Server) planGzip(c *gin.Context, id string, doc []byte, version int64, top int) ([]byte, error) {
	ctx := c.Request.Context()
	_, key, err := s.keyFor(ctx, doc, version, top)
	if err != nil {
		return nil, err
	}
	gzKey := key + ":gz:" + id
	if b, ok, err := s.cache.Get(ctx, gzKey); err == nil && ok {
		s.metrics.cache.WithLabelValues("hit").Inc()
		setCache(c, "HIT")
		return b, nil
	}
	b, err := s.planJSON(c, id, doc, version, top)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	q, _ := json.Marshal(id) // a string always encodes
	_, _ = zw.Write([]byte(`{"household_id":`))
	_, _ = zw.Write(q)
	_, _ = zw.Write(b[len(planPrefix):])
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("api: compress plan: %w", err)
	}
	ttl := time.Duration(float64(s.cfg.PlanTTL) * (0.9 + 0.2*rand.Float64()))
	if err := s.cache.Set(ctx, gzKey, buf.Bytes(), ttl); err != nil {
		s.metrics.cache.WithLabelValues("error").Inc()
	}
	return buf.Bytes(), nil
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (listed without q=0).
func acceptsGzip(c *gin.Context) bool {
	for _, part := range strings.Split(c.GetHeader("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// writePlan answers 200 with plan JSON b (from planJSON) for household id,
// written in place (b is shared with the cache and never modified).
func writePlan(c *gin.Context, b []byte, id string) {
	q, _ := json.Marshal(id) // a string always encodes
	head := append([]byte(`{"household_id":`), q...)
	rest := b[len(planPrefix):]
	h := c.Writer.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(head)+len(rest)))
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(head)
	_, _ = c.Writer.Write(rest)
}

// contextWithTimeout detaches ctx from its caller's cancellation (other
// callers may wait on the same computation) and bounds it by d.
func contextWithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

func setCache(c *gin.Context, status string) {
	c.Set(ctxCache, status)
	c.Header("X-Cache", status)
}

// planKey is the cache key of a plan: the database's identity, the hash of
// the household's stored document (its content; the id is not part of
// it), the engine's weights (as JSON) and data version, with, for an
// engine that applied writes without a rebuild (Engines.Wrote), the
// version its indexes were built from (it lacks the offers created
// since, so its plans must not be served once a rebuild has them), the
// number of options and the day (eligibility and dates depend on it).
func planKey(db string, doc, weights []byte, version, base int64, top int, today string) string {
	sum := sha256.New()
	sum.Write(doc)
	sum.Write([]byte{0})
	sum.Write(weights)
	var h [sha256.Size]byte
	var hx [2 * sha256.Size]byte
	hex.Encode(hx[:], sum.Sum(h[:0]))
	b := make([]byte, 0, 128)
	b = append(b, "passerelle:plan:v2:"...)
	b = append(b, db...)
	b = append(b, ':')
	b = append(b, hx[:40]...)
	b = append(b, ':')
	b = strconv.AppendInt(b, version, 10)
	if base != version {
		b = append(b, '~')
		b = strconv.AppendInt(b, base, 10)
	}
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(top), 10)
	b = append(b, ':')
	b = append(b, today...)
	return string(b)
}

// getPlan answers a stored plan with its decision ledger.
func (s *Server) getPlan(c *gin.Context) {
	ctx, a, id := c.Request.Context(), actor(c), c.Param("id")
	r, err := s.db.GetPlan(ctx, a, id)
	if err != nil {
		fail(c, err)
		return
	}
	ds, err := s.db.Decisions(ctx, a, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newPlanBody(r, ds))
}

// decisionRequest is the body of PATCH /v1/plans/{id}.
type decisionRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// MaxReason is the longest decision reason accepted, in characters.
const MaxReason = 2000

// patchPlan appends a decision to the plan's ledger and answers the plan.
func (s *Server) patchPlan(c *gin.Context) {
	var req decisionRequest
	if err := decodeBody(c, &req); err != nil {
		fail(c, err)
		return
	}
	var fields []matcher.FieldError
	if !store.ValidDecision(req.Decision) {
		fields = append(fields, fieldErr("decision", "invalid_enum",
			"Décision inconnue : proposed, accepted, declined_household, declined_landlord, declined_employer, lease_signed ou job_started.",
			"Unknown decision: proposed, accepted, declined_household, declined_landlord, declined_employer, lease_signed or job_started."))
	}
	if req.Reason == "" {
		fields = append(fields, fieldErr("reason", "required", "Le motif de la décision est obligatoire.", "The reason for the decision is required."))
	} else if len([]rune(req.Reason)) > MaxReason {
		fields = append(fields, fieldErr("reason", "too_long", "Motif trop long (2 000 caractères au plus).", "Reason too long (at most 2,000 characters)."))
	}
	if len(fields) > 0 {
		fail(c, &matcher.ValidationError{Fields: fields})
		return
	}
	id := c.Param("id")
	s.write(c, false, func(tx *store.Tx) (response, error) {
		ctx := c.Request.Context()
		if _, err := tx.AddDecision(ctx, id, req.Decision, req.Reason); err != nil {
			return response{}, err
		}
		r, err := tx.Plan(ctx, id)
		if err != nil {
			return response{}, err
		}
		ds, err := tx.Decisions(ctx, id)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusOK, body: newPlanBody(r, ds)}, nil
	})
}
