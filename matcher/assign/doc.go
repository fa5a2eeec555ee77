// Package assign solves capacitated assignment and min-cost flow problems
// exactly. It has no domain knowledge: callers translate households and
// places into left and right nodes.
//
// Three entry points:
//
//   - Solve: a sparse capacitated assignment (left nodes take at most one
//     unit, right nodes have integer capacities, every left node has an
//     explicit "unassigned" option with its own cost). It returns the
//     optimal cost, the assignment, and LP dual prices of right nodes and
//     left nodes.
//   - SolveNetwork: a general min-cost flow on a Network (node supplies,
//     arcs with lower bounds, capacities and integer costs), the model of
//     the DIMACS min-cost-flow format that ReadDIMACS and WriteDIMACS handle.
//     It is simpler and much slower; it serves as an independent reference.
//   - MinCostFlow: a Network solved by Solve when it has the layout of an
//     assignment (Network.Assignment), by SolveNetwork otherwise; it is what
//     "passerelle solve FILE.min" runs.
//
// # Method of Solve
//
// Solve is a primal-dual method. It keeps prices p[j] ≥ 0 on right nodes
// (0 while a right node has spare capacity) and an assignment in which every
// placed left node takes its cheapest option at the current prices: edge
// cost + p[j], or its unassigned cost. These are the reduced-cost
// (complementary slackness) conditions stated on Solution, so once every
// left node is placed the assignment is optimal and the prices are the
// duals. It runs in three steps:
//
//  1. Preparation. The edges are copied into a compact adjacency (CSR) with
//     each left node's edges sorted by cost: as prices are ≥ 0, an edge
//     costs at least its cost, so scans stop early. For memory locality,
//     left nodes are renumbered by their cheapest right node, and on large
//     problems right nodes are first renumbered in breadth-first
//     (Cuthill–McKee) order, so that nearby right nodes' states and
//     members lie close. Members of each right node are kept contiguously;
//     capacities are handled natively, never by cloning nodes.
//  2. Bids (Jonker–Volgenant's augmenting row reduction, generalised to
//     capacities, i.e. an auction with ε = 0). Each free left node takes its
//     best option. If that right node is full, its price rises by the
//     smaller of the bidder's margin (second best − best) and the smallest
//     margin of a member, and that member is evicted. This keeps the
//     conditions above and places most left nodes in O(degree) each. Every
//     left node bids once; the evicted are left to step 3 (JV run a second
//     pass in which they bid again, but ε = 0 auctions can cycle on ties,
//     and on the benchmarks the searches place them faster).
//  3. Successive shortest paths for the left nodes still free, one at a
//     time: a Dijkstra over right nodes only (a member's label is its right
//     node's), on reduced costs, with a binary heap. A right node with
//     spare capacity is never queued: it lowers the bound, and the search
//     stops as soon as the heap's minimum reaches the bound (the first free
//     capacity, or the cheapest "unassigned" exit of a displaced member).
//     Members whose cached second-best option cannot beat the bound are not
//     scanned. Prices of settled right nodes rise by (path length − label);
//     the members then shift along the path. No allocation in the loop.
//
// Worst case O(L·E log R) time; in practice the bids place 65 % (uniform
// random unit-capacity benchmarks) to 80 % (geographic ones) of the left
// nodes and the searches are short (see docs/BENCHMARKS.md, "Allocation
// solver"). The plain successive-shortest-paths algorithm the package used
// before (one Dijkstra per left node over left, right and sink nodes) is
// kept unexported as the baseline of the benchmarks and a second oracle of
// the tests, which also check Solve against exhaustive search on small
// problems and gonum's simplex on medium ones.
//
// Costs are minimised. To maximise scores, pass negative scores as costs and
// 0 as the unassigned cost. Integer-valued float64 costs (|sum| < 2^53) give
// exact results; other float costs are exact up to rounding (about 1e-12
// relative). Among several optimal solutions, which one is returned is
// unspecified but deterministic for a given input.
//
// All functions are safe for concurrent use on distinct inputs; they never
// modify their arguments.
package assign
