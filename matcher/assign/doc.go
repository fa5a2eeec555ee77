// Package assign solves capacitated assignment and min-cost flow problems
// exactly. It has no domain knowledge: callers translate households and
// places into left and right nodes.
//
// Two solvers are offered:
//
//   - Solve: a sparse capacitated assignment (left nodes take at most one
//     unit, right nodes have integer capacities, every left node has an
//     explicit "unassigned" option with its own cost). It is successive
//     shortest paths with Johnson potentials: one Dijkstra (binary heap,
//     reduced costs, early exit at the sink) per left node. It returns the
//     optimal cost, the assignment, and LP dual prices of right nodes and
//     left nodes.
//   - SolveNetwork: a general min-cost flow on a Network (node supplies,
//     arcs with lower bounds, capacities and integer costs), the model of
//     the DIMACS min-cost-flow format that ReadDIMACS and WriteDIMACS handle.
//     It is simpler and slower; it serves as a reference and for comparing
//     with other solvers on DIMACS files.
//
// Costs are minimised. To maximise scores, pass negative scores as costs and
// 0 as the unassigned cost. Integer-valued float64 costs (|sum| < 2^53) give
// exact results; other float costs are exact up to rounding (about 1e-12
// relative).
//
// All functions are safe for concurrent use on distinct inputs; they never
// modify their arguments.
package assign
