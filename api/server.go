// Package api is Passerelle's HTTP API (gin): routes, API-key auth and
// roles, strict request decoding, errors as application/problem+json,
// idempotency keys, the OpenAPI document, Prometheus metrics and one
// zerolog logger per request. It declares the Cache it needs; the Redis
// implementation lives in api/rediscache and is injected by cmd.
//
// Roles (DESIGN §8): landlords write their own housing offers, employers
// their own jobs, advisors their organisation's households and plans and
// read every offer; admins manage every offer. Another organisation's
// object answers 404, a wrong role 403, no or a bad key 401.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"passerelle/store"
)

// Occupation is one entry of the occupation search: a ROME code and its
// French title.
type Occupation struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// Config wires a Server. DB and Engines are required.
type Config struct {
	DB      *store.DB
	Engines *Engines
	// Cache holds computed plans; nil means an in-process LRU of 4,096
	// plans.
	Cache Cache
	// Notifier, when set, tells other replicas about committed offer
	// writes (see Engines.Watch for the receiving side).
	Notifier Notifier
	// Log is the root logger; each request gets a child logger.
	Log zerolog.Logger
	// RateLimit is the sustained number of requests per second allowed
	// per API key (default 100; negative disables), with bursts of
	// RateBurst (default 2×RateLimit).
	RateLimit float64
	RateBurst int
	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// (gin's SetTrustedProxies); nil trusts none.
	TrustedProxies []string
	// Registry receives the metrics; nil means a new registry.
	Registry *prometheus.Registry
	// PlanTTL is how long a computed plan stays cached (default 10 min,
	// with ±10 % jitter). A write bumps the data version, which is part of
	// the key, so a cached plan is never stale.
	PlanTTL time.Duration
	// PlanTimeout bounds one plan computation (default 30 s).
	PlanTimeout time.Duration
	// AllocateTimeout bounds one allocation of a caseload (POST
	// /v1/allocations), waiting for a slot included (default 50 s, under
	// the server's 60 s write timeout).
	AllocateTimeout time.Duration
	// Occupations are searched by GET /v1/occupations.
	Occupations []Occupation
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
	// KeyTTL is how long a verified API key is trusted before the
	// database is asked again (default KeyCacheTTL; negative: always ask).
	// A revoked key keeps working for at most KeyTTL.
	KeyTTL time.Duration
}

// Server is the HTTP API. Create it with New; it is safe for concurrent
// use.
type Server struct {
	cfg     Config
	db      *store.DB
	engines *Engines
	cache   Cache
	router  *gin.Engine
	metrics *metrics
	flight  singleflight.Group
	weights atomic.Pointer[weightsMemo] // the JSON of the engines' weights (keyFor)
	occ     []occEntry

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter

	draining atomic.Bool
	keys     keyCache
	dbID     string // the database's instance id, part of plan cache keys

	allocSlots chan struct{} // one token per running allocation
}

// DefaultRateLimit is the default number of requests per second per key.
const DefaultRateLimit = 100

