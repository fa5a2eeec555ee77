package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"passerelle/matcher"
)

func planCmd(e *env) *cobra.Command {
	var file, market, format string
	var top int
	var naive bool
	cmd := &cobra.Command{
		Use:   "plan --household FILE.json [--market demo|national] [--format text|json] [--top N]",
		Short: "Print the mobility plan of a household (French text for the advisor, or JSON)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageErr(fmt.Errorf("--format must be text or json, not %q", format))
			}
			if top < 1 || top > 100 {
				return usageErr(fmt.Errorf("--top must be between 1 and 100, not %d", top))
			}
			h, err := readHousehold(file, e)
			if err != nil {
				return err
			}
			eng, _, err := loadEngine(e, market)
			if err != nil {
				return err
			}
			opts := matcher.PlanOptions{Top: top}
			start := time.Now()
			var p *matcher.Plan
			if naive {
				p, err = eng.PlanNaive(cmd.Context(), h, opts)
			} else {
				p, err = eng.Plan(cmd.Context(), h, opts)
			}
			if err != nil {
				return reportInvalid(err, file, e)
			}
			// Ids and counts only: never names or free text about people.
			e.log.Info().Str("household_ref", h.ExternalRef).Int("options", len(p.Options)).Int("examined", p.Examined).
				Dur("latency", time.Since(start)).Bool("naive", naive).Msg("plan computed")
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			}
			return writeText(e.stdout, h, p, eng)
		},
	}
	cmd.Flags().StringVar(&file, "household", "", "household JSON file (- for standard input)")
	cmd.Flags().StringVar(&market, "market", "demo", "market: demo, national, or a size such as 100k")
	cmd.Flags().StringVar(&format, "format", "text", "output: text (French) or json")
	cmd.Flags().IntVar(&top, "top", 10, "number of options")
	cmd.Flags().BoolVar(&naive, "naive", false, "use the brute-force planner (slow; for checking)")
	_ = cmd.MarkFlagRequired("household")
	return cmd
}

// readHousehold reads and strictly decodes a household file. Every problem
// is written to stderr and the error has exit status 2.
func readHousehold(file string, e *env) (*matcher.Household, error) {
	data, err := e.readInput(file)
	if err != nil {
		return nil, usageErr(fmt.Errorf("reading the household: %w", err))
	}
	var h matcher.Household
	if err := decodeStrict(data, &h); err != nil {
		return nil, usageErr(fmt.Errorf("%s: %w", file, err))
	}
	if err := h.Validate(); err != nil {
		return nil, reportInvalid(err, file, e)
	}
	return &h, nil
}

// decodeStrict decodes one JSON value, refusing unknown fields and trailing
// data, and says where a syntax error is (line and column).
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset)
			return fmt.Errorf("line %d, column %d: invalid JSON: %w", line, col, err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			line, col := lineCol(data, te.Offset)
			return fmt.Errorf("line %d, column %d: field %q: expected %s, got JSON %s", line, col, te.Field, te.Type, te.Value)
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

func lineCol(data []byte, off int64) (int, int) {
	off = min(off, int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// reportInvalid lists every field error on stderr (French, then English)
// and returns an exit-2 error; other errors pass through.
func reportInvalid(err error, file string, e *env) error {
	var ve *matcher.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d champ(s) invalide(s) / invalid field(s):\n", file, len(ve.Fields))
	for _, f := range ve.Fields {
		fmt.Fprintf(&b, "  %s [%s]: %s / %s\n", f.Field, f.Code, f.MessageFR, f.MessageEN)
	}
	fmt.Fprint(e.stderr, b.String())
	return &exitError{code: 2, err: err, printed: true}
}

// readInput returns the content of file, or of standard input for "-".
func (e *env) readInput(file string) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(file)
}
