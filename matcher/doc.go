// Package matcher owns people and offers: households and their members,
// housing offers, job offers and occupations (ROME), their validation, the
// eligibility rules, the score of a housing-and-jobs option with the
// explanation of every component, and the building of ranked mobility plans
// by Engine.Plan.
//
// Money is in euros per month, distances in meters, commute times in
// minutes. The package does not log and knows nothing of HTTP, SQL or Redis:
// it returns errors, and user-facing texts come in French and English.
package matcher
