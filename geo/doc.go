// Package geo owns places: points, distances, communes and departments with
// their housing and labour-market indicators, the spatial index used to find
// offers within reach, and the commute-time model.
//
// Points are orb.Point values, always [lon, lat] in WGS84 degrees. Distances
// are in meters, durations in minutes. The package knows nothing of people,
// offers, HTTP or storage.
package geo
