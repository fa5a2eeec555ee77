// Package datasets holds the project's own embedded reference tables and a
// deterministic synthetic market generator, so that Passerelle runs on a
// fresh machine with nothing downloaded.
//
// The reference tables (departments, occupations) are written by the
// project from general knowledge and checked in tests against the official
// open-data files of ../shared/datasets; they are never generated from, nor
// copied out of, those files.
//
// The synthetic market (Synthetic, Households) is fully determined by its
// seed and scale: the same seed gives the same communes, offers and
// households byte for byte. Dates are counted from RefDate, never from the
// clock. Money is in euros per month, surfaces in m², distances in meters.
package datasets
