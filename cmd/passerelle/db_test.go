package main

import (
	"path/filepath"
	"strings"
	"testing"

	"passerelle/store"
)

func TestMigrateAndKeys(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	out, errOut, code := runCLI(t, "", "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, "sqlite") {
		t.Fatalf("migrate: exit %d, %q %q", code, out, errOut)
	}
	out, _, code = runCLI(t, "", "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, "0 migration(s)") {
		t.Fatalf("second migrate: exit %d, %q", code, out)
	}
	out, errOut, code = runCLI(t, "", "keys", "create", "--db", db, "--org", "agir-71", "--role", "advisor")
	if code != 0 {
		t.Fatalf("keys create: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	secret := lines[len(lines)-1]
	if !strings.HasPrefix(secret, store.SecretPrefix) || strings.Contains(secret, " ") {
		t.Fatalf("last line %q is not a key", secret)
	}
	s, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := s.Authenticate(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if k.Org != "agir-71" || k.Role != store.RoleAdvisor {
		t.Errorf("got key %+v", k)
	}
	for _, bad := range [][]string{
		{"keys", "create", "--db", db, "--org", "x", "--role", "boss"},
		{"keys", "create", "--db", db, "--role", "advisor"},
	} {
		if _, _, code := runCLI(t, "", bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
