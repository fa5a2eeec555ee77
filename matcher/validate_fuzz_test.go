package matcher_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"passerelle/matcher"
)

// validatable is what the fuzz targets exercise.
type validatable interface {
	Validate() error
	ApplyDefaults()
}

// fuzzValidate decodes data strictly into v and checks the contract of
// Validate and ApplyDefaults: no panic; a failure is a *ValidationError
// wrapping ErrInvalid whose fields all have a known code and both messages;
// a valid input stays valid after ApplyDefaults, and ApplyDefaults is
// idempotent.
func fuzzValidate[T any, P interface {
	*T
	validatable
}](t *testing.T, data []byte) {
	var v T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(P(&v)); err != nil {
		return
	}
	err := P(&v).Validate()
	if err != nil {
		var ve *matcher.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, matcher.ErrInvalid) || len(ve.Fields) == 0 {
			t.Fatalf("Validate: got %T %v, want a non-empty *ValidationError", err, err)
		}
		codes := []string{matcher.CodeRequired, matcher.CodeInvalid, matcher.CodeOutOfRange,
			matcher.CodeTooMany, matcher.CodeInconsistent, matcher.CodeUnknownValue}
		for _, f := range ve.Fields {
			if f.Field == "" || !slices.Contains(codes, f.Code) || f.MessageFR == "" || f.MessageEN == "" {
				t.Fatalf("Validate: malformed field error %+v", f)
			}
		}
		return
	}
	P(&v).ApplyDefaults()
	if err := P(&v).Validate(); err != nil {
		t.Fatalf("valid input became invalid after ApplyDefaults: %v\ninput: %s", err, data)
	}
	once := v
	P(&v).ApplyDefaults()
	if !reflect.DeepEqual(once, v) {
		t.Fatalf("ApplyDefaults is not idempotent: got %+v, then %+v", once, v)
	}
}

// mustJSON returns the JSON of v.
func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func FuzzHouseholdJSON(f *testing.F) {
	f.Add(mustJSON(f, validHousehold()))
	f.Add([]byte(`{"members":[{"role":"adult","age":52,"sex":"M"},{"role":"child","age":17,"sex":"F"}],` +
		`"protection":{"kind":"refugee","granted_on":"2025-02-14"},"commune":"59350"}`))
	f.Add([]byte(`{"members":[{"role":"adult","age":30,"sex":"X"}],"protection":{"kind":"stateless","granted_on":"2023-01-31"},` +
		`"commune":"2A004","relocation":{"scope":"radius_km","radius_km":150},"modes":["car"]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzValidate[matcher.Household](t, data) })
}

func FuzzHousingOfferJSON(f *testing.F) {
	f.Add(mustJSON(f, validHousingOffer()))
	f.Add(mustJSON(f, sharedOffer()))
	// Minimal valid offers that rely on the defaults: a large dwelling
	// (max_occupants derived from the surface, capped) and a shared flat
	// (max_occupants = places).
	f.Add([]byte(`{"landlord_kind":"private","commune":"75056","rooms":8,"surface_m2":480,"rent_monthly":4800,` +
		`"lease":"direct","available_from":"2025-10-01"}`))
	f.Add([]byte(`{"landlord_kind":"residence_sociale","commune":"97411","rooms":1,"surface_m2":18,"shared":true,"places":1,"gender":"F",` +
		`"rent_monthly":390,"lease":"residence","available_from":"2025-10-01"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzValidate[matcher.HousingOffer](t, data) })
}

func FuzzJobOfferJSON(f *testing.F) {
	f.Add(mustJSON(f, validJobOffer()))
	f.Add([]byte(`{"rome":"K2204","commune":"97411","contract":"cdi","start_on":"2025-11-03"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzValidate[matcher.JobOffer](t, data) })
}
