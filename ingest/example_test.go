package ingest_test

import (
	"fmt"
	"strings"

	"passerelle/ingest"
)

func ExampleMonthlySalary() {
	lo, hi, _ := ingest.MonthlySalary("Mensuel de 1800.00 Euros à 2000.00 Euros", 35)
	fmt.Println(lo, hi)
	lo, _, _ = ingest.MonthlySalary("Horaire de 11,65 Euros", 35)
	fmt.Println(lo)
	lo, _, _ = ingest.MonthlySalary("Annuel de 28000 Euros sur 12 mois", 35)
	fmt.Println(lo)
	// Output:
	// 1800 2000
	// 1766.92
	// 2333.33
}

func ExampleReadVacancies() {
	in := "reference;type_bailleur;commune;pieces;surface;loyer;bail;disponible_le\n" +
		"A1;social;71076;3;64,5;520;direct;01/12/2026\n" +
		"A2;hlm;71076;3;64,5;520;direct;01/12/2026\n"
	offers, rep, err := ingest.ReadVacancies(strings.NewReader(in), ingest.Options{MaxErrors: 10})
	fmt.Println(len(offers), offers[0].SurfaceM2, err)
	for _, e := range rep.Errors {
		fmt.Printf("line %d, column %s: %s\n", e.Line, e.Column, e.MessageEN)
	}
	// Output:
	// 1 64.5 <nil>
	// line 3, column landlord_kind: The landlord kind must be one of: private, social, relay, iml, residence_sociale, pension_de_famille.
}
