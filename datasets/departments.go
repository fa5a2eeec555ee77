package datasets

import (
	"github.com/paulmach/orb"

	"passerelle/geo"
)

// DepartmentInfo is a department of the embedded reference table with the
// figures the synthetic generator needs beside geo.Department.
type DepartmentInfo struct {
	geo.Department
	Population           int     `json:"population"`            // inhabitants of the department, rounded (about 2021)
	PrefecturePopulation int     `json:"prefecture_population"` // inhabitants of the prefecture's commune, rounded
	Unemployment         float64 `json:"unemployment"`          // estimated unemployment rate, in [0, 1]
	AGIROperator         bool    `json:"agir_operator"`         // an AGIR operator serves the department (all of them since 2024)
}

// regionNames are the 2016 regions by INSEE code.
var regionNames = map[string]string{
	"01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte",
	"11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté",
	"28": "Normandie", "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire",
	"53": "Bretagne", "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
	"93": "Provence-Alpes-Côte d'Azur", "94": "Corse",
}

// RegionName returns the name of the 2016 region with INSEE code code
// (e.g. "27" → "Bourgogne-Franche-Comté"), or "" for an unknown code.
func RegionName(code string) string { return regionNames[code] }

// depRow is one line of the hand-written table below.
type depRow struct {
	code, name, region, pref, prefCode string
	lon, lat                           float64 // prefecture, degrees
	zone                               geo.Zone
	pop, prefPop                       int
	unemp                              float64
}

