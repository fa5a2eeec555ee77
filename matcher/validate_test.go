package matcher_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"passerelle/geo"
	"passerelle/matcher"
)

// fieldCode is the part of a FieldError the tests assert on.
type fieldCode struct{ field, code string }

func (f fieldCode) String() string { return f.field + ":" + f.code }

// fieldCodes returns the field and code of every FieldError of err, which
// must be nil or a *ValidationError wrapping ErrInvalid.
func fieldCodes(tb testing.TB, err error) []fieldCode {
	tb.Helper()
	if err == nil {
		return nil
	}
	var ve *matcher.ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("got %T %v, want *matcher.ValidationError", err, err)
	}
	if !errors.Is(err, matcher.ErrInvalid) {
		tb.Errorf("errors.Is(%v, ErrInvalid) = false, want true", err)
	}
	if len(ve.Fields) == 0 {
		tb.Errorf("got a ValidationError with no field")
	}
	out := make([]fieldCode, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = fieldCode{f.Field, f.Code}
	}
	return out
}

// checkFields fails unless err lists exactly want, in order.
func checkFields(tb testing.TB, err error, want ...fieldCode) {
	tb.Helper()
	got := fieldCodes(tb, err)
	if !slices.Equal(got, want) {
		tb.Errorf("got %v, want %v\n(error: %v)", got, want, err)
	}
}

func validHousehold() matcher.Household {
	return matcher.Household{
		ID:          "h1",
		ExternalRef: "CASE-2025-042",
		Members: []matcher.Member{
			{Role: matcher.Adult, Age: 34, Sex: matcher.Female, FrenchLevel: matcher.A2,
				Occupations:    []matcher.Occupation{{ROME: "G1602", Years: 5}, {ROME: "K1304", Years: 2}},
				DrivingLicence: matcher.ForeignLicence, SeeksWork: true},
			{Role: matcher.Adult, Age: 36, Sex: matcher.Male, FrenchLevel: matcher.A1,
				DrivingLicence: matcher.NoLicence, SeeksWork: true},
			{Role: matcher.Child, Age: 7, Sex: matcher.Female},
		},
		Protection:        matcher.Protection{Kind: matcher.Refugee, GrantedOn: matcher.NewDate(2024, 3, 12)},
		CIRSigned:         true,
		Commune:           "69123",
		IncomeMonthly:     1100,
		MaxCommuteMinutes: 45,
		Modes:             []geo.Mode{geo.Walk, geo.Transit, geo.Car},
		Relocation:        matcher.Relocation{Scope: matcher.ScopeRegions, Regions: []string{"27", "84"}},
		Wishes:            []string{"71", "21231", "2A004"},
		Needs:             []string{matcher.NeedSchool},
		MoveFrom:          matcher.NewDate(2025, 9, 1),
		Priority:          2,
	}
}

func validHousingOffer() matcher.HousingOffer {
	return matcher.HousingOffer{
		ID:             "o1",
		Owner:          "opac71",
		LandlordKind:   matcher.Social,
		Commune:        "71076",
		Point:          &matcher.Point{Lon: 4.853, Lat: 46.781},
		Rooms:          3,
		SurfaceM2:      62,
		RentMonthly:    410,
		ChargesMonthly: 90,
		Lease:          matcher.DirectLease,
		AvailableFrom:  matcher.NewDate(2025, 10, 1),
		ExpiresOn:      matcher.NewDate(2025, 12, 31),
		StepFree:       true,
		Status:         matcher.StatusOpen,
	}
}

// sharedOffer is a valid IML shared flat.
func sharedOffer() matcher.HousingOffer {
	o := validHousingOffer()
	o.LandlordKind = matcher.IML
	o.Lease = matcher.SubLease
	o.MaxMonths = 18
	o.Shared = true
	o.Rooms = 4
	o.SurfaceM2 = 75
	o.Places = 2
	o.Gender = matcher.Female
	return o
}

func validJobOffer() matcher.JobOffer {
	return matcher.JobOffer{
		ID:                 "j1",
		ExternalRef:        "FT-190XKLM",
		Employer:           "Restaurant Le Saint-Vincent",
		ROME:               "G1602",
		Title:              "Commis de cuisine",
		Commune:            "71076",
		Point:              &matcher.Point{Lon: 4.85, Lat: 46.78},
		Contract:           matcher.CDD,
		Months:             6,
		HoursWeekly:        35,
		SalaryMonthlyGross: matcher.Salary{Min: 1802, Max: 1950},
		FrenchLevel:        matcher.A2,
		BeginnersOK:        true,
		Positions:          2,
		StartOn:            matcher.NewDate(2025, 10, 6),
		ExpiresOn:          matcher.NewDate(2025, 11, 30),
		Status:             matcher.StatusOpen,
	}
}

type householdCase struct {
	name   string
	mutate func(*matcher.Household)
	want   []fieldCode
}

