package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"passerelle/store"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted, in bytes.
const MaxIdempotencyKey = 255

// response is what a write answers.
type response struct {
	status   int
	body     any    // encoded as JSON; nil for no body
	location string // Location header, "" for none
}

// savedResponse is how a response is kept under its Idempotency-Key.
type savedResponse struct {
	Location string          `json:"location,omitempty"`
	Body     json.RawMessage `json:"body,omitempty"`
}

// errIdemSave marks the failure to save the idempotency key, to tell a
// concurrent duplicate (replay it) from a conflict of the write itself.
type errIdemSave struct{ err error }

func (e *errIdemSave) Error() string { return e.err.Error() }
func (e *errIdemSave) Unwrap() error { return e.err }

// idempotency returns the request's Idempotency-Key and the hash of the
// request it names (method, route, path and body), or an error for a
// malformed key.
func idempotency(c *gin.Context) (key, hash string, err error) {
	key = c.GetHeader("Idempotency-Key")
	if key == "" {
		return "", "", nil
	}
	if len(key) > MaxIdempotencyKey {
		return "", "", newProblem(http.StatusBadRequest, "bad_idempotency_key",
			"Idempotency-Key trop longue (255 octets au plus).", "Idempotency-Key too long (at most 255 bytes).")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "", "", newProblem(http.StatusBadRequest, "bad_idempotency_key",
				"Idempotency-Key : caractères ASCII visibles uniquement.", "Idempotency-Key: visible ASCII characters only.")
		}
	}
	body, err := readBody(c)
	if err != nil {
		return "", "", err
	}
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n"))
	h.Write(body)
	return key, hex.EncodeToString(h.Sum(nil)), nil
}

// replay answers with the response saved under the request's key when
// there is one, and reports whether it did. The same key with another
// request answers 422.
func (s *Server) replay(c *gin.Context, key, hash string) (bool, error) {
	st, err := s.db.Idempotency(c.Request.Context(), actor(c).KeyID, key)
	if err != nil || st == nil {
		return false, err
	}
	if st.RequestHash != hash {
		return false, newProblem(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"Cette Idempotency-Key a déjà servi pour une autre requête ; utilisez une nouvelle clé.",
			"This Idempotency-Key was already used for another request; use a new key.")
	}
	var saved savedResponse
	if err := json.Unmarshal(st.Body, &saved); err != nil {
		return false, err
	}
	if saved.Location != "" {
		c.Header("Location", saved.Location)
	}
	c.Header("Idempotent-Replayed", "true")
	if len(saved.Body) == 0 {
		c.Status(st.Status)
		c.Writer.WriteHeaderNow()
		return true, nil
	}
	c.Data(st.Status, "application/json; charset=utf-8", saved.Body)
	return true, nil
}

// replayed answers a retried request (same Idempotency-Key and body) with
// its saved response, or a bad key with its problem, and reports whether
// it answered. Handlers that do expensive work before writing (a plan, an
// allocation) call it first, so that a retry never redoes that work.
func (s *Server) replayed(c *gin.Context) bool {
	key, hash, err := idempotency(c)
	if err != nil {
		fail(c, err)
		return true
	}
	if key == "" {
		return false
	}
	done, err := s.replay(c, key, hash)
	if err != nil {
		fail(c, err)
		return true
	}
	return done
}

// write runs fn in one store transaction and answers its response. With an
// Idempotency-Key, the response is saved in the same transaction (it lands
// if and only if the write does) and a retry gets it back unchanged; a
// request rejected for any reason saves nothing. offers marks a write to
// offers: the engine is told after the commit.
func (s *Server) write(c *gin.Context, offers bool, fn func(tx *store.Tx) (response, error)) {
	key, hash, err := idempotency(c)
	if err != nil {
		fail(c, err)
		return
	}
	if key != "" {
		if done, err := s.replay(c, key, hash); done || err != nil {
			if err != nil {
				fail(c, err)
			}
			return
		}
	}
	var resp response
	var encoded []byte
	var changes store.OfferChanges
	err = s.db.Write(c.Request.Context(), actor(c), func(tx *store.Tx) error {
		var err error
		if resp, err = fn(tx); err != nil {
			return err
		}
		changes = tx.OfferChanges()
		if resp.body != nil {
			if encoded, err = json.Marshal(resp.body); err != nil {
				return err
			}
		}
		if key == "" {
			return nil
		}
		saved, err := json.Marshal(savedResponse{Location: resp.location, Body: encoded})
		if err != nil {
			return err
		}
		if err := tx.SaveIdempotency(c.Request.Context(), key, hash, resp.status, saved); err != nil {
			return &errIdemSave{err}
		}
		return nil
	})
	if key != "" && errors.Is(err, store.ErrConflict) {
		// A concurrent request with the same key may have committed first
		// (its offer's external_ref or its key then conflicts with ours):
		// answer what it answered.
		if done, err := s.replay(c, key, hash); done || err != nil {
			if err != nil {
				fail(c, err)
			}
			return
		}
	}
	if err != nil {
		fail(c, err)
		return
	}
	if offers {
		s.published(changes)
	}
	if resp.location != "" {
		c.Header("Location", resp.location)
	}
	if encoded == nil {
		c.Status(resp.status)
		c.Writer.WriteHeaderNow()
		return
	}
	c.Data(resp.status, "application/json; charset=utf-8", bytes.TrimSpace(encoded))
}
