// Package store keeps Baton's records in Postgres: tasks, their history, and delivery de-duplication.
// Methods take ctx first, wrap failures with what was being done, and let domain errors (*baton.Error)
// through so callers can show their message.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/internal/pgpool"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// maxOpenConns is how many connections one process keeps open unless PoolSize says otherwise.
const maxOpenConns = 20

// DB is the Postgres store.
type DB struct {
	*sqlx.DB
	url string

	settings settingsCache

	acceptOnce sync.Once
	acc        *acceptor // keeps envelopes and marks them done; started when first needed
	accErr     error
}

// Option changes how Open opens the pool.
type Option func(*options)

type options struct {
	poolSize         int
	statementTimeout time.Duration
}

// PoolSize keeps at most n connections open (default 20).
func PoolSize(n int) Option { return func(o *options) { o.poolSize = n } }

// StatementTimeout ends any statement that runs longer than d, so a stuck query frees its connection
// and its handler says to try again; 0 leaves it to Postgres (and the URL's statement_timeout).
func StatementTimeout(d time.Duration) Option { return func(o *options) { o.statementTimeout = d } }

// Open connects to the database at url (a lib/pq URL or key=value DSN) and checks that it answers.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	o := options{poolSize: maxOpenConns}
	for _, opt := range opts {
		opt(&o)
	}
	sdb, err := pgpool.Open(url, o.poolSize, o.poolSize, o.statementTimeout)
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	if err := sdb.PingContext(ctx); err != nil {
		_ = sdb.Close()
		return nil, fmt.Errorf("store: connect to database: %w", err)
	}
	return &DB{DB: sdb, url: url}, nil
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
		return mapError("begin transaction", err)
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
	if unreachable(err) {
		return fmt.Errorf("store: %s: %w (%w)", op, baton.Errorf(baton.EUnavailable, unavailableMessage), err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// unavailableMessage is what a person hears when Postgres did not answer their request.
const unavailableMessage = "Baton's database did not answer just now, so this was not done. Try again in a minute."

// unreachable reports whether err says Postgres could not be reached or answered: a connection
// refused, cut or timed out, or refused for too many clients; the server shutting down or
// terminating the session; the statement timeout. A cancelled or expired context is not: that is
// the caller giving up.
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if pq.As(err, pqerror.TooManyConnections) != nil {
		return true
	}
	if e := pq.As(err, pqerror.QueryCanceled); e != nil {
		return strings.Contains(e.Message, "statement timeout")
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code.Class() == "08" || pe.Code.Class() == "57"
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.As(err, &ne)
}
