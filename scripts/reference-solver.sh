#!/bin/sh
# reference-solver.sh solves DIMACS min-cost-flow files with a reference
# solver, LEMON's network simplex (Debian: apt-get install liblemon-dev g++),
# and with `passerelle solve`, checks that the optimal costs are equal, and
# prints the times side by side.
#
# Usage: scripts/reference-solver.sh FILE.min...
#
# The benchmark instances of matcher/assign are written by
#   go test ./matcher/assign -run TestWriteInstances -args -out DIR
# Environment: PASSERELLE, a passerelle binary (default: built from
# ./cmd/passerelle); CPU, a core to pin both solvers to with taskset
# (default: none). passerelle runs with GOMAXPROCS=1, single-threaded like
# LEMON. Exit status 1 if a cost differs.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/passerelle-reference
mkdir -p "$work"

lemon=$work/lemon-mcf
if [ ! -x "$lemon" ] || [ "$root/scripts/lemon-mcf.cpp" -nt "$lemon" ]; then
	g++ -O2 -std=c++17 -o "$lemon" "$root/scripts/lemon-mcf.cpp"
fi
bin=${PASSERELLE:-}
if [ -z "$bin" ]; then
	bin=$work/passerelle
	(cd "$root" && go build -o "$bin" ./cmd/passerelle)
fi
pin=""
cpu=${CPU:-}
if [ -n "$cpu" ] && command -v taskset >/dev/null; then
	pin="taskset -c $cpu"
fi

# Columns: LEMON's cost, its solve time (wall, CPU) as it measures it, the
# CPU time of its whole process (reading included); passerelle's cost, its
# solve time (wall, from its log) and the CPU time of its process.

# cpu CMD...: runs CMD, stdout to $work/out.txt, and prints the user+system
# CPU seconds of the process. A failing solver (an infeasible file) must not
# stop the script under set -e: its missing cost is reported as a mismatch.
cpu() {
	/usr/bin/time -f '%U %S' -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || :
	tail -n 1 "$work/time.txt" | awk '{ printf "%.3f", $1 + $2 }'
}

status=0
printf '%-20s | %14s %9s %9s %9s | %14s %9s %9s | %s\n' file lemon_cost solve_s solve_cpu proc_cpu passerelle_cost solve_ms proc_cpu equal
for f in "$@"; do
	lproc=$(cpu $pin "$lemon" "$f")
	lcost=$(awk '$1 == "s" { print $2 }' "$work/out.txt")
	lsolve=$(awk '$2 == "read_s" { print $5 }' "$work/out.txt")
	lsolvecpu=$(awk '$2 == "read_cpu_s" { print $5 }' "$work/out.txt")
	pproc=$(GOMAXPROCS=1 cpu $pin "$bin" solve --log-level info "$f")
	pcost=$(awk '$1 == "s" { print $2 }' "$work/out.txt")
	psolve=$(sed -n 's/.*solve=\([^ ]*\).*/\1/p' "$work/err.txt")
	eq=yes
	if [ -z "$lcost" ] || [ "$lcost" != "$pcost" ]; then
		eq=NO
		status=1
	fi
	printf '%-20s | %14s %9.3f %9.3f %9s | %14s %9s %9s | %s\n' "$(basename "$f")" "$lcost" "$lsolve" "$lsolvecpu" "$lproc" "$pcost" "$psolve" "$pproc" "$eq"
done
exit $status