func householdCases() []householdCase {
	m0 := func(f func(*matcher.Member)) func(*matcher.Household) {
		return func(h *matcher.Household) { f(&h.Members[0]) }
	}
	adult := func(age int) matcher.Member {
		return matcher.Member{Role: matcher.Adult, Age: age, Sex: matcher.OtherSex}
	}
	return []householdCase{
		{"no members", func(h *matcher.Household) { h.Members = nil }, []fieldCode{{"members", "required"}}},
		{"16 members", func(h *matcher.Household) {
			for len(h.Members) < 16 {
				h.Members = append(h.Members, adult(40))
			}
		}, []fieldCode{{"members", "too_many"}}},
		{"15 members", func(h *matcher.Household) {
			for len(h.Members) < 15 {
				h.Members = append(h.Members, adult(40))
			}
		}, nil},
		{"no adult", func(h *matcher.Household) { h.Members = h.Members[2:]; h.Modes = nil },
			[]fieldCode{{"members", "required"}}},
		{"role missing", m0(func(m *matcher.Member) { m.Role = "" }), []fieldCode{{"members[0].role", "required"}}},
		{"role unknown", m0(func(m *matcher.Member) { m.Role = "parent" }), []fieldCode{{"members[0].role", "unknown_value"}}},
		{"age negative", m0(func(m *matcher.Member) { m.Age = -1 }), []fieldCode{{"members[0].age", "out_of_range"}}},
		{"age 121", m0(func(m *matcher.Member) { m.Age = 121 }), []fieldCode{{"members[0].age", "out_of_range"}}},
		{"age 120", m0(func(m *matcher.Member) { m.Age = 120 }), nil},
		{"adult aged 17", m0(func(m *matcher.Member) { m.Age = 17 }), []fieldCode{{"members[0].role", "inconsistent"}}},
		{"adult aged 18", m0(func(m *matcher.Member) { m.Age = 18 }), nil},
		{"child aged 18", func(h *matcher.Household) { h.Members[2].Age = 18 }, []fieldCode{{"members[2].role", "inconsistent"}}},
		{"child aged 0", func(h *matcher.Household) { h.Members[2].Age = 0 }, nil},
		{"sex missing", m0(func(m *matcher.Member) { m.Sex = "" }), []fieldCode{{"members[0].sex", "required"}}},
		{"sex lower case", m0(func(m *matcher.Member) { m.Sex = "f" }), []fieldCode{{"members[0].sex", "unknown_value"}}},
		{"sex any", m0(func(m *matcher.Member) { m.Sex = matcher.AnyGender }), []fieldCode{{"members[0].sex", "unknown_value"}}},
		{"french level unset", m0(func(m *matcher.Member) { m.FrenchLevel = "" }), nil},
		{"french level unknown", m0(func(m *matcher.Member) { m.FrenchLevel = "B3" }), []fieldCode{{"members[0].french_level", "unknown_value"}}},
		{"rome missing", m0(func(m *matcher.Member) { m.Occupations[1].ROME = "" }), []fieldCode{{"members[0].occupations[1].rome", "required"}}},
		{"rome lower case", m0(func(m *matcher.Member) { m.Occupations[1].ROME = "k1304" }), []fieldCode{{"members[0].occupations[1].rome", "invalid"}}},
		{"rome letter O", m0(func(m *matcher.Member) { m.Occupations[0].ROME = "O1602" }), []fieldCode{{"members[0].occupations[0].rome", "invalid"}}},
		{"rome too long", m0(func(m *matcher.Member) { m.Occupations[0].ROME = "G16021" }), []fieldCode{{"members[0].occupations[0].rome", "invalid"}}},
		{"years negative", m0(func(m *matcher.Member) { m.Occupations[0].Years = -1 }), []fieldCode{{"members[0].occupations[0].years", "out_of_range"}}},
		{"years 61", m0(func(m *matcher.Member) { m.Age = 90; m.Occupations[0].Years = 61 }), []fieldCode{{"members[0].occupations[0].years", "out_of_range"}}},
		{"years above age", m0(func(m *matcher.Member) { m.Occupations[0].Years = 35 }), []fieldCode{{"members[0].occupations[0].years", "inconsistent"}}},
		{"11 occupations", m0(func(m *matcher.Member) {
			for len(m.Occupations) < 11 {
				m.Occupations = append(m.Occupations, matcher.Occupation{ROME: "A1101"})
			}
		}), []fieldCode{{"members[0].occupations", "too_many"}}},
		{"licence unknown", func(h *matcher.Household) { h.Members[1].DrivingLicence = "eu" }, []fieldCode{{"members[1].driving_licence", "unknown_value"}}},
		{"child seeks work", func(h *matcher.Household) { h.Members[2].SeeksWork = true }, []fieldCode{{"members[2].seeks_work", "inconsistent"}}},
		{"protection kind missing", func(h *matcher.Household) { h.Protection.Kind = "" }, []fieldCode{{"protection.kind", "required"}}},
		{"protection kind unknown", func(h *matcher.Household) { h.Protection.Kind = "asylum_seeker" }, []fieldCode{{"protection.kind", "unknown_value"}}},
		{"granted_on missing", func(h *matcher.Household) { h.Protection.GrantedOn = matcher.Date{} }, []fieldCode{{"protection.granted_on", "required"}}},
		{"granted_on 1949", func(h *matcher.Household) { h.Protection.GrantedOn = matcher.NewDate(1949, 12, 31) }, []fieldCode{{"protection.granted_on", "out_of_range"}}},
		{"granted_on 1950", func(h *matcher.Household) { h.Protection.GrantedOn = matcher.NewDate(1950, 1, 1) }, nil},
		{"commune missing", func(h *matcher.Household) { h.Commune = "" }, []fieldCode{{"commune", "required"}}},
		{"commune four digits", func(h *matcher.Household) { h.Commune = "7107" }, []fieldCode{{"commune", "invalid"}}},
		{"commune department 96", func(h *matcher.Household) { h.Commune = "96004" }, []fieldCode{{"commune", "invalid"}}},
		{"commune unknown but well formed", func(h *matcher.Household) { h.Commune = "71999" }, nil},
		{"commune Corsica", func(h *matcher.Household) { h.Commune = "2A004" }, nil},
		{"income negative", func(h *matcher.Household) { h.IncomeMonthly = -0.01 }, []fieldCode{{"income_monthly", "out_of_range"}}},
		{"income above 20000", func(h *matcher.Household) { h.IncomeMonthly = 20000.01 }, []fieldCode{{"income_monthly", "out_of_range"}}},
		{"income NaN", func(h *matcher.Household) { h.IncomeMonthly = math.NaN() }, []fieldCode{{"income_monthly", "out_of_range"}}},
		{"income zero", func(h *matcher.Household) { h.IncomeMonthly = 0 }, nil},
		{"commute default", func(h *matcher.Household) { h.MaxCommuteMinutes = 0 }, nil},
		{"commute 4", func(h *matcher.Household) { h.MaxCommuteMinutes = 4 }, []fieldCode{{"max_commute_minutes", "out_of_range"}}},
		{"commute 181", func(h *matcher.Household) { h.MaxCommuteMinutes = 181 }, []fieldCode{{"max_commute_minutes", "out_of_range"}}},
		{"commute negative", func(h *matcher.Household) { h.MaxCommuteMinutes = -10 }, []fieldCode{{"max_commute_minutes", "out_of_range"}}},
		{"mode unknown", func(h *matcher.Household) { h.Modes[1] = "scooter" }, []fieldCode{{"modes[1]", "unknown_value"}}},
		{"mode twice", func(h *matcher.Household) { h.Modes = append(h.Modes, geo.Walk) }, []fieldCode{{"modes[3]", "invalid"}}},
		{"car without licence", func(h *matcher.Household) { h.Members[0].DrivingLicence = matcher.NoLicence },
			[]fieldCode{{"modes[2]", "inconsistent"}}},
		{"car with unset licence", func(h *matcher.Household) { h.Members[0].DrivingLicence = "" },
			[]fieldCode{{"modes[2]", "inconsistent"}}},
		{"car with french licence", func(h *matcher.Household) {
			h.Members[0].DrivingLicence = ""
			h.Members[1].DrivingLicence = matcher.FrenchLicence
		}, nil},
		{"car with only a child licensed", func(h *matcher.Household) {
			h.Members[0].DrivingLicence = matcher.NoLicence
			h.Members[2].DrivingLicence = matcher.FrenchLicence
		}, []fieldCode{{"modes[2]", "inconsistent"}}},
		{"scope unknown", func(h *matcher.Household) { h.Relocation.Scope = "country" }, []fieldCode{{"relocation.scope", "unknown_value"}}},
		{"scope empty without lists", func(h *matcher.Household) { h.Relocation = matcher.Relocation{} }, nil},
		{"scope empty with regions", func(h *matcher.Household) { h.Relocation.Scope = "" }, []fieldCode{{"relocation.regions", "inconsistent"}}},
		{"regions missing", func(h *matcher.Household) { h.Relocation.Regions = nil }, []fieldCode{{"relocation.regions", "required"}}},
		{"region one digit", func(h *matcher.Household) { h.Relocation.Regions[1] = "8" }, []fieldCode{{"relocation.regions[1]", "invalid"}}},
		{"region unknown", func(h *matcher.Household) { h.Relocation.Regions[0] = "05" }, []fieldCode{{"relocation.regions[0]", "unknown_value"}}},
		{"region twice", func(h *matcher.Household) { h.Relocation.Regions[1] = "27" }, []fieldCode{{"relocation.regions[1]", "invalid"}}},
		{"departments", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeDepartments, Departments: []string{"71", "2B", "974"}}
		}, nil},
		{"departments missing", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeDepartments}
		}, []fieldCode{{"relocation.departments", "required"}}},
		{"department 96", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeDepartments, Departments: []string{"71", "96"}}
		}, []fieldCode{{"relocation.departments[1]", "invalid"}}},
		{"department twice", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeDepartments, Departments: []string{"71", "71"}}
		}, []fieldCode{{"relocation.departments[1]", "invalid"}}},
		{"departments under regions scope", func(h *matcher.Household) { h.Relocation.Departments = []string{"71"} },
			[]fieldCode{{"relocation.departments", "inconsistent"}}},
		{"radius", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeRadius, RadiusKM: 1000}
		}, nil},
		{"radius missing", func(h *matcher.Household) { h.Relocation = matcher.Relocation{Scope: matcher.ScopeRadius} },
			[]fieldCode{{"relocation.radius_km", "required"}}},
		{"radius negative", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeRadius, RadiusKM: -5}
		},
			[]fieldCode{{"relocation.radius_km", "out_of_range"}}},
		{"radius above 1000", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeRadius, RadiusKM: 1000.5}
		}, []fieldCode{{"relocation.radius_km", "out_of_range"}}},
		{"radius under anywhere scope", func(h *matcher.Household) {
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeAnywhere, RadiusKM: 50}
		}, []fieldCode{{"relocation.radius_km", "inconsistent"}}},
		{"four wishes", func(h *matcher.Household) { h.Wishes = append(h.Wishes, "974") }, []fieldCode{{"wishes", "too_many"}}},
		{"wish malformed", func(h *matcher.Household) { h.Wishes[0] = "Lyon" }, []fieldCode{{"wishes[0]", "invalid"}}},
		{"wish empty", func(h *matcher.Household) { h.Wishes[2] = "" }, []fieldCode{{"wishes[2]", "invalid"}}},
		{"wish twice", func(h *matcher.Household) { h.Wishes[2] = "71" }, []fieldCode{{"wishes[2]", "invalid"}}},
		{"need unknown", func(h *matcher.Household) { h.Needs = []string{"parking"} }, []fieldCode{{"needs[0]", "unknown_value"}}},
		{"need twice", func(h *matcher.Household) { h.Needs = []string{"school", "step_free", "school"} }, []fieldCode{{"needs[2]", "invalid"}}},
		{"priority negative", func(h *matcher.Household) { h.Priority = -1 }, []fieldCode{{"priority", "out_of_range"}}},
		{"priority 10.5", func(h *matcher.Household) { h.Priority = 10.5 }, []fieldCode{{"priority", "out_of_range"}}},
		{"priority infinite", func(h *matcher.Household) { h.Priority = math.Inf(1) }, []fieldCode{{"priority", "out_of_range"}}},
		{"priority default", func(h *matcher.Household) { h.Priority = 0 }, nil},
	}
}

