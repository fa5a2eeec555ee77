package datasets

import "passerelle/geo"

// townRow is a real commune (not a prefecture) that the synthetic market
// always contains, so that the example households and the places advisors
// name most often exist in it: the Paris arrondissements and a few large
// towns. Written from general knowledge; tests check codes, names, points
// (15 km), populations (factor 2) and zones against the official files.
type townRow struct {
	code, name string
	lon, lat   float64
	zone       geo.Zone
	pop        int
}

// parisCode is the INSEE code of the commune of Paris, whose
// arrondissements (75101–75120) carry the offers of the synthetic market.
const parisCode = "75056"

var townTable = []townRow{
	{"75101", "Paris 1er Arrondissement", 2.34, 48.86, geo.ZoneAbis, 16_000},
	{"75102", "Paris 2e Arrondissement", 2.34, 48.87, geo.ZoneAbis, 21_000},
	{"75103", "Paris 3e Arrondissement", 2.36, 48.86, geo.ZoneAbis, 33_000},
	{"75104", "Paris 4e Arrondissement", 2.36, 48.85, geo.ZoneAbis, 28_000},
	{"75105", "Paris 5e Arrondissement", 2.35, 48.84, geo.ZoneAbis, 57_000},
	{"75106", "Paris 6e Arrondissement", 2.33, 48.85, geo.ZoneAbis, 40_000},
	{"75107", "Paris 7e Arrondissement", 2.31, 48.86, geo.ZoneAbis, 49_000},
	{"75108", "Paris 8e Arrondissement", 2.31, 48.87, geo.ZoneAbis, 35_000},
	{"75109", "Paris 9e Arrondissement", 2.34, 48.88, geo.ZoneAbis, 59_000},
	{"75110", "Paris 10e Arrondissement", 2.36, 48.88, geo.ZoneAbis, 83_000},
	{"75111", "Paris 11e Arrondissement", 2.38, 48.86, geo.ZoneAbis, 142_000},
	{"75112", "Paris 12e Arrondissement", 2.39, 48.84, geo.ZoneAbis, 140_000},
	{"75113", "Paris 13e Arrondissement", 2.36, 48.83, geo.ZoneAbis, 178_000},
	{"75114", "Paris 14e Arrondissement", 2.33, 48.83, geo.ZoneAbis, 134_000},
	{"75115", "Paris 15e Arrondissement", 2.29, 48.84, geo.ZoneAbis, 227_000},
	{"75116", "Paris 16e Arrondissement", 2.27, 48.86, geo.ZoneAbis, 162_000},
	{"75117", "Paris 17e Arrondissement", 2.31, 48.89, geo.ZoneAbis, 160_000},
	{"75118", "Paris 18e Arrondissement", 2.35, 48.89, geo.ZoneAbis, 190_000},
	{"75119", "Paris 19e Arrondissement", 2.38, 48.89, geo.ZoneAbis, 182_000},
	{"75120", "Paris 20e Arrondissement", 2.40, 48.86, geo.ZoneAbis, 192_000},
	{"93066", "Saint-Denis", 2.36, 48.94, geo.ZoneAbis, 113_000},
	{"93048", "Montreuil", 2.44, 48.86, geo.ZoneAbis, 111_000},
	{"93005", "Aulnay-sous-Bois", 2.50, 48.94, geo.ZoneA, 86_000},
	{"95018", "Argenteuil", 2.25, 48.95, geo.ZoneA, 111_000},
	{"94081", "Vitry-sur-Seine", 2.39, 48.79, geo.ZoneA, 95_000},
	{"92012", "Boulogne-Billancourt", 2.24, 48.84, geo.ZoneAbis, 121_000},
	{"92004", "Asnières-sur-Seine", 2.29, 48.91, geo.ZoneAbis, 87_000},
	{"69266", "Villeurbanne", 4.88, 45.77, geo.ZoneA, 150_000},
	{"69259", "Vénissieux", 4.89, 45.70, geo.ZoneB1, 66_000},
	{"13001", "Aix-en-Provence", 5.45, 43.53, geo.ZoneA, 145_000},
	{"59512", "Roubaix", 3.18, 50.69, geo.ZoneB1, 99_000},
	{"59599", "Tourcoing", 3.16, 50.72, geo.ZoneB1, 98_000},
	{"59183", "Dunkerque", 2.38, 51.03, geo.ZoneB1, 87_000},
	{"76351", "Le Havre", 0.11, 49.49, geo.ZoneB1, 166_000},
	{"29019", "Brest", -4.49, 48.39, geo.ZoneB1, 140_000},
	{"62193", "Calais", 1.86, 50.95, geo.ZoneB1, 67_000},
	{"06029", "Cannes", 7.01, 43.55, geo.ZoneA, 74_000},
	{"34032", "Béziers", 3.22, 43.34, geo.ZoneB1, 79_000},
	{"68224", "Mulhouse", 7.34, 47.75, geo.ZoneB1, 108_000},
	{"51454", "Reims", 4.03, 49.26, geo.ZoneB1, 180_000},
	{"44184", "Saint-Nazaire", -2.21, 47.27, geo.ZoneB1, 72_000},
	{"64102", "Bayonne", -1.47, 43.49, geo.ZoneB1, 52_000},
	{"57672", "Thionville", 6.17, 49.36, geo.ZoneB1, 41_000},
	{"71076", "Chalon-sur-Saône", 4.85, 46.78, geo.ZoneB2, 45_000},
	{"25388", "Montbéliard", 6.80, 47.51, geo.ZoneB2, 25_000},
	{"30007", "Alès", 4.08, 44.13, geo.ZoneB2, 43_000},
	{"97415", "Saint-Paul", 55.27, -21.01, geo.ZoneA, 105_000},
	{"97416", "Saint-Pierre", 55.48, -21.34, geo.ZoneB1, 85_000},
	{"97101", "Les Abymes", -61.50, 16.27, geo.ZoneB1, 53_000},
	{"97120", "Pointe-à-Pitre", -61.53, 16.24, geo.ZoneB1, 15_000},
	{"97213", "Le Lamentin", -61.00, 14.61, geo.ZoneB1, 40_000},
}
