package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// MaxBodyBytes is the largest request body accepted (1 MiB); a larger one
// is answered 413 and nothing is read further.
const MaxBodyBytes = 1 << 20

// readBody reads the request body once (at most MaxBodyBytes) and keeps it
// on the context: the idempotency layer hashes it and handlers decode it.
// It checks the content type of a non-empty body (application/json or a
// +json type): another type answers 415, too large a body 413.
func readBody(c *gin.Context) ([]byte, error) {
	if b, ok := c.Get(ctxBody); ok {
		return b.([]byte), nil
	}
	var body []byte
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		r := http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
		b, err := io.ReadAll(r)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, newProblem(http.StatusRequestEntityTooLarge, "body_too_large",
				"Le corps de la requête dépasse 1 Mio.", "The request body is larger than 1 MiB.")
		}
		if err != nil {
			return nil, newProblem(http.StatusBadRequest, "body_unreadable", "Corps de requête illisible.", "The request body could not be read.")
		}
		body = b
	}
	if len(body) > 0 {
		if err := checkJSONType(c.GetHeader("Content-Type")); err != nil {
			return nil, err
		}
	}
	c.Set(ctxBody, body)
	return body, nil
}

func checkJSONType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return nil
	}
	return newProblem(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"Le corps doit être du JSON (Content-Type: application/json).", "The body must be JSON (Content-Type: application/json).")
}

// decodeBody strictly decodes the request's JSON body into v: a missing
// body, malformed JSON, an unknown field or data after the value answer
// 400 naming the place; a value of the wrong type answers 422 naming the
// field. v may be pre-filled (a PATCH decodes onto the stored object).
func decodeBody(c *gin.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, v)
}

func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return newProblem(http.StatusBadRequest, "body_missing", "Le corps de la requête est vide ; un objet JSON est attendu.",
			"The request body is empty; a JSON object is expected.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return newProblem(http.StatusBadRequest, "trailing_data",
			fmt.Sprintf("Données après l'objet JSON (octet %d).", dec.InputOffset()),
			fmt.Sprintf("Data after the JSON value (byte %d).", dec.InputOffset()))
	}
	return nil
}

// jsonProblem explains a decoding error with its line and column, or its
// field.
func jsonProblem(body []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(body, se.Offset)
		return newProblem(http.StatusBadRequest, "malformed_json",
			fmt.Sprintf("JSON mal formé ligne %d, colonne %d : %s.", line, col, se.Error()),
			fmt.Sprintf("Malformed JSON at line %d, column %d: %s.", line, col, se.Error()))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return newProblem(http.StatusBadRequest, "malformed_json", "JSON tronqué.", "Truncated JSON.")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		return fieldProblem(http.StatusUnprocessableEntity, field, "type",
			fmt.Sprintf("Type attendu : %s ; reçu : %s.", te.Type, te.Value),
			fmt.Sprintf("Expected type %s, got %s.", te.Type, te.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		p := newProblem(http.StatusBadRequest, "unknown_field", "Champ inconnu : "+name+".", "Unknown field: "+name+".")
		p.p.Errors = append(p.p.Errors, fieldErr(name, "unknown_field", "Champ inconnu.", "Unknown field."))
		return p
	}
	// Errors of the types' own UnmarshalJSON (dates, enums) name the value.
	return fieldProblem(http.StatusUnprocessableEntity, "(body)", "invalid_value",
		"Valeur invalide : "+err.Error()+".", "Invalid value: "+err.Error()+".")
}

// position returns the 1-based line and column of byte offset off.
func position(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	line = 1 + bytes.Count(b[:off], []byte{'\n'})
	col = int(off) - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}
