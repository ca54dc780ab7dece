package store_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

func schemaState(t *testing.T, db *store.DB) (schema string, tables, versions int) {
	t.Helper()
	ctx := context.Background()
	if err := db.GetContext(ctx, &schema, `SELECT current_schema()`); err != nil {
		t.Fatalf("current schema: %v", err)
	}
	if err := db.GetContext(ctx, &tables,
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`); err != nil {
		t.Fatalf("count tables: %v", err)
	}
	if err := db.GetContext(ctx, &versions, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`); err != nil {
		t.Fatalf("count applied migrations: %v", err)
	}
	return schema, tables, versions
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	created := createTask(t, db, "T1", "U1", "U2", "Write the brief", dueNone)

	schema, tables, versions := schemaState(t, db)
	if !strings.HasPrefix(schema, "t_") {
		t.Fatalf("current schema = %q, want the test's own schema (search_path)", schema)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	schema2, tables2, versions2 := schemaState(t, db)
	if schema2 != schema || tables2 != tables || versions2 != versions {
		t.Fatalf("second Migrate changed the schema: (%s, %d tables, %d versions) → (%s, %d, %d)",
			schema, tables, versions, schema2, tables2, versions2)
	}
	got, err := db.Task(ctx, "T1", created.Number)
	if err != nil || got.Title != created.Title {
		t.Fatalf("task after second Migrate = %+v, %v", got, err)
	}
}

func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	dbs := []*store.DB{storetest.Open(t, url), storetest.Open(t, url)}

	errs := make([]error, len(dbs))
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Migrate %d: %v", i, err)
		}
	}

	_, tables, versions := schemaState(t, dbs[0])
	wantTables, wantVersions := migrationFiles(t)
	if tables != wantTables+1 {
		t.Errorf("tables = %d, want the %d the migrations create and goose's version table", tables, wantTables)
	}
	if versions != wantVersions {
		t.Errorf("applied migrations = %d, want each of the %d once", versions, wantVersions)
	}
	createTask(t, dbs[1], "T1", "U1", "U2", "Works after a concurrent start", dueNone)
}

var createTable = regexp.MustCompile(`(?i)\bCREATE TABLE\b`)

// migrationFiles counts the migration files and the tables their Up sections create.
func migrationFiles(t *testing.T) (tables, files int) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		tables += len(createTable.FindAllString(up, -1))
	}
	return tables, len(paths)
}

func TestReadyOnceEveryMigrationIsApplied(t *testing.T) {
	db := storetest.Open(t, storetest.URL(t))
	ctx := context.Background()
	if err := db.Ready(ctx); err == nil || !strings.Contains(err.Error(), "run baton migrate") {
		t.Fatalf("a database nobody migrated: %v; want not ready, saying to run baton migrate", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("after the migrations: %v", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE goose_db_version SET is_applied = false WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err == nil || !strings.Contains(err.Error(), "run baton migrate") {
		t.Errorf("with the newest migration missing: %v; want a refusal that says to run baton migrate", err)
	}
}
