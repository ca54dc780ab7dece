package store

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/batonhq/baton/internal/pgpool"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// An envelope is kept before its ack, so the write sits on the ack's path: it gets connections of
// its own (an ack never waits behind handlers' queries for a pooled connection), and every
// envelope that arrives while one batch commits goes into the next, one commit for all.
//
// Those connections commit without waiting for the disk (synchronous_commit off): what they write
// is in Postgres once the commit returns and survives the death of any Baton process, which is what
// the inbox is for. It reaches the disk with the next commit that does wait — any change a handler
// makes — or within a fraction of a second, so only a crash of Postgres itself in that moment could
// lose an envelope acknowledged and not yet handled.
//
// Envelopes whose handlers wrote nothing (a help text, a dashboard) are marked done over two more such
// connections: a handler's change marks its envelope done in its own transaction, which waits for
// the disk, but these would otherwise each wait for a flush of their own — one per envelope, which
// under load held up the inbox's inserts behind the disk. A mark lost with a crash of Postgres itself
// leaves its envelope to be taken over and handled once more, as one whose handler had not finished.
const (
	acceptConns    = 2
	acceptMaxBatch = 128
	finishConns    = 2
)

type acceptRequest struct {
	ctx                          context.Context
	key, kind, envelopeID, claim string
	payload                      []byte
	lease                        time.Duration
	done                         chan acceptResult
}

type acceptResult struct {
	first bool
	err   error
}

// acceptor writes kept envelopes in batches over its own small pool, and marks envelopes done over
// another.
type acceptor struct {
	db     *sqlx.DB
	finish *sqlx.DB
	reqs   chan acceptRequest
	stop   chan struct{}
	wg     sync.WaitGroup
}

func newAcceptor(url string) (*acceptor, error) {
	url, err := withParam(url, "synchronous_commit", "off")
	if err != nil {
		return nil, err
	}
	db, err := pgpool.Open(url, acceptConns, acceptConns, 0)
	if err != nil {
		return nil, fmt.Errorf("store: open the inbox's connections: %w", err)
	}
	db.SetConnMaxIdleTime(0) // the first ack after a quiet spell must not wait for a new connection
	finish, err := pgpool.Open(url, finishConns, finishConns, 0)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open the inbox's connections: %w", err)
	}
	a := &acceptor{db: db, finish: finish, reqs: make(chan acceptRequest, acceptMaxBatch), stop: make(chan struct{})}
	for range acceptConns {
		a.wg.Go(a.flush)
	}
	return a, nil
}

// flush writes, until stopped, whatever requests wait: the first one, and all that came with it.
func (a *acceptor) flush() {
	for {
		var first acceptRequest
		select {
		case <-a.stop:
			return
		case first = <-a.reqs:
		}
		batch := []acceptRequest{first}
	more:
		for len(batch) < acceptMaxBatch {
			select {
			case r := <-a.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		a.write(batch)
	}
}

// write inserts a batch in one statement and tells each request whether it was first with its key.
func (a *acceptor) write(batch []acceptRequest) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- acceptResult{err: err}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	keys, kinds, envs, claims := make([]string, len(live)), make([]string, len(live)), make([]string, len(live)), make([]string, len(live))
	payloads, kept, leases := make([][]byte, len(live)), make([]bool, len(live)), make([]float64, len(live))
	for i, r := range live {
		keys[i], kinds[i], envs[i], claims[i], leases[i] = r.key, r.kind, r.envelopeID, r.claim, r.lease.Seconds()
		payloads[i], kept[i] = r.payload, r.payload != nil
	}
	// The batch gives up when its earliest caller does, so nothing is written after a caller was
	// told it failed.
	deadline := time.Now().Add(inboxWriteTimeout)
	for _, r := range live {
		if d, ok := r.ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var inserted []struct {
		Key   string `db:"key"`
		Claim string `db:"claim"`
	}
	err := a.db.SelectContext(ctx, &inserted, `INSERT INTO deliveries (key, kind, envelope_id, payload, claim, lease_until)
		SELECT k, kind, env, CASE WHEN kept THEN payload END, claim, now() + make_interval(secs => lease)
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bool[], $6::text[], $7::float8[]) AS t(k, kind, env, payload, kept, claim, lease)
		ON CONFLICT (key) DO NOTHING RETURNING key, claim`,
		pq.Array(keys), pq.Array(kinds), pq.Array(envs), pq.ByteaArray(payloads), pq.Array(kept), pq.Array(claims), pq.Array(leases))
	if err != nil {
		err = mapError("keep delivery", err)
		for _, r := range live {
			r.done <- acceptResult{err: err}
		}
		return
	}
	held := make(map[string]string, len(inserted))
	for _, row := range inserted {
		held[row.Key] = row.Claim
	}
	for _, r := range live {
		// Two deliveries of one key in a batch: the row holds one claim, and only its request is first.
		r.done <- acceptResult{first: held[r.key] == r.claim}
	}
}

// inboxWriteTimeout bounds one batch; the callers' own deadlines are shorter.
const inboxWriteTimeout = 5 * time.Second

func (a *acceptor) close() error {
	close(a.stop)
	a.wg.Wait()
	return errors.Join(a.db.Close(), a.finish.Close())
}

// withParam adds a run-time parameter to a lib/pq URL or key=value connection string.
func withParam(dsn, key, value string) (string, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " " + key + "=" + value, nil
	}
	u, err := neturl.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("store: DATABASE_URL is not a valid connection URL: %w", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
