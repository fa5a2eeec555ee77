package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"passerelle/matcher/assign"
)

// solveOutput is the JSON form of a solved DIMACS network. Nodes and arcs
// are numbered from 1, as in the file.
type solveOutput struct {
	Cost   int64      `json:"cost"`
	Method string     `json:"method"` // "assignment" or "network"
	Nodes  int        `json:"nodes"`
	Arcs   int        `json:"arcs"`
	Flow   []solveArc `json:"flow"` // arcs with nonzero flow, in file order
}

type solveArc struct {
	Arc  int   `json:"arc"`
	From int   `json:"from"`
	To   int   `json:"to"`
	Flow int64 `json:"flow"`
}

func solveCmd(e *env) *cobra.Command {
	var format, method string
	cmd := &cobra.Command{
		Use:   "solve FILE.min [--format dimacs|json] [--method auto|network]",
		Short: "Solve a DIMACS min-cost-flow file and print the optimal cost and the flow",
		Long: "solve reads a network in the DIMACS min-cost-flow format (FILE, or - for standard input) and\n" +
			"prints an optimal flow: in the DIMACS solution format (\"s COST\", then \"f FROM TO FLOW\" for each\n" +
			"arc with nonzero flow, in file order), or as JSON. Networks with the layout of a capacitated\n" +
			"assignment (left nodes of supply 1 with an arc to the sink each, right nodes with one arc of\n" +
			"cost 0 to the sink) are solved by the assignment solver, others by the general network solver;\n" +
			"--method network forces the latter. Exit status 2 for an unreadable or malformed file, 1 when\n" +
			"the network has no feasible flow.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "dimacs" && format != "json" {
				return usageErr(fmt.Errorf("--format must be dimacs or json, not %q", format))
			}
			if method != "auto" && method != "network" {
				return usageErr(fmt.Errorf("--method must be auto or network, not %q", method))
			}
			file := args[0]
			start := time.Now()
			n, err := readNetwork(file, e)
			if err != nil {
				return err
			}
			read := time.Since(start)
			start = time.Now()
			var (
				cost       int64
				flow       []int64
				assignment bool
			)
			if method == "network" {
				cost, flow, err = assign.SolveNetwork(cmd.Context(), n)
			} else {
				cost, flow, assignment, err = assign.MinCostFlow(cmd.Context(), n)
			}
			if err != nil {
				if errors.Is(err, assign.ErrInvalid) {
					return usageErr(fmt.Errorf("%s: %w", file, err))
				}
				return fmt.Errorf("solving %s: %w", file, err)
			}
			used := "network"
			if assignment {
				used = "assignment"
			}
			e.log.Info().Str("file", file).Int("nodes", n.Nodes).Int("arcs", len(n.Arcs)).Str("method", used).
				Int64("cost", cost).Dur("read", read).Dur("solve", time.Since(start)).Msg("network solved")
			if format == "json" {
				out := solveOutput{Cost: cost, Method: used, Nodes: n.Nodes, Arcs: len(n.Arcs), Flow: []solveArc{}}
				for k, f := range flow {
					if f != 0 {
						a := n.Arcs[k]
						out.Flow = append(out.Flow, solveArc{Arc: k + 1, From: a.From + 1, To: a.To + 1, Flow: f})
					}
				}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			return writeDIMACSSolution(e.stdout, n, used, cost, flow)
		},
	}
	cmd.Flags().StringVar(&format, "format", "dimacs", "output: dimacs (s and f lines) or json")
	cmd.Flags().StringVar(&method, "method", "auto", "solver: auto (assignment solver when the layout allows) or network")
	return cmd
}

// readNetwork reads a DIMACS file, or standard input for "-". Unreadable
// or malformed input is an exit-2 error.
func readNetwork(file string, e *env) (*assign.Network, error) {
	var r io.Reader = e.stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, usageErr(fmt.Errorf("reading the network: %w", err))
		}
		defer f.Close()
		r = f
	}
	n, err := assign.ReadDIMACS(r)
	if err != nil {
		return nil, usageErr(fmt.Errorf("%s: %w", file, err))
	}
	return n, nil
}

// writeDIMACSSolution writes the flow in the DIMACS solution format.
func writeDIMACSSolution(w io.Writer, n *assign.Network, method string, cost int64, flow []int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "c passerelle solve: %d nodes, %d arcs, method %s\n", n.Nodes, len(n.Arcs), method)
	buf := make([]byte, 0, 64)
	buf = append(buf, "s "...)
	buf = strconv.AppendInt(buf, cost, 10)
	buf = append(buf, '\n')
	bw.Write(buf)
	for k, f := range flow {
		if f == 0 {
			continue
		}
		a := n.Arcs[k]
		buf = append(buf[:0], "f "...)
		buf = strconv.AppendInt(buf, int64(a.From+1), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(a.To+1), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, f, 10)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the solution: %w", err)
	}
	return nil
}
