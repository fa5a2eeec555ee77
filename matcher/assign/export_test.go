package assign

import "io"

// ReadDIMACSLimit is ReadDIMACS with a smaller node limit, for fuzzing.
func ReadDIMACSLimit(r io.Reader, maxNodes int) (*Network, error) {
	return readDIMACS(r, maxNodes)
}
