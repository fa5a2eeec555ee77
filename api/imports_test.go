package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// ftSearch is a France Travail search response with two offers.
const ftSearch = `{"resultats": [
 {"id": "API01", "intitule": "Commis de cuisine (H/F)", "dateCreation": "2026-10-01T08:00:00.000Z",
  "lieuTravail": {"libelle": "71 - CHALON SUR SAONE", "latitude": 46.79, "longitude": 4.85, "commune": "71076"},
  "romeCode": "G1602", "entreprise": {"nom": "Restaurant"}, "typeContrat": "CDI", "natureContrat": "Contrat travail",
  "salaire": {"libelle": "Mensuel de 1800.00 Euros à 2000.00 Euros"}, "dureeTravailLibelle": "35H", "nombrePostes": 1},
 {"id": "API02", "intitule": "Plongeur (H/F)", "dateCreation": "2026-10-02T08:00:00.000Z",
  "lieuTravail": {"libelle": "21 - DIJON", "commune": "21231"},
  "romeCode": "G1605", "entreprise": {"nom": "Brasserie"}, "typeContrat": "CDD", "typeContratLibelle": "Contrat à durée déterminée - 6 Mois",
  "natureContrat": "Contrat travail", "salaire": {"libelle": "Mensuel de 1800.00 Euros"}, "dureeTravailLibelle": "35H", "nombrePostes": 1}
]}`

func vacancies(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../examples/vacancies.csv")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type importReport struct {
	Kind     string
	Rows     int
	Accepted int
	Rejected map[string]int
	Errors   []struct {
		Line   int
		Column string
		Code   string
	}
	Stored *struct{ Created, Updated, Unchanged int }
}

func TestImportRoutes(t *testing.T) {
	e := newEnv(t)
	csv := map[string]string{"Content-Type": "text/csv"}
	post := func(want int, path, key, body string, hdr map[string]string) importReport {
		t.Helper()
		r := e.must(want, req{method: "POST", path: path, key: key, body: body, header: hdr})
		var rep importReport
		if want == http.StatusOK {
			if err := json.Unmarshal(r.Body, &rep); err != nil {
				t.Fatal(err)
			}
		}
		return rep
	}
	rep := post(http.StatusOK, "/v1/housing/import", "landlord", vacancies(t), csv)
	if rep.Kind != "housing" || rep.Stored == nil || rep.Stored.Created != rep.Accepted || rep.Accepted < 2 {
		t.Fatalf("first import: %+v", rep)
	}
	n := rep.Accepted
	// The offers are the landlord's, and plans can use them.
	list := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing?limit=100", key: "landlord"}).JSON(t)
	if items := list["items"].([]any); len(items) != n {
		t.Errorf("landlord's offers: %d, want %d", len(items), n)
	}
	if rep := post(http.StatusOK, "/v1/housing/import", "landlord", vacancies(t), csv); rep.Stored.Unchanged != n || rep.Stored.Created != 0 {
		t.Errorf("same file again: %+v", rep.Stored)
	}
	// Idempotency-Key: a retry gets the first answer.
	hdr := map[string]string{"Content-Type": "text/csv", "Idempotency-Key": "imp-1"}
	first := e.must(http.StatusOK, req{method: "POST", path: "/v1/housing/import", key: "landlord", body: vacancies(t), header: hdr})
	again := e.must(http.StatusOK, req{method: "POST", path: "/v1/housing/import", key: "landlord", body: vacancies(t), header: hdr})
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Errorf("replay: header %q", again.Header.Get("Idempotent-Replayed"))
	}
	// A refused file: 422 with the report naming the line; nothing stored.
	lines := strings.Split(vacancies(t), "\n")
	badRow := strings.Replace(lines[1], ",71076,", ",7107X,", 1)
	bad := lines[0] + "\n" + strings.Replace(badRow, "LOG-2026-001", "LOG-NEW-1", 1) + "\n"
	r := e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/housing/import", key: "landlord", body: bad, header: csv})
	var p struct {
		Code   string
		Report importReport
	}
	if err := json.Unmarshal(r.Body, &p); err != nil || p.Code != "import_refused" || len(p.Report.Errors) != 1 ||
		p.Report.Errors[0].Line != 2 || p.Report.Errors[0].Column != "commune" {
		t.Fatalf("refused file: %s", r.Body)
	}
	missing := strings.Replace(vacancies(t), "rent_monthly", "loyer_inconnu", 1)
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/housing/import", key: "landlord", body: missing, header: csv})
	list = e.must(http.StatusOK, req{method: "GET", path: "/v1/housing?limit=100", key: "landlord"}).JSON(t)
	if items := list["items"].([]any); len(items) != n {
		t.Errorf("after refused files: %d offers, want %d", len(items), n)
	}
	// Tolerated rows are left out and reported.
	mixed := vacancies(t) + strings.Replace(badRow, "LOG-2026-001", "LOG-NEW-2", 1) + "\n"
	rep = post(http.StatusOK, "/v1/housing/import?max_errors=1", "landlord", mixed, csv)
	if rep.Rejected["invalid"] != 1 || rep.Stored.Unchanged != n {
		t.Errorf("tolerated row: %+v", rep)
	}
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/housing/import?max_errors=-3", key: "landlord", body: vacancies(t), header: csv})
	// Roles and types.
	e.must(http.StatusForbidden, req{method: "POST", path: "/v1/housing/import", key: "employer", body: vacancies(t), header: csv})
	e.must(http.StatusForbidden, req{method: "POST", path: "/v1/housing/import", key: "advisor", body: vacancies(t), header: csv})
	e.must(http.StatusUnauthorized, req{method: "POST", path: "/v1/housing/import", body: vacancies(t), header: csv})
	e.must(http.StatusUnsupportedMediaType, req{method: "POST", path: "/v1/housing/import", key: "landlord", body: vacancies(t)})
	e.must(http.StatusBadRequest, req{method: "POST", path: "/v1/housing/import", key: "landlord", body: " ", header: csv})

	// Jobs: France Travail JSON.
	rep = post(http.StatusOK, "/v1/jobs/import", "employer", ftSearch, nil)
	if rep.Kind != "jobs" || rep.Rows != 2 || rep.Stored == nil || rep.Stored.Created != 2 {
		t.Fatalf("jobs import: %+v", rep)
	}
	if rep := post(http.StatusOK, "/v1/jobs/import", "admin", ftSearch, nil); rep.Stored.Created != 2 {
		t.Errorf("admin's import is the admin organisation's: %+v", rep.Stored)
	}
	e.must(http.StatusForbidden, req{method: "POST", path: "/v1/jobs/import", key: "landlord", body: ftSearch})
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/jobs/import", key: "employer", body: `{"resultats": [`})
	e.must(http.StatusUnsupportedMediaType, req{method: "POST", path: "/v1/jobs/import", key: "employer", body: ftSearch, header: csv})
}
