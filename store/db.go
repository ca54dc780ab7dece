// Package store keeps Baton's records in Postgres: tasks, their history, and delivery de-duplication.
// Methods take ctx first, wrap failures with what was being done, and let domain errors (*baton.Error)
// through so callers can show their message.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Pool limits for one process.
const (
	maxOpenConns    = 20
	maxIdleConns    = maxOpenConns
	connMaxLifetime = 30 * time.Minute
	connMaxIdleTime = 5 * time.Minute
)

// DB is the Postgres store.
type DB struct {
	*sqlx.DB
	url string

	settings settingsCache

	acceptOnce sync.Once
	acc        *acceptor // writes kept envelopes; started by the first AcceptDelivery
	accErr     error
}

// Open connects to the database at url (a lib/pq URL or key=value DSN) and checks that it answers.
func Open(ctx context.Context, url string) (*DB, error) {
	sdb, err := openPool(url, maxOpenConns, maxIdleConns)
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	if err := sdb.PingContext(ctx); err != nil {
		_ = sdb.Close()
		return nil, fmt.Errorf("store: connect to database: %w", err)
	}
	return &DB{DB: sdb, url: url}, nil
}

// openPool opens a pool of connections to url, at most open of them and idle of them kept.
//
// Each connection prepares the statements it runs (see preparing): a statement is parsed once per
// connection, and each run of it is one round trip. Postgres is asked to plan a prepared statement
// once, for any arguments (plan_cache_mode), unless the URL sets plan_cache_mode itself: the store's
// statements look rows up by keys and indexes, where the general plan is the plan, and planning anew
// at every run cost a quarter of the database's time under load. Prepared statements live in a
// session, so Baton's connections must be its own (not shared by a transaction-pooling proxy).
func openPool(url string, open, idle int) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, err
	}
	if cfg.Runtime == nil {
		cfg.Runtime = map[string]string{}
	}
	if _, set := cfg.Runtime["plan_cache_mode"]; !set {
		cfg.Runtime["plan_cache_mode"] = "force_generic_plan"
	}
	conn, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	db := sqlx.NewDb(sql.OpenDB(preparing{conn}), "postgres")
	db.SetMaxOpenConns(open)
	db.SetMaxIdleConns(idle)
	db.SetConnMaxLifetime(connMaxLifetime)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	return db, nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	db.acceptOnce.Do(func() { db.accErr = errors.New("store: the database is closed") })
	if db.acc != nil {
		if err := db.acc.close(); err != nil {
			return fmt.Errorf("store: close the inbox's connections: %w", err)
		}
	}
	if err := db.DB.Close(); err != nil {
		return fmt.Errorf("store: close database: %w", err)
	}
	return nil
}

// InTx runs fn in a transaction and commits it when fn returns nil. An error or a panic from fn
// rolls the transaction back; the error is returned as is and the panic is re-raised. When ctx
// holds a delivery's claim (WithDeliveryClaim), the transaction also marks that delivery done.
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	delivered, err := markDelivered(ctx, tx)
	if err == nil {
		err = fn(tx)
	}
	if err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: roll back transaction: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return mapError("commit transaction", err)
	}
	if delivered != nil {
		delivered.Store(true)
	}
	return nil
}

// Messages for constraint violations that reach the user.
const (
	conflictMessage = "Someone else changed this at the same moment, so your change was not saved. Try again."
	missingMessage  = "What this refers to no longer exists, so nothing was saved. Refresh and try again."
)

// mapError wraps err with what was being done. Domain errors pass through untouched. A unique
// violation becomes a conflict, and a foreign key violation (a row pointing at one that is gone:
// every parent deletion in the schema cascades) becomes not found; both keep the Postgres error in
// the chain for the log. Anything else is internal.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*baton.Error](err); ok {
		return err
	}
	if pq.As(err, pqerror.UniqueViolation) != nil {
		return fmt.Errorf("store: %s: %w (%w)", op, baton.Errorf(baton.EConflict, conflictMessage), err)
	}
	if pq.As(err, pqerror.ForeignKeyViolation) != nil {
		return fmt.Errorf("store: %s: %w (%w)", op, baton.Errorf(baton.ENotFound, missingMessage), err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