func TestHouseholdValidate(t *testing.T) {
	if err := ptr(validHousehold()).Validate(); err != nil {
		t.Fatalf("baseline: got %v, want nil", err)
	}
	for _, tc := range householdCases() {
		t.Run(tc.name, func(t *testing.T) {
			h := validHousehold()
			tc.mutate(&h)
			checkFields(t, h.Validate(), tc.want...)
		})
	}
}

type housingCase struct {
	name   string
	base   func() matcher.HousingOffer
	mutate func(*matcher.HousingOffer)
	want   []fieldCode
}

func housingCases() []housingCase {
	v, s := validHousingOffer, sharedOffer
	return []housingCase{
		{"shared baseline", s, func(*matcher.HousingOffer) {}, nil},
		{"landlord kind missing", v, func(o *matcher.HousingOffer) { o.LandlordKind = "" }, []fieldCode{{"landlord_kind", "required"}}},
		{"landlord kind unknown", v, func(o *matcher.HousingOffer) { o.LandlordKind = "hlm" }, []fieldCode{{"landlord_kind", "unknown_value"}}},
		{"commune missing", v, func(o *matcher.HousingOffer) { o.Commune = "" }, []fieldCode{{"commune", "required"}}},
		{"commune malformed", v, func(o *matcher.HousingOffer) { o.Commune = "2C004" }, []fieldCode{{"commune", "invalid"}}},
		{"no point", v, func(o *matcher.HousingOffer) { o.Point = nil }, nil},
		{"point Réunion", v, func(o *matcher.HousingOffer) { o.Point = &matcher.Point{Lon: 55.45, Lat: -20.88} }, nil},
		{"point Guadeloupe", v, func(o *matcher.HousingOffer) { o.Point = &matcher.Point{Lon: -61.58, Lat: 16.24} }, nil},
		{"point zero", v, func(o *matcher.HousingOffer) { o.Point = &matcher.Point{} }, []fieldCode{{"point", "invalid"}}},
		{"point NaN", v, func(o *matcher.HousingOffer) { o.Point.Lat = math.NaN() }, []fieldCode{{"point", "invalid"}}},
		{"point off the globe", v, func(o *matcher.HousingOffer) { o.Point.Lon = 190 }, []fieldCode{{"point", "invalid"}}},
		{"point swapped but inside the box", v, func(o *matcher.HousingOffer) { o.Point = &matcher.Point{Lon: 46.78, Lat: 4.85} }, nil},
		{"point west of Guadeloupe", v, func(o *matcher.HousingOffer) { o.Point.Lon = -75 }, []fieldCode{{"point.lon", "out_of_range"}}},
		{"point north of Dunkirk", v, func(o *matcher.HousingOffer) { o.Point.Lat = 60 }, []fieldCode{{"point.lat", "out_of_range"}}},
		{"rooms missing", v, func(o *matcher.HousingOffer) { o.Rooms = 0 }, []fieldCode{{"rooms", "required"}}},
		{"rooms 11", v, func(o *matcher.HousingOffer) { o.Rooms = 11 }, []fieldCode{{"rooms", "out_of_range"}}},
		{"rooms negative", v, func(o *matcher.HousingOffer) { o.Rooms = -2 }, []fieldCode{{"rooms", "out_of_range"}}},
		{"surface missing", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 0 }, []fieldCode{{"surface_m2", "required"}}},
		{"surface 8.9", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 8.9; o.Rooms = 1 }, []fieldCode{{"surface_m2", "out_of_range"}}},
		{"surface 9", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 9; o.Rooms = 1 }, nil},
		{"surface 501", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 501 }, []fieldCode{{"surface_m2", "out_of_range"}}},
		{"surface NaN", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = math.NaN() }, []fieldCode{{"surface_m2", "out_of_range"}}},
		{"places missing", s, func(o *matcher.HousingOffer) { o.Places = 0 }, []fieldCode{{"places", "required"}}},
		{"places 11", s, func(o *matcher.HousingOffer) { o.Rooms = 10; o.Places = 11 }, []fieldCode{{"places", "out_of_range"}}},
		{"places above rooms", s, func(o *matcher.HousingOffer) { o.Places = 5 }, []fieldCode{{"places", "inconsistent"}}},
		{"places equal rooms", s, func(o *matcher.HousingOffer) { o.Places = 4 }, nil},
		{"shared gender missing", s, func(o *matcher.HousingOffer) { o.Gender = "" }, []fieldCode{{"gender", "required"}}},
		{"shared gender X", s, func(o *matcher.HousingOffer) { o.Gender = matcher.OtherSex }, []fieldCode{{"gender", "unknown_value"}}},
		{"shared gender any", s, func(o *matcher.HousingOffer) { o.Gender = matcher.AnyGender }, nil},
		{"shared max occupants", s, func(o *matcher.HousingOffer) { o.MaxOccupants = 2 }, nil},
		{"shared max occupants differ", s, func(o *matcher.HousingOffer) { o.MaxOccupants = 3 }, []fieldCode{{"max_occupants", "inconsistent"}}},
		{"places without sharing", v, func(o *matcher.HousingOffer) { o.Places = 2 }, []fieldCode{{"places", "inconsistent"}}},
		{"gender without sharing", v, func(o *matcher.HousingOffer) { o.Gender = matcher.Male }, []fieldCode{{"gender", "inconsistent"}}},
		{"gender any without sharing", v, func(o *matcher.HousingOffer) { o.Gender = matcher.AnyGender }, nil},
		{"max occupants 20", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 500; o.MaxOccupants = 20 }, nil},
		{"max occupants 21", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 500; o.MaxOccupants = 21 }, []fieldCode{{"max_occupants", "out_of_range"}}},
		{"max occupants negative", v, func(o *matcher.HousingOffer) { o.MaxOccupants = -1 }, []fieldCode{{"max_occupants", "out_of_range"}}},
		{"max occupants above decency", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 33; o.MaxOccupants = 4 }, []fieldCode{{"max_occupants", "inconsistent"}}},
		{"max occupants at decency", v, func(o *matcher.HousingOffer) { o.SurfaceM2 = 34; o.MaxOccupants = 4 }, nil},
		{"rent missing", v, func(o *matcher.HousingOffer) { o.RentMonthly = 0 }, []fieldCode{{"rent_monthly", "required"}}},
		{"rent negative", v, func(o *matcher.HousingOffer) { o.RentMonthly = -410 }, []fieldCode{{"rent_monthly", "out_of_range"}}},
		{"rent 10001", v, func(o *matcher.HousingOffer) { o.RentMonthly = 10001 }, []fieldCode{{"rent_monthly", "out_of_range"}}},
		{"charges negative", v, func(o *matcher.HousingOffer) { o.ChargesMonthly = -1 }, []fieldCode{{"charges_monthly", "out_of_range"}}},
		{"charges 2001", v, func(o *matcher.HousingOffer) { o.ChargesMonthly = 2001 }, []fieldCode{{"charges_monthly", "out_of_range"}}},
		{"lease missing", v, func(o *matcher.HousingOffer) { o.Lease = "" }, []fieldCode{{"lease", "required"}}},
		{"lease unknown", v, func(o *matcher.HousingOffer) { o.Lease = "bail_mobilite" }, []fieldCode{{"lease", "unknown_value"}}},
		{"max months 61", v, func(o *matcher.HousingOffer) { o.MaxMonths = 61 }, []fieldCode{{"max_months", "out_of_range"}}},
		{"max months negative", v, func(o *matcher.HousingOffer) { o.MaxMonths = -1 }, []fieldCode{{"max_months", "out_of_range"}}},
		{"iml without max months", s, func(o *matcher.HousingOffer) { o.MaxMonths = 0 }, []fieldCode{{"max_months", "required"}}},
		{"relay without max months", v, func(o *matcher.HousingOffer) { o.LandlordKind = matcher.Relay }, []fieldCode{{"max_months", "required"}}},
		{"relay with residence lease", v, func(o *matcher.HousingOffer) {
			o.LandlordKind, o.Lease, o.MaxMonths = matcher.Relay, matcher.ResidenceLease, 24
		}, nil},
		{"iml direct lease", s, func(o *matcher.HousingOffer) { o.Lease = matcher.DirectLease }, []fieldCode{{"lease", "inconsistent"}}},
		{"iml sliding lease", s, func(o *matcher.HousingOffer) { o.Lease = matcher.SlidingLease }, nil},
		{"iml residence lease", s, func(o *matcher.HousingOffer) { o.Lease = matcher.ResidenceLease }, []fieldCode{{"lease", "inconsistent"}}},
		{"pension de famille direct lease", v, func(o *matcher.HousingOffer) { o.LandlordKind = matcher.PensionDeFamille },
			[]fieldCode{{"lease", "inconsistent"}}},
		{"residence sociale residence lease", v, func(o *matcher.HousingOffer) {
			o.LandlordKind, o.Lease = matcher.ResidenceSociale, matcher.ResidenceLease
		}, nil},
		{"private residence lease", v, func(o *matcher.HousingOffer) {
			o.LandlordKind, o.Lease = matcher.Private, matcher.ResidenceLease
		}, []fieldCode{{"lease", "inconsistent"}}},
		{"available_from missing", v, func(o *matcher.HousingOffer) { o.AvailableFrom = matcher.Date{} }, []fieldCode{{"available_from", "required"}}},
		{"expires before available", v, func(o *matcher.HousingOffer) { o.ExpiresOn = matcher.NewDate(2025, 9, 30) },
			[]fieldCode{{"expires_on", "inconsistent"}}},
		{"expires on the day available", v, func(o *matcher.HousingOffer) { o.ExpiresOn = o.AvailableFrom }, nil},
		{"no expiry", v, func(o *matcher.HousingOffer) { o.ExpiresOn = matcher.Date{} }, nil},
		{"status empty", v, func(o *matcher.HousingOffer) { o.Status = "" }, nil},
		{"status let", v, func(o *matcher.HousingOffer) { o.Status = matcher.StatusLet }, nil},
		{"status filled", v, func(o *matcher.HousingOffer) { o.Status = matcher.StatusFilled }, []fieldCode{{"status", "unknown_value"}}},
	}
}

