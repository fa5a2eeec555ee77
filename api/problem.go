package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
	"passerelle/store"
)

// Problem is an RFC 9457 problem document (application/problem+json). Detail
// is French, DetailEN English; Errors lists every failing field.
type Problem struct {
	Type     string               `json:"type"`
	Title    string               `json:"title"`
	Status   int                  `json:"status"`
	Detail   string               `json:"detail"`
	DetailEN string               `json:"detail_en"`
	Code     string               `json:"code"`
	Errors   []matcher.FieldError `json:"errors,omitempty"`
	// RequestID is the X-Request-ID of the request, to quote to support.
	RequestID string `json:"request_id,omitempty"`
	// Report is the import report of a refused file (import routes).
	Report *ingest.Report `json:"report,omitempty"`
}

// problemError is an error that already knows its problem document.
type problemError struct {
	p   Problem
	err error // the cause, for the logs; may be nil
}

func (e *problemError) Error() string {
	if e.err != nil {
		return e.p.Code + ": " + e.err.Error()
	}
	return e.p.Code + ": " + e.p.DetailEN
}

func (e *problemError) Unwrap() error { return e.err }

// newProblem returns an error answered with status, a stable code and the
// French and English details.
func newProblem(status int, code, fr, en string) *problemError {
	return &problemError{p: Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: code, Detail: fr, DetailEN: en}}
}

// fieldProblem is a 422 (or status) naming one field.
func fieldProblem(status int, field, code, fr, en string) *problemError {
	p := newProblem(status, code, "La requête contient une valeur invalide.", "The request has an invalid value.")
	p.p.Errors = []matcher.FieldError{{Field: field, Code: code, MessageFR: fr, MessageEN: en}}
	return p
}

// errorTable maps the sentinel errors of the packages below api to HTTP
// statuses: the one place where errors become statuses (DESIGN §9).
var errorTable = []struct {
	target  error
	status  int
	code    string
	fr, en  string
	logWarn bool
}{
	{matcher.ErrInvalid, http.StatusUnprocessableEntity, "invalid", "Des champs sont invalides.", "Some fields are invalid.", false},
	{store.ErrNotFound, http.StatusNotFound, "not_found", "Objet introuvable.", "Not found.", false},
	{matcher.ErrNotFound, http.StatusNotFound, "not_found", "Objet introuvable.", "Not found.", false},
	{store.ErrBadCursor, http.StatusUnprocessableEntity, "bad_cursor", "Curseur de pagination invalide : reprenez depuis la première page.", "Invalid pagination cursor: start again from the first page.", false},
	{store.ErrConflict, http.StatusConflict, "conflict", "Un objet avec cette référence existe déjà.", "An object with this reference already exists.", false},
	{store.ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "Clé d'API absente, inconnue ou révoquée.", "Missing, unknown or revoked API key.", false},
	{geo.ErrInvalidCode, http.StatusUnprocessableEntity, "invalid_code", "Code INSEE invalide.", "Invalid INSEE code.", false},
	{geo.ErrUnknownCommune, http.StatusUnprocessableEntity, "unknown_commune", "Commune et département inconnus.", "Unknown commune and department.", false},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "timeout", "Le calcul a pris trop de temps ; réessayez.", "The computation took too long; try again.", true},
	{store.ErrMigrationsPending, http.StatusServiceUnavailable, "migrations_pending", "La base de données doit être migrée.", "The database needs migrating.", true},
}

// toProblem turns any error into its problem document.
func toProblem(err error) Problem {
	var pe *problemError
	if errors.As(err, &pe) {
		return pe.p
	}
	var ve *matcher.ValidationError
	if errors.As(err, &ve) {
		return Problem{Type: "about:blank", Title: http.StatusText(http.StatusUnprocessableEntity), Status: http.StatusUnprocessableEntity,
			Code: "invalid", Detail: "Des champs sont invalides ; rien n'a été enregistré.", DetailEN: "Some fields are invalid; nothing was stored.",
			Errors: ve.Fields}
	}
	for _, row := range errorTable {
		if errors.Is(err, row.target) {
			return Problem{Type: "about:blank", Title: http.StatusText(row.status), Status: row.status, Code: row.code, Detail: row.fr, DetailEN: row.en}
		}
	}
	return Problem{Type: "about:blank", Title: http.StatusText(http.StatusInternalServerError), Status: http.StatusInternalServerError,
		Code: "internal", Detail: "Erreur interne ; rien n'a été perdu de ce qui a été confirmé.", DetailEN: "Internal error; nothing acknowledged was lost."}
}

// fail answers the request with err's problem document and records the
// error for the request log (its message holds ids, never personal data).
func fail(c *gin.Context, err error) {
	p := toProblem(err)
	p.RequestID = c.GetString(ctxRequestID)
	_ = c.Error(err)
	if p.Status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="passerelle"`)
	}
	if p.Status >= 500 {
		zerolog.Ctx(c.Request.Context()).Error().Err(err).Msg("request failed")
	}
	writeProblem(c, p)
}

func writeProblem(c *gin.Context, p Problem) {
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(p.Status, p)
}

// retryAfter sets Retry-After in whole seconds (at least 1).
func retryAfter(c *gin.Context, secs float64) {
	s := int(secs)
	if float64(s) < secs || s < 1 {
		s++
	}
	c.Header("Retry-After", strconv.Itoa(max(s, 1)))
}

func fieldErr(field, code, fr, en string) matcher.FieldError {
	return matcher.FieldError{Field: field, Code: code, MessageFR: fr, MessageEN: en}
}
