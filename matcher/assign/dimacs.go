package assign

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxDIMACSNodes is the largest node count ReadDIMACS accepts (it allocates
// one supply per node).
const MaxDIMACSNodes = 1 << 26

// maxDIMACSLine is the longest line ReadDIMACS accepts, in bytes.
const maxDIMACSLine = 1 << 16

// ReadDIMACS parses a network in the DIMACS min-cost-flow format of the
// first DIMACS implementation challenge:
//
//	c any comment
//	p min NODES ARCS
//	n ID FLOW            (FLOW > 0 supply, < 0 demand; nodes 1..NODES)
//	a SRC DST LOW CAP COST
//
// The problem line must come before any "n" or "a" line; there must be
// exactly ARCS arc lines; a node may have at most one "n" line; blank lines
// are ignored. Values are decimal int64. It returns an error wrapping
// ErrDIMACS that names the line number and, when one is at fault, the field
// (numbered from 1, the line type being field 1), or an error wrapping the
// reader's error.
func ReadDIMACS(r io.Reader) (*Network, error) {
	return readDIMACS(r, MaxDIMACSNodes)
}

func readDIMACS(r io.Reader, maxNodes int) (*Network, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxDIMACSLine)
	var (
		n       *Network
		arcs    int64
		line    int
		hasNode []bool
	)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: line %d: %s", ErrDIMACS, line, fmt.Sprintf(format, args...))
	}
	// ints parses fields[first:] as integers; fields must have want
	// fields. Fields are numbered from 1, the line type being field 1.
	ints := func(fields []string, want, first int) ([]int64, error) {
		if len(fields) != want {
			return nil, bad("%q line has %d fields, want %d", fields[0], len(fields), want)
		}
		out := make([]int64, want-first)
		for k, f := range fields[first:] {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, bad("field %d: %q is not an integer", first+k+1, f)
			}
			out[k] = v
		}
		return out, nil
	}
	node := func(v int64, field int) (int, error) {
		if v < 1 || v > int64(n.Nodes) {
			return 0, bad("field %d: node %d out of range [1,%d]", field, v, n.Nodes)
		}
		return int(v - 1), nil
	}
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "c":
			continue
		case "p":
			if n != nil {
				return nil, bad("second problem line")
			}
			if len(fields) != 4 {
				return nil, bad("\"p\" line has %d fields, want 4", len(fields))
			}
			if fields[1] != "min" {
				return nil, bad("field 2: problem type %q, want \"min\"", fields[1])
			}
			v, err := ints(fields, 4, 2)
			if err != nil {
				return nil, err
			}
			if v[0] < 0 || v[0] > int64(maxNodes) {
				return nil, bad("field 3: node count %d out of range [0,%d]", v[0], maxNodes)
			}
			if v[1] < 0 {
				return nil, bad("field 4: negative arc count %d", v[1])
			}
			n = &Network{Nodes: int(v[0]), Supply: make([]int64, v[0]), Arcs: make([]Arc, 0, min(v[1], 1<<16))}
			hasNode = make([]bool, v[0])
			arcs = v[1]
		case "n":
			if n == nil {
				return nil, bad("node line before problem line")
			}
			v, err := ints(fields, 3, 1)
			if err != nil {
				return nil, err
			}
			id, err := node(v[0], 2)
			if err != nil {
				return nil, err
			}
			if hasNode[id] {
				return nil, bad("field 2: second node line for node %d", v[0])
			}
			hasNode[id] = true
			n.Supply[id] = v[1]
		case "a":
			if n == nil {
				return nil, bad("arc line before problem line")
			}
			if int64(len(n.Arcs)) >= arcs {
				return nil, bad("more than the %d arcs of the problem line", arcs)
			}
			v, err := ints(fields, 6, 1)
			if err != nil {
				return nil, err
			}
			from, err := node(v[0], 2)
			if err != nil {
				return nil, err
			}
			to, err := node(v[1], 3)
			if err != nil {
				return nil, err
			}
			if v[2] < 0 {
				return nil, bad("field 4: negative lower bound %d", v[2])
			}
			if v[3] < v[2] {
				return nil, bad("fields 4-5: bounds [%d,%d] not 0 ≤ low ≤ cap", v[2], v[3])
			}
			n.Arcs = append(n.Arcs, Arc{From: from, To: to, Low: v[2], Cap: v[3], Cost: v[4]})
		default:
			return nil, bad("field 1: unknown line type %q", fields[0])
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: line %d: longer than %d bytes", ErrDIMACS, line+1, maxDIMACSLine)
		}
		return nil, fmt.Errorf("assign: reading DIMACS: %w", err)
	}
	if n == nil {
		return nil, fmt.Errorf("%w: no problem line", ErrDIMACS)
	}
	if int64(len(n.Arcs)) != arcs {
		return nil, fmt.Errorf("%w: line %d: %d arcs, problem line declares %d", ErrDIMACS, line, len(n.Arcs), arcs)
	}
	return n, nil
}

// WriteDIMACS writes n in the DIMACS min-cost-flow format read by
// ReadDIMACS: the problem line, one "n" line per node with a nonzero supply
// (in node order), and one "a" line per arc (in order); nodes are numbered
// from 1. It returns an error wrapping ErrInvalid if n is malformed, or the
// writer's error.
func WriteDIMACS(w io.Writer, n *Network) error {
	if err := n.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := make([]byte, 0, 128)
	buf = append(buf, "p min "...)
	buf = strconv.AppendInt(buf, int64(n.Nodes), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(len(n.Arcs)), 10)
	buf = append(buf, '\n')
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("assign: writing DIMACS: %w", err)
	}
	for v, s := range n.Supply {
		if s == 0 {
			continue
		}
		buf = append(buf[:0], "n "...)
		buf = strconv.AppendInt(buf, int64(v+1), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, s, 10)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("assign: writing DIMACS: %w", err)
		}
	}
	for _, a := range n.Arcs {
		buf = append(buf[:0], "a "...)
		buf = strconv.AppendInt(buf, int64(a.From+1), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(a.To+1), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, a.Low, 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, a.Cap, 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, a.Cost, 10)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("assign: writing DIMACS: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("assign: writing DIMACS: %w", err)
	}
	return nil
}
