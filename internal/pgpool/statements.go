package pgpool

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// maxStatements bounds how many prepared statements one connection keeps; the least recently used
// goes first. Baton's statements are constants or built from a few options, so this is ample.
const maxStatements = 256

// preparing connects through lib/pq and gives each connection a cache of prepared statements: a
// statement with arguments is prepared the first time a connection runs it and reused after that.
// Postgres then neither parses nor (once it has settled on a generic plan) plans it again, and each
// run is one round trip. Statements without arguments take the simple protocol, as before.
type preparing struct{ *pq.Connector }

// pqConn is what lib/pq's connections offer database/sql.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// preparedStmt is what lib/pq's prepared statements offer.
type preparedStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

func (p preparing) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := p.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := c.(pqConn)
	if !ok {
		_ = c.Close()
		return nil, fmt.Errorf("pgpool: lib/pq's connection (%T) no longer offers what the statement cache needs", c)
	}
	return &preparedConn{pqConn: pc, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

// preparedConn is one connection with its statements. database/sql never uses a connection from two
// goroutines at once, so the cache needs no lock.
type preparedConn struct {
	pqConn
	byQuery map[string]*list.Element // query → element of lru holding its *cachedStmt
	lru     *list.List               // most recently used first
}

type cachedStmt struct {
	query string
	stmt  preparedStmt
}

func (c *preparedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return c.pqConn.QueryContext(ctx, query, args)
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args)
	c.check(query, err)
	return rows, err
}

func (c *preparedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.pqConn.ExecContext(ctx, query, args)
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(ctx, args)
	c.check(query, err)
	return res, err
}

// prepared returns the connection's statement for query, preparing it the first time.
func (c *preparedConn) prepared(ctx context.Context, query string) (preparedStmt, error) {
	if e, ok := c.byQuery[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt, nil
	}
	s, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := s.(preparedStmt)
	if !ok {
		_ = s.Close()
		return nil, fmt.Errorf("pgpool: lib/pq's statement (%T) no longer offers what the statement cache needs", s)
	}
	c.byQuery[query] = c.lru.PushFront(&cachedStmt{query: query, stmt: st})
	if c.lru.Len() > maxStatements {
		c.drop(c.lru.Back())
	}
	return st, nil
}

// check forgets a statement whose saved plan no longer fits the tables (a migration changed a
// table it reads), so the next run prepares it afresh.
func (c *preparedConn) check(query string, err error) {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == pqerror.FeatureNotSupported && strings.Contains(pqErr.Message, "cached plan") {
		if e, ok := c.byQuery[query]; ok {
			c.drop(e)
		}
	}
}

func (c *preparedConn) drop(e *list.Element) {
	cs := c.lru.Remove(e).(*cachedStmt)
	delete(c.byQuery, cs.query)
	_ = cs.stmt.Close()
}

func (c *preparedConn) Close() error {
	// Closing the connection ends its statements on the server; they need no Close of their own.
	c.byQuery, c.lru = nil, nil
	return c.pqConn.Close()
}
