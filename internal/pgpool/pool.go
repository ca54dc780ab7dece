// Package pgpool opens Baton's pools of Postgres connections: the store's, and any other that
// runs Baton's statements (the scheduler's job table shares the store's; tests and benchmarks
// open their own alike).
package pgpool

import (
	"database/sql"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// How long a connection lives, and how long it may sit idle.
const (
	connMaxLifetime = 30 * time.Minute
	connMaxIdleTime = 5 * time.Minute
)

// Open opens a pool of connections to url (a lib/pq URL or key=value DSN), at most open of them
// and idle of them kept. A statementTimeout above zero ends any statement that runs longer, unless the
// URL sets statement_timeout itself. It does not connect: the first statement does.
//
// Each connection prepares the statements it runs (see preparing): a statement is parsed once per
// connection, and each run of it is one round trip. Postgres is asked to plan a prepared statement
// once, for any arguments (plan_cache_mode), unless the URL sets plan_cache_mode itself: Baton's
// statements look rows up by keys and indexes, where the general plan is the plan, and planning anew
// at every run cost a quarter of the database's time under load. Prepared statements live in a
// session, so Baton's connections must be its own (not shared by a transaction-pooling proxy).
func Open(url string, open, idle int, statementTimeout time.Duration) (*sqlx.DB, error) {
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
	if _, set := cfg.Runtime["statement_timeout"]; !set && statementTimeout > 0 {
		cfg.Runtime["statement_timeout"] = strconv.FormatInt(statementTimeout.Milliseconds(), 10)
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
