package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// env reads the environment; tests pass their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    zerolog.Logger // the root logger, on stderr
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
	var level string
	root.PersistentFlags().StringVar(&level, "log-level", envOr(getenv, "PASSERELLE_LOG_LEVEL", "warn"), "log level on stderr: debug, info, warn, error")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		lv, err := zerolog.ParseLevel(level)
		if err != nil || level == "" {
			return usageErr(fmt.Errorf("--log-level: unknown level %q", level))
		}
		e.log = zerolog.New(zerolog.ConsoleWriter{Out: stderr, NoColor: true}).Level(lv).With().Timestamp().Logger()
		return nil
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(planCmd(e), benchCmd(e), migrateCmd(e), keysCmd(e), serveCmd(e), allocateCmd(e), solveCmd(e), importCmd(e))
	return root.ExecuteContext(ctx)
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