func TestHousingOfferValidate(t *testing.T) {
	if err := ptr(validHousingOffer()).Validate(); err != nil {
		t.Fatalf("baseline: got %v, want nil", err)
	}
	for _, tc := range housingCases() {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.base()
			tc.mutate(&o)
			checkFields(t, o.Validate(), tc.want...)
		})
	}
}

type jobCase struct {
	name   string
	mutate func(*matcher.JobOffer)
	want   []fieldCode
}

func jobCases() []jobCase {
	return []jobCase{
		{"rome missing", func(j *matcher.JobOffer) { j.ROME = "" }, []fieldCode{{"rome", "required"}}},
		{"rome v3 shape", func(j *matcher.JobOffer) { j.ROME = "G16" }, []fieldCode{{"rome", "invalid"}}},
		{"rome letter Z", func(j *matcher.JobOffer) { j.ROME = "Z1602" }, []fieldCode{{"rome", "invalid"}}},
		{"commune missing", func(j *matcher.JobOffer) { j.Commune = "" }, []fieldCode{{"commune", "required"}}},
		{"commune malformed", func(j *matcher.JobOffer) { j.Commune = "97801" }, []fieldCode{{"commune", "invalid"}}},
		{"commune Mayotte", func(j *matcher.JobOffer) { j.Commune = "97611"; j.Point = nil }, nil},
		{"point south of Réunion", func(j *matcher.JobOffer) { j.Point.Lat = -30 }, []fieldCode{{"point.lat", "out_of_range"}}},
		{"contract missing", func(j *matcher.JobOffer) { j.Contract = "" }, []fieldCode{{"contract", "required"}}},
		{"contract unknown", func(j *matcher.JobOffer) { j.Contract = "freelance" }, []fieldCode{{"contract", "unknown_value"}}},
		{"cdi", func(j *matcher.JobOffer) { j.Contract, j.Months = matcher.CDI, 0 }, nil},
		{"cdi with months", func(j *matcher.JobOffer) { j.Contract = matcher.CDI }, []fieldCode{{"months", "inconsistent"}}},
		{"cdd without months", func(j *matcher.JobOffer) { j.Months = 0 }, []fieldCode{{"months", "required"}}},
		{"cdd 37 months", func(j *matcher.JobOffer) { j.Months = 37 }, []fieldCode{{"months", "out_of_range"}}},
		{"cdd 36 months", func(j *matcher.JobOffer) { j.Months = 36 }, nil},
		{"seasonal without months", func(j *matcher.JobOffer) { j.Contract, j.Months = matcher.Seasonal, 0 }, []fieldCode{{"months", "required"}}},
		{"interim without months", func(j *matcher.JobOffer) { j.Contract, j.Months = matcher.Interim, 0 }, nil},
		{"apprenticeship 36 months", func(j *matcher.JobOffer) { j.Contract, j.Months = matcher.Apprenticeship, 36 }, nil},
		{"insertion 61 months", func(j *matcher.JobOffer) { j.Contract, j.Months = matcher.Insertion, 61 }, []fieldCode{{"months", "out_of_range"}}},
		{"training negative months", func(j *matcher.JobOffer) { j.Contract, j.Months = matcher.Training, -1 }, []fieldCode{{"months", "out_of_range"}}},
		{"hours default", func(j *matcher.JobOffer) { j.HoursWeekly = 0 }, nil},
		{"hours 0.5", func(j *matcher.JobOffer) { j.HoursWeekly = 0.5 }, []fieldCode{{"hours_weekly", "out_of_range"}}},
		{"hours 48.5", func(j *matcher.JobOffer) { j.HoursWeekly = 48.5 }, []fieldCode{{"hours_weekly", "out_of_range"}}},
		{"hours NaN", func(j *matcher.JobOffer) { j.HoursWeekly = math.NaN() }, []fieldCode{{"hours_weekly", "out_of_range"}}},
		{"salary not given", func(j *matcher.JobOffer) { j.SalaryMonthlyGross = matcher.Salary{} }, nil},
		{"salary single figure", func(j *matcher.JobOffer) { j.SalaryMonthlyGross = matcher.Salary{Min: 2000, Max: 2000} }, nil},
		{"salary min negative", func(j *matcher.JobOffer) { j.SalaryMonthlyGross.Min = -1 }, []fieldCode{{"salary_monthly_gross.min", "out_of_range"}}},
		{"salary max below min", func(j *matcher.JobOffer) { j.SalaryMonthlyGross.Max = 1800 }, []fieldCode{{"salary_monthly_gross.max", "inconsistent"}}},
		{"salary max above 20000", func(j *matcher.JobOffer) { j.SalaryMonthlyGross.Max = 25000 }, []fieldCode{{"salary_monthly_gross.max", "out_of_range"}}},
		{"salary both above 20000", func(j *matcher.JobOffer) { j.SalaryMonthlyGross = matcher.Salary{Min: 30000, Max: 40000} },
			[]fieldCode{{"salary_monthly_gross.min", "out_of_range"}, {"salary_monthly_gross.max", "out_of_range"}}},
		{"french level unset", func(j *matcher.JobOffer) { j.FrenchLevel = "" }, nil},
		{"french level unknown", func(j *matcher.JobOffer) { j.FrenchLevel = "a2" }, []fieldCode{{"french_level", "unknown_value"}}},
		{"positions default", func(j *matcher.JobOffer) { j.Positions = 0 }, nil},
		{"positions 501", func(j *matcher.JobOffer) { j.Positions = 501 }, []fieldCode{{"positions", "out_of_range"}}},
		{"positions negative", func(j *matcher.JobOffer) { j.Positions = -1 }, []fieldCode{{"positions", "out_of_range"}}},
		{"start_on missing", func(j *matcher.JobOffer) { j.StartOn = matcher.Date{} }, []fieldCode{{"start_on", "required"}}},
		{"posting closes before the job starts", func(j *matcher.JobOffer) { j.ExpiresOn = matcher.NewDate(2025, 10, 5) }, nil},
		{"expires on start", func(j *matcher.JobOffer) { j.ExpiresOn = j.StartOn }, nil},
		{"status withdrawn", func(j *matcher.JobOffer) { j.Status = matcher.StatusWithdrawn }, nil},
		{"status let", func(j *matcher.JobOffer) { j.Status = matcher.StatusLet }, []fieldCode{{"status", "unknown_value"}}},
		{"title 200 runes", func(j *matcher.JobOffer) { j.Title = strings.Repeat("é", 200) }, nil},
		{"title 201 runes", func(j *matcher.JobOffer) { j.Title = strings.Repeat("é", 201) }, []fieldCode{{"title", "out_of_range"}}},
		{"employer 201 runes", func(j *matcher.JobOffer) { j.Employer = strings.Repeat("a", 201) }, []fieldCode{{"employer", "out_of_range"}}},
	}
}

