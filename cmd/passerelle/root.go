package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// env reads the environment; tests pass their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run executes the command line args and returns the error to report; it
// is main without the process: tests call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "passerelle",
		Short: "Housing and jobs together for refugee households: ranked, explained mobility plans",
		Long: "Passerelle joins housing offers and job openings across France and produces ranked, explained\n" +
			"mobility plans for households granted international protection.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(planCmd(e), benchCmd(e))
	return root.ExecuteContext(ctx)
}
