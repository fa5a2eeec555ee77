// Command passerelle is the one binary of Passerelle: it plans, serves,
// imports and benchmarks. Run "passerelle help" for the subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitError carries the exit status of a failed command; its message has
// already been written to stderr when printed is set.
type exitError struct {
	code    int
	err     error
	printed bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks bad input: exit status 2.
func usageErr(err error) error { return &exitError{code: 2, err: err} }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.printed {
			fmt.Fprintln(stderr, "passerelle:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "passerelle:", err)
	return 1
}
