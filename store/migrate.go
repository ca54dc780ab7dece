package store

import (
	"context"
	"fmt"

	"github.com/batonhq/baton/store/migrations"
)

// Migrate brings the schema of the connection's current schema (the first of its search_path) up
// to date; see migrations.Up.
func (db *DB) Migrate(ctx context.Context) error {
	if err := migrations.Up(ctx, db.DB.DB); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