func TestJobOfferValidate(t *testing.T) {
	if err := ptr(validJobOffer()).Validate(); err != nil {
		t.Fatalf("baseline: got %v, want nil", err)
	}
	for _, tc := range jobCases() {
		t.Run(tc.name, func(t *testing.T) {
			j := validJobOffer()
			tc.mutate(&j)
			checkFields(t, j.Validate(), tc.want...)
		})
	}
}

func TestValidateReportsEveryField(t *testing.T) {
	t.Run("household", func(t *testing.T) {
		h := validHousehold()
		h.Members[1].Age = 130
		h.Members[2].Occupations = []matcher.Occupation{{ROME: "x", Years: 70}}
		h.Commune = "7107"
		h.Modes = []geo.Mode{geo.Walk, "jetpack"}
		h.Wishes = []string{"71", "72", "73", "74"}
		h.Priority = -1
		checkFields(t, h.Validate(),
			fieldCode{"members[1].age", "out_of_range"},
			fieldCode{"members[2].occupations[0].rome", "invalid"},
			fieldCode{"members[2].occupations[0].years", "out_of_range"},
			fieldCode{"commune", "invalid"},
			fieldCode{"modes[1]", "unknown_value"},
			fieldCode{"wishes", "too_many"},
			fieldCode{"priority", "out_of_range"},
		)
	})
	t.Run("empty household", func(t *testing.T) {
		checkFields(t, new(matcher.Household).Validate(),
			fieldCode{"members", "required"},
			fieldCode{"protection.kind", "required"},
			fieldCode{"protection.granted_on", "required"},
			fieldCode{"commune", "required"},
		)
	})
	t.Run("empty housing offer", func(t *testing.T) {
		checkFields(t, new(matcher.HousingOffer).Validate(),
			fieldCode{"landlord_kind", "required"},
			fieldCode{"commune", "required"},
			fieldCode{"rooms", "required"},
			fieldCode{"surface_m2", "required"},
			fieldCode{"rent_monthly", "required"},
			fieldCode{"lease", "required"},
			fieldCode{"available_from", "required"},
		)
	})
	t.Run("empty job offer", func(t *testing.T) {
		checkFields(t, new(matcher.JobOffer).Validate(),
			fieldCode{"rome", "required"},
			fieldCode{"commune", "required"},
			fieldCode{"contract", "required"},
			fieldCode{"start_on", "required"},
		)
	})
}

