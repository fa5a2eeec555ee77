package assign

import "errors"

// Sentinel errors of the package. Returned errors wrap one of them and name
// the offending edge, node or line.
var (
	// ErrInvalid is wrapped by every validation error of a Problem or Network.
	ErrInvalid = errors.New("assign: invalid input")
	// ErrInfeasible is returned by SolveNetwork when the supplies cannot be
	// routed within the arc capacities, or when they do not sum to zero.
	ErrInfeasible = errors.New("assign: infeasible network")
	// ErrDIMACS is wrapped by every syntax error of ReadDIMACS.
	ErrDIMACS = errors.New("assign: malformed DIMACS")
)
