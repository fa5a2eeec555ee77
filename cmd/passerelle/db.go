package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"passerelle/store"
)

// defaultDB is the SQLite file used when neither --db, PASSERELLE_DB nor
// DATABASE_URL says otherwise.
const defaultDB = "./passerelle.db"

// dsn returns the database to open: --db when given, else DATABASE_URL
// (PostgreSQL), else PASSERELLE_DB, else ./passerelle.db.
func (e *env) dsn(flag string) string {
	switch {
	case flag != "":
		return flag
	case e.getenv("DATABASE_URL") != "":
		return e.getenv("DATABASE_URL")
	case e.getenv("PASSERELLE_DB") != "":
		return e.getenv("PASSERELLE_DB")
	}
	return defaultDB
}

// openDB opens and migrates the store.
func (e *env) openDB(ctx context.Context, flag string) (*store.DB, error) {
	db, err := store.Open(ctx, e.dsn(flag))
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating the database: %w", err)
	}
	if n > 0 {
		e.log.Info().Int("applied", n).Str("driver", db.Driver()).Msg("migrations applied")
	}
	return db, nil
}

func migrateCmd(e *env) *cobra.Command {
	var dbFlag string
	cmd := &cobra.Command{
		Use:   "migrate [--db FILE|URL]",
		Short: "Apply the embedded database migrations (SQLite file, or PostgreSQL when DATABASE_URL is set)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := store.Open(cmd.Context(), e.dsn(dbFlag))
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := db.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %d migration(s) applied, schema up to date\n", db.Driver(), n)
			return nil
		},
	}
	cmd.Flags().StringVar(&dbFlag, "db", "", "SQLite file or postgres:// URL (default: DATABASE_URL, PASSERELLE_DB, ./passerelle.db)")
	return cmd
}

func keysCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage API keys"}
	var dbFlag, org, role string
	create := &cobra.Command{
		Use:   "create --org ORG --role advisor|landlord|employer|admin",
		Short: "Create an API key; the key is printed once, alone on the last line of stdout",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := store.Role(role)
			if !r.Valid() {
				return usageErr(fmt.Errorf("--role must be advisor, landlord, employer or admin, not %q", role))
			}
			if strings.TrimSpace(org) == "" {
				return usageErr(errors.New("--org is required"))
			}
			db, err := e.openDB(cmd.Context(), dbFlag)
			if err != nil {
				return err
			}
			defer db.Close()
			id, secret, err := db.CreateKey(cmd.Context(), org, r)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "key %s for organisation %q, role %s. It is shown once: store it now.\n", id, org, r)
			fmt.Fprintln(e.stdout, secret)
			return nil
		},
	}
	create.Flags().StringVar(&dbFlag, "db", "", "SQLite file or postgres:// URL (default: DATABASE_URL, PASSERELLE_DB, ./passerelle.db)")
	create.Flags().StringVar(&org, "org", "", "organisation the key belongs to")
	create.Flags().StringVar(&role, "role", "", "advisor, landlord, employer or admin")
	cmd.AddCommand(create)
	return cmd
}