// allFieldErrors returns the FieldErrors of every failing case of the
// tables.
func allFieldErrors(t *testing.T) []matcher.FieldError {
	t.Helper()
	var errs []error
	for _, tc := range householdCases() {
		h := validHousehold()
		tc.mutate(&h)
		errs = append(errs, h.Validate())
	}
	for _, tc := range housingCases() {
		o := tc.base()
		tc.mutate(&o)
		errs = append(errs, o.Validate())
	}
	for _, tc := range jobCases() {
		j := validJobOffer()
		tc.mutate(&j)
		errs = append(errs, j.Validate())
	}
	errs = append(errs, new(matcher.Household).Validate(), new(matcher.HousingOffer).Validate(), new(matcher.JobOffer).Validate())
	var out []matcher.FieldError
	for _, err := range errs {
		var ve *matcher.ValidationError
		if errors.As(err, &ve) {
			out = append(out, ve.Fields...)
		}
	}
	return out
}

func TestFieldErrorMessages(t *testing.T) {
	codes := []string{matcher.CodeRequired, matcher.CodeInvalid, matcher.CodeOutOfRange,
		matcher.CodeTooMany, matcher.CodeInconsistent, matcher.CodeUnknownValue}
	seen := map[string]bool{}
	for _, f := range allFieldErrors(t) {
		seen[f.Code] = true
		if !slices.Contains(codes, f.Code) {
			t.Errorf("%s: code %q is not one of %v", f.Field, f.Code, codes)
		}
		if f.Field == "" {
			t.Errorf("code %s: empty field", f.Code)
		}
		if f.MessageFR == "" || f.MessageEN == "" {
			t.Errorf("%s %s: got messages %q and %q, want both non-empty", f.Field, f.Code, f.MessageFR, f.MessageEN)
		}
		if f.MessageFR == f.MessageEN {
			t.Errorf("%s %s: French message %q is the English one", f.Field, f.Code, f.MessageFR)
		}
		for _, m := range []string{f.MessageFR, f.MessageEN} {
			if !strings.HasSuffix(m, ".") || strings.ToUpper(m[:1]) != m[:1] {
				t.Errorf("%s %s: message %q is not a capitalised sentence", f.Field, f.Code, m)
			}
		}
	}
	for _, c := range codes {
		if !seen[c] {
			t.Errorf("no test case produces code %q", c)
		}
	}
}

