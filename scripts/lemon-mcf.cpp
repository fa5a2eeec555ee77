// lemon-mcf solves a DIMACS min-cost-flow file with LEMON's network simplex
// (Debian's liblemon-dev), the reference solver of scripts/reference-solver.sh.
// Usage: lemon-mcf FILE.min. Prints "s COST" (or "s INFEASIBLE") and, as
// comment lines, the seconds spent reading and solving: wall and CPU time.
#include <chrono>
#include <ctime>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <lemon/dimacs.h>
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: lemon-mcf FILE.min\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "lemon-mcf: cannot open " << argv[1] << "\n";
    return 2;
  }
  using G = lemon::SmartDigraph;
  using V = int64_t;
  G g;
  G::ArcMap<V> lower(g), cap(g), cost(g);
  G::NodeMap<V> supply(g);
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  lemon::readDimacsMin(in, g, lower, cap, cost, supply);
  auto t1 = std::chrono::steady_clock::now();
  std::clock_t c1 = std::clock();
  lemon::NetworkSimplex<G, V, V> ns(g);
  ns.lowerMap(lower).upperMap(cap).costMap(cost).supplyMap(supply);
  auto status = ns.run();
  auto t2 = std::chrono::steady_clock::now();
  std::clock_t c2 = std::clock();
  std::chrono::duration<double> read = t1 - t0, solve = t2 - t1;
  std::cout << "c nodes " << lemon::countNodes(g) << " arcs " << lemon::countArcs(g) << "\n";
  std::cout << "c read_s " << read.count() << " solve_s " << solve.count() << "\n";
  std::cout << "c read_cpu_s " << double(c1 - c0) / CLOCKS_PER_SEC
            << " solve_cpu_s " << double(c2 - c1) / CLOCKS_PER_SEC << "\n";
  if (status != lemon::NetworkSimplex<G, V, V>::OPTIMAL) {
    std::cout << "s INFEASIBLE\n";
    return 1;
  }
  std::cout << "s " << ns.totalCost<V>() << "\n";
  return 0;
}
