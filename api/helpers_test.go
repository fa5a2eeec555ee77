package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/rs/zerolog"

	"passerelle/api"
	"passerelle/datasets"
	"passerelle/matcher"
	"passerelle/store"
	"passerelle/store/storetest"
)

// env is one API under test: a real router over a real store (SQLite in a
// temporary directory, or PostgreSQL when DATABASE_URL is set and pg is
// asked for), with keys for every role in two organisations.
type env struct {
	t      testing.TB
	noSpec bool // skip the OpenAPI check (fuzzing sends anything)
	srv    *api.Server
	db     *store.DB
	h      http.Handler
	logBuf *syncBuffer
	keys   map[string]string // "landlord", "landlord2", "employer", "employer2", "advisor", "advisor2", "admin"
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	baseOnce sync.Once
	baseMkt  *matcher.Market
)

// base is the places and shortage table of the demo market, without its
// offers: the engine under test plans over what the tests post.
func base(t testing.TB) *matcher.Market {
	baseOnce.Do(func() {
		m, err := datasets.Synthetic(7, datasets.Scale{Name: "test", Communes: 2000})
		if err != nil {
			panic(err)
		}
		baseMkt = &matcher.Market{Atlas: m.Atlas, Shortage: m.Shortage}
	})
	return baseMkt
}

type option func(*api.Config)

// onPostgres switches newEnv to PostgreSQL (TestPostgres sets it while
// it runs other tests; tests do not run in parallel).
var onPostgres bool

func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	if onPostgres {
		return newEnvDB(t, openPostgres(t), opts...)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newEnvDB(t, db, opts...)
}

func newEnvDB(t testing.TB, db *store.DB, opts ...option) *env {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	engines, err := api.NewEngines(ctx, db, base(t), matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	buf := &syncBuffer{}
	cfg := api.Config{DB: db, Engines: engines, Log: zerolog.New(buf), RateLimit: -1,
		Occupations: []api.Occupation{{Code: "G1602", Title: "Personnel de cuisine"}, {Code: "J1501", Title: "Soins d'hygiène, de confort du patient"},
			{Code: "F1703", Title: "Maçonnerie"}, {Code: "K2204", Title: "Nettoyage de locaux"}, {Code: "A1414", Title: "Horticulture et élagage"}}}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: srv, db: db, h: srv.Handler(), logBuf: buf, keys: map[string]string{}}
	for name, k := range map[string]struct {
		org  string
		role store.Role
	}{
		"landlord": {"org-l1", store.RoleLandlord}, "landlord2": {"org-l2", store.RoleLandlord},
		"employer": {"org-e1", store.RoleEmployer}, "employer2": {"org-e2", store.RoleEmployer},
		"advisor": {"org-a1", store.RoleAdvisor}, "advisor2": {"org-a2", store.RoleAdvisor},
		"admin": {"operator", store.RoleAdmin},
	} {
		_, secret, err := db.CreateKey(ctx, k.org, k.role)
		if err != nil {
			t.Fatal(err)
		}
		e.keys[name] = secret
	}
	return e
}

// resp is an answer of the API.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object.
func (r resp) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// req describes one request.
type req struct {
	method, path, key string
	body              any               // []byte, string or a value encoded as JSON
	header            map[string]string // extra headers; Content-Type defaults to application/json
}

// do sends r through the real router. Every request the API accepts and
// every response is validated against the OpenAPI document, so the
// document cannot drift from the routes.
func (e *env) do(r req) resp {
	e.t.Helper()
	var body []byte
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	hr := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.key != "" {
		k := r.key
		if v, ok := e.keys[k]; ok {
			k = v
		}
		hr.Header.Set("Authorization", "Bearer "+k)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	out := resp{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	if !e.noSpec {
		validateOpenAPI(e.t, r.method, r.path, hr.Header, body, out)
	}
	return out
}

// must sends r and fails the test unless the status is want.
func (e *env) must(want int, r req) resp {
	e.t.Helper()
	out := e.do(r)
	if out.Status != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d\n%s", r.method, r.path, r.key, out.Status, want, out.Body)
	}
	return out
}

var (
	oaOnce   sync.Once
	oaRouter routers.Router
	oaErr    error
)

func openAPIRouter() (routers.Router, error) {
	oaOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPI())
		if err != nil {
			oaErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			oaErr = err
			return
		}
		oaRouter, oaErr = legacy.NewRouter(doc)
	})
	return oaRouter, oaErr
}

// validateOpenAPI checks a request the API accepted (2xx) and every
// response of a documented route against the OpenAPI document.
func validateOpenAPI(t testing.TB, method, path string, h http.Header, body []byte, r resp) {
	t.Helper()
	router, err := openAPIRouter()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	hr := httptest.NewRequest(method, "http://localhost"+path, bytes.NewReader(body))
	hr.Header = h.Clone()
	route, params, err := router.FindRoute(hr)
	if err != nil {
		if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
			return // an undocumented path or method, answered as such
		}
		t.Fatalf("%s %s answered %d but is not in openapi.json: %v", method, path, r.Status, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if r.Status < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Fatalf("%s %s: accepted request does not match openapi.json: %v", method, path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("%s %s: response %d does not match openapi.json: %v\n%s", method, path, r.Status, err, r.Body)
	}
}

// example reads a file of examples/api.
func example(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", "api", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// with returns a copy of m with the given fields replaced.
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// openPostgres opens a fresh PostgreSQL schema (storetest.Postgres).
func openPostgres(t testing.TB) *store.DB { return storetest.Postgres(t, "api_") }
