package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"

	"passerelle/ingest"
	"passerelle/matcher"
)

// BenchmarkReadReference reads the whole shared reference folder (23
// files, about 19 MB) and derives the atlas and the shortage index. It
// reports the live heap after the read (heap-MiB).
func BenchmarkReadReference(b *testing.B) {
	fsys := os.DirFS(sharedFS(b))
	b.ReportAllocs()
	var ref *ingest.Reference
	for b.Loop() {
		var err error
		ref, _, err = ingest.ReadReference(fsys)
		if err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
	runtime.KeepAlive(ref)
}

// offerStream generates n France Travail offers as one search response,
// on the fly and deterministically (seeded RNG), so that a million offers
// never sit in memory at once. Offers are drawn from 256 variants written
// once, each with its own id, so that generating costs little beside the
// reading being measured.
type offerStream struct {
	variants [][2][]byte // the text before and after the id
	rng      *rand.Rand
	n, i     int
	buf      bytes.Buffer
	done     bool
}

// Communes with their points, ROME codes, contracts and salary texts the
// generator draws from (hand-written; the points are approximate).
var (
	genPlaces = []struct {
		code     string
		lat, lon float64
	}{{"71076", 46.79, 4.85}, {"69266", 45.77, 4.89}, {"21231", 47.32, 5.04}, {"2A004", 41.92, 8.71}, {"97411", -20.94, 55.44}, {"35238", 48.11, -1.68}}
	genROME      = []string{"G1602", "K2204", "F1703", "J1501", "N1103", "H2206", "I1203", "K1302"}
	genContracts = []struct{ code, label string }{
		{"CDI", "Contrat à durée indéterminée"}, {"CDD", "Contrat à durée déterminée - 6 Mois"},
		{"MIS", "Mission intérimaire - 2 Mois"}, {"SAI", "Travail saisonnier - 3 Mois"},
	}
	genSalaries = []string{"Mensuel de 1800.00 Euros à 2000.00 Euros", "Horaire de 11,65 Euros", "Annuel de 28000 Euros sur 12 mois", "Mensuel de 1767,00 Euros sur 13 mois"}
)

func newOfferStream(n int) *offerStream {
	s := &offerStream{rng: rand.New(rand.NewPCG(1, 1)), n: n}
	r := rand.New(rand.NewPCG(2, 2))
	for range 256 {
		var b bytes.Buffer
		pl := genPlaces[r.IntN(len(genPlaces))]
		ct := genContracts[r.IntN(len(genContracts))]
		fmt.Fprintf(&b, `
    {
      "id": "@ID@",
      "intitule": "Agent polyvalent (H/F)",
      "description": "Offre générée pour les bancs d'essai : accueil, entretien, préparation, travail en équipe.",
      "dateCreation": "2026-10-%02dT08:00:00.000Z",
      "lieuTravail": {"libelle": "XX - VILLE", "latitude": %.5f, "longitude": %.5f, "codePostal": "00000", "commune": %q},
      "romeCode": %q,
      "entreprise": {"nom": "Employeur %d"},
      "typeContrat": %q,
      "typeContratLibelle": %q,
      "natureContrat": "Contrat travail",
      "experienceExige": %q,
      "permis": [{"libelle": "B - Véhicule léger", "exigence": "S"}],
      "salaire": {"libelle": %q},
      "dureeTravailLibelle": "35H Travail en journée",
      "nombrePostes": %d
    }`, 1+r.IntN(28), pl.lat+r.Float64()*0.01, pl.lon+r.Float64()*0.01, pl.code, genROME[r.IntN(len(genROME))],
			r.IntN(1000), ct.code, ct.label, []string{"D", "E"}[r.IntN(2)], genSalaries[r.IntN(len(genSalaries))], 1+r.IntN(3))
		before, after, _ := bytes.Cut(b.Bytes(), []byte("@ID@"))
		s.variants = append(s.variants, [2][]byte{before, after})
	}
	s.buf.WriteString(`{"resultats": [`)
	return s
}

// Read implements io.Reader.
func (s *offerStream) Read(p []byte) (int, error) {
	for s.buf.Len() < len(p) && !s.done {
		if s.i == s.n {
			s.buf.WriteString("\n], \"filtresPossibles\": []}\n")
			s.done = true
			break
		}
		if s.i > 0 {
			s.buf.WriteByte(',')
		}
		v := s.variants[s.rng.IntN(len(s.variants))]
		s.buf.Write(v[0])
		s.buf.WriteByte('G')
		s.buf.Write(strconv.AppendInt(nil, int64(s.i), 10))
		s.buf.Write(v[1])
		s.i++
	}
	if s.buf.Len() == 0 {
		return 0, io.EOF
	}
	return s.buf.Read(p)
}

// BenchmarkStreamOffers streams generated offers through StreamOffers over
// a size ladder; the 1,000,000 rung is skipped with -short. The naive
// baseline reads the whole response into memory and decodes it in one
// json.Unmarshal (no mapping, no validation), which holds everything at
// once.
func BenchmarkStreamOffers(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("stream/n=%d", n), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1M offers: skipped with -short")
			}
			b.ReportAllocs()
			for b.Loop() {
				got := 0
				rep, err := ingest.StreamOffers(context.Background(), newOfferStream(n), ingest.OffersOptions{}, func(int, matcher.JobOffer) error {
					got++
					return nil
				})
				if err != nil || got != n {
					b.Fatalf("got %d offers, %v, %+v", got, err, rep)
				}
			}
			b.ReportMetric(float64(n), "offers/op")
		})
	}
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("naive/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, err := io.ReadAll(newOfferStream(n))
				if err != nil {
					b.Fatal(err)
				}
				var doc struct{ Resultats []map[string]any }
				if err := json.Unmarshal(data, &doc); err != nil || len(doc.Resultats) != n {
					b.Fatalf("got %d offers, %v", len(doc.Resultats), err)
				}
			}
		})
	}
}

// TestOfferStream checks the generator the benchmarks use: every offer
// it writes is accepted.
func TestOfferStream(t *testing.T) {
	offers, rep, err := ingest.ReadOffers(newOfferStream(500), ingest.OffersOptions{})
	if err != nil || len(offers) != 500 {
		t.Fatalf("got %d offers, %v, %+v", len(offers), err, rep)
	}
}