func TestFieldErrorMessageText(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		fr, en string
	}{
		{"age", func() error { h := validHousehold(); h.Members[0].Age = 121; return h.Validate() }(),
			"L'âge doit être compris entre 0 et 120\u00a0ans.", "The age must be between 0 and 120 years."},
		{"surface", func() error { o := validHousingOffer(); o.SurfaceM2 = 8; return o.Validate() }(),
			"La surface doit être comprise entre 9 et 500\u00a0m².", "The floor area must be between 9 and 500 m²."},
		{"income", func() error { h := validHousehold(); h.IncomeMonthly = -1; return h.Validate() }(),
			"Le revenu mensuel doit être compris entre 0 et 20\u202f000\u00a0€.", "The monthly income must be between 0 and 20,000 euros."},
		{"longitude", func() error { o := validHousingOffer(); o.Point.Lon = -70; return o.Validate() }(),
			"La longitude doit être comprise entre −62 et 56°.", "The longitude must be between -62 and 56°."},
		{"status", func() error { j := validJobOffer(); j.Status = "closed"; return j.Validate() }(),
			"Le statut doit valoir l'une des valeurs suivantes\u00a0: open, filled, withdrawn.",
			"The status must be one of: open, filled, withdrawn."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ve *matcher.ValidationError
			if !errors.As(tc.err, &ve) || len(ve.Fields) != 1 {
				t.Fatalf("got %v, want one field error", tc.err)
			}
			if got := ve.Fields[0].MessageFR; got != tc.fr {
				t.Errorf("French: got %q, want %q", got, tc.fr)
			}
			if got := ve.Fields[0].MessageEN; got != tc.en {
				t.Errorf("English: got %q, want %q", got, tc.en)
			}
		})
	}
}