// depTable is written from general knowledge (rounded figures, prefecture
// points to two decimals). Tests check codes, points and ABC zones against
// the official files; population and unemployment are estimates.
var depTable = []depRow{
	{"01", "Ain", "84", "Bourg-en-Bresse", "01053", 5.23, 46.21, geo.ZoneB1, 660_000, 41_000, 0.055},
	{"02", "Aisne", "32", "Laon", "02408", 3.62, 49.56, geo.ZoneB2, 527_000, 24_000, 0.100},
	{"03", "Allier", "84", "Moulins", "03190", 3.33, 46.57, geo.ZoneC, 335_000, 19_000, 0.075},
	{"04", "Alpes-de-Haute-Provence", "93", "Digne-les-Bains", "04070", 6.24, 44.09, geo.ZoneC, 166_000, 16_000, 0.085},
	{"05", "Hautes-Alpes", "93", "Gap", "05061", 6.08, 44.56, geo.ZoneB1, 141_000, 41_000, 0.065},
	{"06", "Alpes-Maritimes", "93", "Nice", "06088", 7.27, 43.70, geo.ZoneA, 1_097_000, 343_000, 0.075},
	{"07", "Ardèche", "84", "Privas", "07186", 4.60, 44.74, geo.ZoneC, 330_000, 8_000, 0.080},
	{"08", "Ardennes", "44", "Charleville-Mézières", "08105", 4.72, 49.77, geo.ZoneB2, 270_000, 46_000, 0.095},
	{"09", "Ariège", "76", "Foix", "09122", 1.61, 42.97, geo.ZoneC, 155_000, 9_500, 0.090},
	{"10", "Aube", "44", "Troyes", "10387", 4.07, 48.30, geo.ZoneB1, 310_000, 62_000, 0.090},
	{"11", "Aude", "76", "Carcassonne", "11069", 2.35, 43.21, geo.ZoneB2, 375_000, 46_000, 0.110},
	{"12", "Aveyron", "76", "Rodez", "12202", 2.57, 44.35, geo.ZoneB2, 280_000, 25_000, 0.050},
	{"13", "Bouches-du-Rhône", "93", "Marseille", "13055", 5.37, 43.30, geo.ZoneA, 2_050_000, 873_000, 0.085},
	{"14", "Calvados", "28", "Caen", "14118", -0.37, 49.18, geo.ZoneB1, 700_000, 108_000, 0.068},
	{"15", "Cantal", "84", "Aurillac", "15014", 2.44, 44.93, geo.ZoneC, 144_000, 26_000, 0.045},
	{"16", "Charente", "75", "Angoulême", "16015", 0.16, 45.65, geo.ZoneB1, 352_000, 41_000, 0.078},
	{"17", "Charente-Maritime", "75", "La Rochelle", "17300", -1.15, 46.16, geo.ZoneA, 660_000, 78_000, 0.075},
	{"18", "Cher", "24", "Bourges", "18033", 2.40, 47.08, geo.ZoneB2, 300_000, 64_000, 0.075},
	{"19", "Corrèze", "75", "Tulle", "19272", 1.77, 45.27, geo.ZoneC, 240_000, 14_500, 0.060},
	{"2A", "Corse-du-Sud", "94", "Ajaccio", "2A004", 8.74, 41.93, geo.ZoneA, 160_000, 73_000, 0.060},
	{"2B", "Haute-Corse", "94", "Bastia", "2B033", 9.45, 42.70, geo.ZoneB1, 183_000, 48_000, 0.070},
	{"21", "Côte-d'Or", "27", "Dijon", "21231", 5.04, 47.32, geo.ZoneB1, 535_000, 159_000, 0.060},
	{"22", "Côtes-d'Armor", "53", "Saint-Brieuc", "22278", -2.76, 48.51, geo.ZoneB1, 600_000, 44_000, 0.062},
	{"23", "Creuse", "75", "Guéret", "23096", 1.87, 46.17, geo.ZoneC, 116_000, 13_000, 0.070},
	{"24", "Dordogne", "75", "Périgueux", "24322", 0.72, 45.18, geo.ZoneB2, 413_000, 29_000, 0.078},
	{"25", "Doubs", "27", "Besançon", "25056", 6.02, 47.24, geo.ZoneB1, 545_000, 120_000, 0.066},
	{"26", "Drôme", "84", "Valence", "26362", 4.89, 44.93, geo.ZoneB1, 520_000, 65_000, 0.080},
	{"27", "Eure", "28", "Évreux", "27229", 1.15, 49.02, geo.ZoneB1, 600_000, 47_000, 0.075},
	{"28", "Eure-et-Loir", "24", "Chartres", "28085", 1.49, 48.45, geo.ZoneB1, 432_000, 38_000, 0.070},
	{"29", "Finistère", "53", "Quimper", "29232", -4.10, 48.00, geo.ZoneB1, 918_000, 63_000, 0.060},
	{"30", "Gard", "76", "Nîmes", "30189", 4.36, 43.84, geo.ZoneB1, 750_000, 148_000, 0.100},
	{"31", "Haute-Garonne", "76", "Toulouse", "31555", 1.44, 43.60, geo.ZoneA, 1_420_000, 504_000, 0.075},
	{"32", "Gers", "76", "Auch", "32013", 0.59, 43.65, geo.ZoneC, 192_000, 22_000, 0.058},
	{"33", "Gironde", "75", "Bordeaux", "33063", -0.58, 44.84, geo.ZoneA, 1_650_000, 261_000, 0.068},
	{"34", "Hérault", "76", "Montpellier", "34172", 3.88, 43.61, geo.ZoneA, 1_200_000, 302_000, 0.095},
	{"35", "Ille-et-Vilaine", "53", "Rennes", "35238", -1.68, 48.11, geo.ZoneA, 1_100_000, 225_000, 0.055},
	{"36", "Indre", "24", "Châteauroux", "36044", 1.69, 46.81, geo.ZoneB2, 218_000, 43_000, 0.070},
	{"37", "Indre-et-Loire", "24", "Tours", "37261", 0.69, 47.39, geo.ZoneB1, 612_000, 137_000, 0.068},
	{"38", "Isère", "84", "Grenoble", "38185", 5.72, 45.19, geo.ZoneB1, 1_270_000, 157_000, 0.062},
	{"39", "Jura", "27", "Lons-le-Saunier", "39300", 5.55, 46.67, geo.ZoneC, 259_000, 17_000, 0.050},
	{"40", "Landes", "75", "Mont-de-Marsan", "40192", -0.50, 43.89, geo.ZoneB2, 420_000, 30_000, 0.065},
	{"41", "Loir-et-Cher", "24", "Blois", "41018", 1.33, 47.59, geo.ZoneB2, 330_000, 46_000, 0.063},
	{"42", "Loire", "84", "Saint-Étienne", "42218", 4.39, 45.43, geo.ZoneB2, 767_000, 173_000, 0.075},
	{"43", "Haute-Loire", "84", "Le Puy-en-Velay", "43157", 3.89, 45.04, geo.ZoneC, 228_000, 19_000, 0.060},
	{"44", "Loire-Atlantique", "52", "Nantes", "44109", -1.55, 47.22, geo.ZoneA, 1_450_000, 323_000, 0.058},
	{"45", "Loiret", "24", "Orléans", "45234", 1.91, 47.90, geo.ZoneB1, 682_000, 116_000, 0.072},
	{"46", "Lot", "76", "Cahors", "46042", 1.44, 44.45, geo.ZoneC, 174_000, 19_000, 0.068},
	{"47", "Lot-et-Garonne", "75", "Agen", "47001", 0.62, 44.20, geo.ZoneB2, 331_000, 32_000, 0.080},
	{"48", "Lozère", "76", "Mende", "48095", 3.50, 44.52, geo.ZoneC, 76_000, 12_000, 0.045},
	{"49", "Maine-et-Loire", "52", "Angers", "49007", -0.55, 47.47, geo.ZoneB1, 820_000, 157_000, 0.063},
	{"50", "Manche", "28", "Saint-Lô", "50502", -1.09, 49.12, geo.ZoneB2, 495_000, 19_000, 0.050},
	{"51", "Marne", "44", "Châlons-en-Champagne", "51108", 4.36, 48.96, geo.ZoneB2, 566_000, 45_000, 0.075},
	{"52", "Haute-Marne", "44", "Chaumont", "52121", 5.14, 48.11, geo.ZoneC, 172_000, 21_000, 0.070},
	{"53", "Mayenne", "52", "Laval", "53130", -0.77, 48.07, geo.ZoneB1, 307_000, 49_000, 0.045},
	{"54", "Meurthe-et-Moselle", "44", "Nancy", "54395", 6.18, 48.69, geo.ZoneB1, 733_000, 104_000, 0.072},
	{"55", "Meuse", "44", "Bar-le-Duc", "55029", 5.16, 48.77, geo.ZoneC, 184_000, 15_000, 0.075},
	{"56", "Morbihan", "53", "Vannes", "56260", -2.76, 47.66, geo.ZoneB1, 760_000, 55_000, 0.060},
	{"57", "Moselle", "44", "Metz", "57463", 6.18, 49.12, geo.ZoneB1, 1_047_000, 120_000, 0.070},
	{"58", "Nièvre", "27", "Nevers", "58194", 3.16, 46.99, geo.ZoneB2, 200_000, 33_000, 0.075},
	{"59", "Nord", "32", "Lille", "59350", 3.06, 50.63, geo.ZoneA, 2_610_000, 236_000, 0.095},
	{"60", "Oise", "32", "Beauvais", "60057", 2.08, 49.43, geo.ZoneB1, 830_000, 56_000, 0.080},
	{"61", "Orne", "28", "Alençon", "61001", 0.09, 48.43, geo.ZoneC, 279_000, 26_000, 0.062},
	{"62", "Pas-de-Calais", "32", "Arras", "62041", 2.78, 50.29, geo.ZoneB1, 1_460_000, 41_000, 0.090},
	{"63", "Puy-de-Dôme", "84", "Clermont-Ferrand", "63113", 3.08, 45.78, geo.ZoneB1, 665_000, 147_000, 0.062},
	{"64", "Pyrénées-Atlantiques", "75", "Pau", "64445", -0.37, 43.30, geo.ZoneB2, 690_000, 75_000, 0.060},
	{"65", "Hautes-Pyrénées", "76", "Tarbes", "65440", 0.08, 43.23, geo.ZoneB2, 230_000, 42_000, 0.075},
	{"66", "Pyrénées-Orientales", "76", "Perpignan", "66136", 2.90, 42.70, geo.ZoneB1, 482_000, 120_000, 0.115},
	{"67", "Bas-Rhin", "44", "Strasbourg", "67482", 7.75, 48.58, geo.ZoneA, 1_150_000, 291_000, 0.065},
	{"68", "Haut-Rhin", "44", "Colmar", "68066", 7.36, 48.08, geo.ZoneB1, 767_000, 67_000, 0.070},
	{"69", "Rhône", "84", "Lyon", "69123", 4.84, 45.76, geo.ZoneA, 1_890_000, 522_000, 0.065},
	{"70", "Haute-Saône", "27", "Vesoul", "70550", 6.15, 47.62, geo.ZoneC, 235_000, 15_000, 0.065},
	{"71", "Saône-et-Loire", "27", "Mâcon", "71270", 4.83, 46.31, geo.ZoneB2, 550_000, 34_000, 0.062},
	{"72", "Sarthe", "52", "Le Mans", "72181", 0.20, 48.00, geo.ZoneB1, 566_000, 145_000, 0.070},
	{"73", "Savoie", "84", "Chambéry", "73065", 5.92, 45.57, geo.ZoneB1, 440_000, 60_000, 0.055},
	{"74", "Haute-Savoie", "84", "Annecy", "74010", 6.13, 45.90, geo.ZoneA, 840_000, 131_000, 0.055},
	{"75", "Paris", "11", "Paris", "75056", 2.35, 48.86, geo.ZoneAbis, 2_130_000, 2_130_000, 0.060},
	{"76", "Seine-Maritime", "28", "Rouen", "76540", 1.10, 49.44, geo.ZoneB1, 1_255_000, 114_000, 0.080},
	{"77", "Seine-et-Marne", "11", "Melun", "77288", 2.66, 48.54, geo.ZoneA, 1_430_000, 41_000, 0.065},
	{"78", "Yvelines", "11", "Versailles", "78646", 2.13, 48.80, geo.ZoneAbis, 1_450_000, 85_000, 0.060},
	{"79", "Deux-Sèvres", "75", "Niort", "79191", -0.46, 46.32, geo.ZoneB2, 375_000, 60_000, 0.055},
	{"80", "Somme", "32", "Amiens", "80021", 2.30, 49.89, geo.ZoneB1, 570_000, 134_000, 0.085},
	{"81", "Tarn", "76", "Albi", "81004", 2.15, 43.93, geo.ZoneB2, 390_000, 49_000, 0.080},
	{"82", "Tarn-et-Garonne", "76", "Montauban", "82121", 1.35, 44.02, geo.ZoneB1, 262_000, 61_000, 0.085},
	{"83", "Var", "93", "Toulon", "83137", 5.93, 43.12, geo.ZoneA, 1_080_000, 180_000, 0.080},
	{"84", "Vaucluse", "93", "Avignon", "84007", 4.81, 43.95, geo.ZoneB1, 561_000, 91_000, 0.095},
	{"85", "Vendée", "52", "La Roche-sur-Yon", "85191", -1.43, 46.67, geo.ZoneB1, 690_000, 55_000, 0.050},
	{"86", "Vienne", "75", "Poitiers", "86194", 0.34, 46.58, geo.ZoneB1, 440_000, 89_000, 0.065},
	{"87", "Haute-Vienne", "75", "Limoges", "87085", 1.26, 45.83, geo.ZoneB1, 372_000, 131_000, 0.070},
	{"88", "Vosges", "44", "Épinal", "88160", 6.45, 48.17, geo.ZoneB2, 362_000, 32_000, 0.075},
	{"89", "Yonne", "27", "Auxerre", "89024", 3.57, 47.80, geo.ZoneB1, 335_000, 35_000, 0.075},
	{"90", "Territoire de Belfort", "27", "Belfort", "90010", 6.86, 47.64, geo.ZoneB2, 141_000, 46_000, 0.085},
	{"91", "Essonne", "11", "Évry-Courcouronnes", "91228", 2.44, 48.63, geo.ZoneA, 1_300_000, 67_000, 0.065},
	{"92", "Hauts-de-Seine", "11", "Nanterre", "92050", 2.21, 48.89, geo.ZoneAbis, 1_630_000, 96_000, 0.060},
	{"93", "Seine-Saint-Denis", "11", "Bobigny", "93008", 2.44, 48.91, geo.ZoneA, 1_660_000, 54_000, 0.105},
	{"94", "Val-de-Marne", "11", "Créteil", "94028", 2.46, 48.79, geo.ZoneA, 1_410_000, 92_000, 0.075},
	{"95", "Val-d'Oise", "11", "Pontoise", "95500", 2.10, 49.05, geo.ZoneA, 1_250_000, 32_000, 0.080},
	{"971", "Guadeloupe", "01", "Basse-Terre", "97105", -61.73, 16.00, geo.ZoneB1, 384_000, 10_000, 0.180},
	{"972", "Martinique", "02", "Fort-de-France", "97209", -61.07, 14.60, geo.ZoneB1, 350_000, 76_000, 0.120},
	{"973", "Guyane", "03", "Cayenne", "97302", -52.33, 4.94, geo.ZoneB1, 290_000, 63_000, 0.140},
	{"974", "La Réunion", "04", "Saint-Denis", "97411", 55.45, -20.88, geo.ZoneB1, 885_000, 153_000, 0.180},
	{"976", "Mayotte", "06", "Mamoudzou", "97611", 45.23, -12.78, geo.ZoneB1, 320_000, 71_000, 0.340},
}

// DepartmentInfos returns a fresh copy of the embedded table of the 101
// departments (96 metropolitan including 2A and 2B, and 971, 972, 973, 974,
// 976), in code order.
func DepartmentInfos() []DepartmentInfo {
	out := make([]DepartmentInfo, len(depTable))
	for i, r := range depTable {
		out[i] = DepartmentInfo{
			Department: geo.Department{
				Code: r.code, Name: r.name, Region: r.region, RegionName: regionNames[r.region],
				Prefecture: r.pref, PrefectureCode: r.prefCode, Point: orb.Point{r.lon, r.lat},
				Zone: r.zone, Overseas: len(r.code) == 3,
			},
			Population:           r.pop,
			PrefecturePopulation: r.prefPop,
			Unemployment:         r.unemp,
			AGIROperator:         true,
		}
	}
	return out
}

// Departments returns a fresh copy of the 101 departments as geo values, in
// code order, ready for geo.NewAtlas.
func Departments() []geo.Department {
	infos := DepartmentInfos()
	out := make([]geo.Department, len(infos))
	for i := range infos {
		out[i] = infos[i].Department
	}
	return out
}
