// Package ingest reads real-world files into values of matcher and geo:
// the official French open data (INSEE/COG communes, departments, regions,
// EPCI and employment areas, BMO 2024, DARES tensions, FAP nomenclatures,
// ROME 4.0, ABC zoning, RPLS, the rent map, department and region outlines),
// France Travail "Offres d'emploi v2" JSON, and the users' own files (the
// landlords' vacancy CSV and the advisors' caseload CSV, documented in
// docs/formats.md). ReadReference reads a whole folder laid out like
// ../shared/datasets and derives what the score needs.
//
// Readers take an io.Reader (ReadReference an fs.FS), stream their input
// and never touch the network. CSV files are read by header name (case,
// accents and punctuation ignored), in UTF-8 with or without BOM or in
// Windows-1252 (detected at the first non-ASCII line), with ',' or ';'
// separators (the more frequent in the header) and decimal points or
// commas.
//
// Every rejected row is reported as a RowError (file, line, column, a
// stable code, a message in French and English) and counted in a Report
// (rows read, accepted, skipped and rejected by reason, fallbacks used, the
// first 20 errors). Options.MaxErrors sets how many rejected rows are
// tolerated; the zero value is strict. A read that fails (a syntax error, a
// missing column, one rejected row too many) returns no values at all,
// never a half-read file; the Report still says why.
//
// Rows that are well formed but out of scope (overseas collectivities that
// are not DROM, non-salaried or foreign job offers) are skipped, not
// rejected, and counted in Report.Skipped.
//
// Windows-1252 is decoded with a table of this package rather than with
// golang.org/x/text, so that the module keeps no new direct dependency.
// The package does not log; its functions are safe for concurrent use
// (they share no state).
package ingest
