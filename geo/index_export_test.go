package geo

// CellEdges returns, for tests, the latitude of the southern edge of the
// grid row holding lat and the longitudes of the western edges of that
// row's columns whose index is a multiple of step, in degrees.
func CellEdges(ix *Index, lat float64, step int) (rowLat float64, colLons []float64) {
	r := ix.row(lat)
	rowLat = -90 + float64(r)*ix.rowH
	n := int(ix.rowCols(r))
	for c := 0; c < n; c += step {
		colLons = append(colLons, -180+float64(c)*360/float64(n))
	}
	return rowLat, colLons
}

// RowHeight returns the grid's row height in degrees of latitude.
func RowHeight(ix *Index) float64 { return ix.rowH }