// New returns a Server for cfg. It returns an error when a required field
// is missing or a trusted proxy is malformed.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil || cfg.Engines == nil {
		return nil, errors.New("api: config needs DB and Engines")
	}
	if cfg.Cache == nil {
		cfg.Cache = NewMemoryCache(4096)
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = max(1, int(2*cfg.RateLimit))
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.PlanTTL <= 0 {
		cfg.PlanTTL = 10 * time.Minute
	}
	if cfg.PlanTimeout <= 0 {
		cfg.PlanTimeout = 30 * time.Second
	}
	if cfg.AllocateTimeout <= 0 {
		cfg.AllocateTimeout = 50 * time.Second
	}
	if cfg.KeyTTL == 0 {
		cfg.KeyTTL = KeyCacheTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, db: cfg.DB, engines: cfg.Engines, cache: cfg.Cache, limiters: map[string]*rate.Limiter{},
		allocSlots: make(chan struct{}, maxConcurrentAllocations)}
	// Plans cached in a Redis shared by several deployments must not mix
	// databases: the key carries the database's identity.
	uid, err := cfg.DB.InstanceID(context.Background())
	if err != nil {
		return nil, err
	}
	s.dbID = uid
	s.metrics = newMetrics(cfg.Registry)
	s.engines.onBuild = s.metrics.engineBuilt
	if eng := s.engines.Loaded(); eng != nil {
		s.metrics.dataVersion.Set(float64(eng.Version()))
	}
	s.occ = indexOccupations(cfg.Occupations)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	r.HandleMethodNotAllowed = true
	r.RemoveExtraSlash = true
	r.ContextWithFallback = true
	r.Use(s.observe, s.recover)
	r.NoRoute(func(c *gin.Context) {
		fail(c, newProblem(http.StatusNotFound, "no_route", "Aucune route à cette adresse.", "No route at this path."))
	})
	r.NoMethod(func(c *gin.Context) {
		fail(c, newProblem(http.StatusMethodNotAllowed, "method_not_allowed",
			"Méthode non permise sur cette route.", "Method not allowed on this route."))
	})
	s.router = r
	s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler { return s.router }

// HTTPServer returns an http.Server for addr with the API's timeouts: 5 s
// to read the headers, 30 s for the whole request, 60 s to write the
// response, 2 min idle, 64 KiB of headers.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.router,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Drain marks the server as shutting down: /readyz answers 503 so that a
// load balancer stops sending traffic, while requests in flight finish.
func (s *Server) Drain() { s.draining.Store(true) }

// Context keys set on the gin context.
const (
	ctxRequestID = "passerelle.request_id"
	ctxActor     = "passerelle.actor"
	ctxBody      = "passerelle.body"
	ctxCache     = "passerelle.cache"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// observe gives each request its id, its logger and its metrics. The log
// line carries ids, the route pattern, the status and the latency: never a
// body, a query string or free text about people (DESIGN §8).
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		id = newRequestID()
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	l := s.cfg.Log.With().Str("request_id", id).Logger()
	c.Request = c.Request.WithContext(l.WithContext(c.Request.Context()))

	c.Next()

	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	d := time.Since(start)
	s.metrics.observe(c.Request.Method, route, status, d)
	ev := l.Info()
	if status >= 500 {
		ev = l.Error()
	}
	ev = ev.Str("method", c.Request.Method).Str("route", route).Int("status", status).
		Float64("latency_ms", float64(d.Microseconds())/1000).Int("bytes_out", max(c.Writer.Size(), 0))
	if a, ok := c.Get(ctxActor); ok {
		ev = ev.Str("key_id", a.(store.Actor).KeyID).Str("role", string(a.(store.Actor).Role))
	}
	if v, ok := c.Get(ctxCache); ok {
		ev = ev.Str("cache", v.(string))
	}
	if id := c.Param("id"); id != "" {
		ev = ev.Str("object_id", id)
	}
	if len(c.Errors) > 0 && status < 500 {
		ev = ev.Str("problem", toProblem(c.Errors.Last().Err).Code)
	}
	ev.Msg("request")
}

// recover turns a panic into a 500 problem without logging the request.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			zerolog.Ctx(c.Request.Context()).Error().Str("panic", panicType(r)).Msg("handler panicked")
			fail(c, errors.New("api: handler panicked"))
		}
	}()
	c.Next()
}

func panicType(r any) string {
	if err, ok := r.(error); ok {
		return err.Error()
	}
	return "non-error panic"
}

// authenticate requires a live API key: "Authorization: Bearer <key>".
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !equalFold(h[:len(prefix)], prefix) {
		fail(c, newProblem(http.StatusUnauthorized, "unauthorized",
			"Clé d'API manquante : en-tête « Authorization: Bearer <clé> » attendu.",
			"Missing API key: expected the header \"Authorization: Bearer <key>\"."))
		return
	}
	a, err := s.keys.authenticate(c.Request.Context(), s.db, h[len(prefix):], s.cfg.Now(), s.cfg.KeyTTL)
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxActor, a)
	c.Next()
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// rateLimit is the per-key token bucket (after authenticate): over the
// limit, it answers 429 with Retry-After and the request does nothing.
func (s *Server) rateLimit(c *gin.Context) {
	if s.cfg.RateLimit < 0 {
		c.Next()
		return
	}
	a := actor(c)
	s.limMu.Lock()
	lim, ok := s.limiters[a.KeyID]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(s.cfg.RateLimit), s.cfg.RateBurst)
		s.limiters[a.KeyID] = lim
	}
	s.limMu.Unlock()
	now := time.Now()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		s.metrics.rateLimited.Inc()
		retryAfter(c, d.Seconds())
		fail(c, newProblem(http.StatusTooManyRequests, "rate_limited",
			"Trop de requêtes pour cette clé ; réessayez après "+strconv.Itoa(int(d.Seconds())+1)+" s.",
			"Too many requests for this key; retry after "+strconv.Itoa(int(d.Seconds())+1)+" s."))
		return
	}
	c.Next()
}

// actor returns the authenticated actor of the request.
func actor(c *gin.Context) store.Actor {
	a, _ := c.Get(ctxActor)
	act, _ := a.(store.Actor)
	return act
}

// only lets the given roles through; others get 403.
func only(roles ...store.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := actor(c)
		for _, r := range roles {
			if a.Role == r {
				c.Next()
				return
			}
		}
		fail(c, newProblem(http.StatusForbidden, "forbidden",
			"Votre rôle ("+string(a.Role)+") ne permet pas cette opération.",
			"Your role ("+string(a.Role)+") does not allow this operation."))
	}
}

// health answers /livez: the process is up.
func (s *Server) livez(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 when the database answers within 2 s, 503 otherwise
// or while draining.
func (s *Server) readyz(c *gin.Context) {
	if s.draining.Load() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