func TestValidationErrorJSON(t *testing.T) {
	j := validJobOffer()
	j.ROME = ""
	j.SalaryMonthlyGross.Max = 1000
	err := j.Validate()
	var ve *matcher.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	got, mErr := json.Marshal(ve)
	if mErr != nil {
		t.Fatal(mErr)
	}
	want := `{"errors":[` +
		`{"field":"rome","code":"required","message":"Le code ROME est obligatoire.","message_en":"The ROME code is required."},` +
		`{"field":"salary_monthly_gross.max","code":"inconsistent",` +
		`"message":"Le salaire maximum doit être supérieur ou égal au salaire minimum.",` +
		`"message_en":"The maximum salary must be at least the minimum salary."}]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, want := err.Error(), "matcher: invalid input: rome: The ROME code is required.; "+
		"salary_monthly_gross.max: The maximum salary must be at least the minimum salary."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestValidateDoesNotModify(t *testing.T) {
	h := validHousehold()
	h.Modes, h.MaxCommuteMinutes, h.Priority, h.Relocation = nil, 0, 0, matcher.Relocation{}
	before := validHousehold()
	before.Modes, before.MaxCommuteMinutes, before.Priority, before.Relocation = nil, 0, 0, matcher.Relocation{}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h, before) {
		t.Errorf("Validate changed the household: got %+v, want %+v", h, before)
	}
}

func TestMaxOccupantsForSurface(t *testing.T) {
	tests := []struct {
		m2   float64
		want int
	}{
		{math.NaN(), 0}, {math.Inf(-1), 0}, {-9, 0}, {0, 0}, {8, 0}, {8.99, 0},
		{9, 1}, {15.99, 1}, {16, 2}, {24.99, 2}, {25, 3}, {33.9, 3}, {34, 4}, {43, 5},
		{70, 8}, {500, 55}, {1e9, 111_111_111}, {math.Inf(1), 111_111_111},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.m2), func(t *testing.T) {
			if got := matcher.MaxOccupantsForSurface(tc.m2); got != tc.want {
				t.Errorf("MaxOccupantsForSurface(%v) = %d, want %d", tc.m2, got, tc.want)
			}
		})
	}
}

// TestMaxOccupantsForSurfaceOracle checks the closed form against the norm
// read literally: n people need 9 m² for n = 1, else 16 + 9(n−2) m².
func TestMaxOccupantsForSurfaceOracle(t *testing.T) {
	need := func(n int) float64 {
		if n == 1 {
			return 9
		}
		return 16 + 9*float64(n-2)
	}
	for tenths := 0; tenths <= 5000; tenths++ {
		m2 := float64(tenths) / 10
		want := 0
		for need(want+1) <= m2 {
			want++
		}
		if got := matcher.MaxOccupantsForSurface(m2); got != want {
			t.Fatalf("MaxOccupantsForSurface(%v) = %d, want %d", m2, got, want)
		}
	}
}

func TestHouseholdApplyDefaults(t *testing.T) {
	h := validHousehold()
	h.MaxCommuteMinutes, h.Modes, h.Relocation, h.Priority = 0, nil, matcher.Relocation{}, 0
	h.ApplyDefaults()
	if h.MaxCommuteMinutes != 45 {
		t.Errorf("max_commute_minutes: got %d, want 45", h.MaxCommuteMinutes)
	}
	if want := []geo.Mode{geo.Walk, geo.Bike, geo.Transit}; !slices.Equal(h.Modes, want) {
		t.Errorf("modes: got %v, want %v", h.Modes, want)
	}
	if h.Relocation.Scope != matcher.ScopeAnywhere {
		t.Errorf("relocation.scope: got %q, want %q", h.Relocation.Scope, matcher.ScopeAnywhere)
	}
	if h.Priority != 1 {
		t.Errorf("priority: got %v, want 1", h.Priority)
	}
	if err := h.Validate(); err != nil {
		t.Errorf("after ApplyDefaults: got %v, want nil", err)
	}

	set := validHousehold()
	want := validHousehold()
	set.ApplyDefaults()
	if !reflect.DeepEqual(set, want) {
		t.Errorf("ApplyDefaults changed set fields: got %+v, want %+v", set, want)
	}
}

func TestHousingOfferApplyDefaults(t *testing.T) {
	tests := []struct {
		name          string
		offer         matcher.HousingOffer
		wantOccupants int
		wantGender    matcher.Sex
	}{
		{"from surface", func() matcher.HousingOffer { o := validHousingOffer(); o.SurfaceM2 = 34; return o }(), 4, ""},
		{"small", func() matcher.HousingOffer { o := validHousingOffer(); o.Rooms, o.SurfaceM2 = 1, 12; return o }(), 1, ""},
		{"capped at 20", func() matcher.HousingOffer { o := validHousingOffer(); o.SurfaceM2 = 500; return o }(), 20, ""},
		{"kept", func() matcher.HousingOffer { o := validHousingOffer(); o.MaxOccupants = 2; return o }(), 2, ""},
		{"shared", sharedOffer(), 2, matcher.Female},
		{"shared any gender", func() matcher.HousingOffer { o := sharedOffer(); o.Gender = ""; return o }(), 2, matcher.AnyGender},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.offer
			o.Status = ""
			o.ApplyDefaults()
			if o.Status != matcher.StatusOpen {
				t.Errorf("status: got %q, want %q", o.Status, matcher.StatusOpen)
			}
			if o.MaxOccupants != tc.wantOccupants {
				t.Errorf("max_occupants: got %d, want %d", o.MaxOccupants, tc.wantOccupants)
			}
			if o.Gender != tc.wantGender {
				t.Errorf("gender: got %q, want %q", o.Gender, tc.wantGender)
			}
			if err := o.Validate(); err != nil {
				t.Errorf("after ApplyDefaults: got %v, want nil", err)
			}
		})
	}
}

func TestJobOfferApplyDefaults(t *testing.T) {
	j := validJobOffer()
	j.Status, j.HoursWeekly, j.Positions = "", 0, 0
	j.ApplyDefaults()
	if j.Status != matcher.StatusOpen || j.HoursWeekly != 35 || j.Positions != 1 {
		t.Errorf("got status %q, hours %v, positions %d; want open, 35, 1", j.Status, j.HoursWeekly, j.Positions)
	}
	if err := j.Validate(); err != nil {
		t.Errorf("after ApplyDefaults: got %v, want nil", err)
	}
}

func ExampleHousehold_Validate() {
	h := matcher.Household{
		Members:    []matcher.Member{{Role: matcher.Adult, Age: 16, Sex: matcher.Female}},
		Protection: matcher.Protection{Kind: matcher.Subsidiary, GrantedOn: matcher.NewDate(2024, 5, 2)},
		Commune:    "71076",
	}
	var ve *matcher.ValidationError
	if errors.As(h.Validate(), &ve) {
		for _, f := range ve.Fields {
			fmt.Printf("%s %s: %s\n", f.Field, f.Code, f.MessageEN)
		}
	}
	// Output:
	// members[0].role inconsistent: A member under 18 cannot be declared an adult.
}

func ptr[T any](v T) *T { return &v }
