package ingest_test

import (
	"slices"
	"testing"

	"passerelle/ingest"
	"passerelle/matcher"
)

// TestPlanOverRealOffers plans for a household whose adult works in
// services domestiques (K1304), the occupation of five real offers
// (Issenheim, Orléans, Catus, Villefranche-de-Lauragais, Revel; read in the
// file), over the real reference and the real offers, with one
// hand-written flat in each of those communes. The plan must offer those
// jobs with real commutes, except Catus, whose offer requires a driving
// licence the adult does not have.
func TestPlanOverRealOffers(t *testing.T) {
	ref, _ := mustReference(t)
	jobs, _, err := ingest.ReadOffers(openShared(t, ingest.FileOffers), ingest.OffersOptions{Atlas: ref.Atlas})
	if err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		jobs[i].ID = jobs[i].ExternalRef
		jobs[i].ApplyDefaults()
	}
	var homes []matcher.HousingOffer
	for i, commune := range []string{"68156", "45234", "46064", "31582", "31451"} {
		h := matcher.HousingOffer{ID: "H" + commune, ExternalRef: "H" + commune, LandlordKind: matcher.Social, Commune: commune,
			Rooms: 2, SurfaceM2: 45, RentMonthly: 380 + 10*float64(i), ChargesMonthly: 40, Lease: matcher.DirectLease,
			AvailableFrom: matcher.NewDate(2023, 10, 1)}
		if err := h.Validate(); err != nil {
			t.Fatal(err)
		}
		h.ApplyDefaults()
		homes = append(homes, h)
	}
	eng, err := matcher.NewEngine(&matcher.Market{Atlas: ref.Atlas, Housing: homes, Jobs: jobs, Shortage: ref.Shortage}, matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h := &matcher.Household{ID: "real-1", Commune: "93066", CIRSigned: true, IncomeMonthly: 600,
		Protection: matcher.Protection{Kind: matcher.Refugee, GrantedOn: matcher.NewDate(2023, 3, 1)},
		Members: []matcher.Member{{Role: matcher.Adult, Age: 34, Sex: matcher.Female, FrenchLevel: matcher.B1, SeeksWork: true,
			DrivingLicence: matcher.NoLicence, Occupations: []matcher.Occupation{{ROME: "K1304", Years: 3}}}},
		MoveFrom: matcher.NewDate(2023, 10, 1)}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	h.ApplyDefaults()
	plan, err := eng.Plan(t.Context(), h, matcher.PlanOptions{NoWhatIf: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range plan.Options {
		for _, j := range o.Jobs {
			if j.ROME == "K1304" {
				got = append(got, j.ExternalRef)
				if j.CommuteMinutes <= 0 || j.CommuteMinutes > h.MaxCommuteMinutes {
					t.Errorf("%s: commute %d minutes", j.ExternalRef, j.CommuteMinutes)
				}
			}
		}
	}
	slices.Sort(got)
	want := []string{"162CNXL", "162CNXN", "162HJSL", "162KRWT"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("plan jobs %v lack %s", got, w)
		}
	}
	if slices.Contains(got, "162GKVW") {
		t.Error("the Catus offer requires a licence the adult does not have")
	}
}
