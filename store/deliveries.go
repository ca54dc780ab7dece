package store

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// Delivery is a Slack envelope kept in the inbox until its work is done.
type Delivery struct {
	Key        string    `db:"key"`
	Kind       string    `db:"kind"`
	EnvelopeID string    `db:"envelope_id"`
	Payload    []byte    `db:"payload"`
	Claim      string    `db:"claim"`
	Attempts   int       `db:"attempts"`
	SeenAt     time.Time `db:"seen_at"`
}

// AcceptDelivery keeps an envelope under its delivery key before it is acked, and reports whether
// this call was the first to see the key across every bot process sharing the database. The
// claim it returns holds the delivery for lease; a nil payload keeps the key for
// de-duplication only, and such a delivery is never taken over. The claim is returned with an
// error too: the envelope may or may not have been kept, and work done under the claim finishes
// it either way.
func (db *DB) AcceptDelivery(ctx context.Context, key, kind, envelopeID string, payload []byte, lease time.Duration) (claim string, first bool, err error) {
	claim = baton.NewClaim()
	acc, err := db.acceptor()
	if err != nil {
		return claim, false, err
	}
	r := acceptRequest{ctx: ctx, key: key, kind: kind, envelopeID: envelopeID, claim: claim, payload: payload, lease: lease, done: make(chan acceptResult, 1)}
	select {
	case acc.reqs <- r:
	case <-ctx.Done():
		return claim, false, fmt.Errorf("store: keep delivery: %w", ctx.Err())
	}
	select {
	case res := <-r.done:
		return claim, res.first, res.err
	case <-ctx.Done():
		return claim, false, fmt.Errorf("store: keep delivery: %w", ctx.Err())
	}
}

// FinishDelivery marks a delivery done and forgets its payload, if claim still holds it, without
// waiting for the disk (see finishConns). When ctx holds the delivery's claim and a transaction run
// with it marked it done and committed, that transaction did both already, and nothing is written.
func (db *DB) FinishDelivery(ctx context.Context, key, claim string) error {
	if c, ok := ctx.Value(claimKey{}).(deliveryClaim); ok && c.key == key && c.claim == claim && c.committed.Load() {
		return nil
	}
	acc, err := db.acceptor()
	if err != nil {
		return err
	}
	_, err = acc.finish.ExecContext(ctx, `UPDATE deliveries SET done_at = coalesce(done_at, now()), payload = NULL
		WHERE key = $1 AND claim = $2`, key, claim)
	return mapError("finish delivery", err)
}

// acceptor starts the inbox's own connections the first time they are needed.
func (db *DB) acceptor() (*acceptor, error) {
	db.acceptOnce.Do(func() { db.acc, db.accErr = newAcceptor(db.url) })
	return db.acc, db.accErr
}

// TakeOverDeliveries claims, oldest first, up to limit unfinished deliveries whose claim is older
// than its lease, each for lease more, and returns them with their new claims. Processes taking
// over at once never get the same delivery.
func (db *DB) TakeOverDeliveries(ctx context.Context, lease time.Duration, limit int) ([]Delivery, error) {
	var out []Delivery
	err := db.SelectContext(ctx, &out, `UPDATE deliveries d
		SET claim = md5(random()::text || clock_timestamp()::text), lease_until = now() + make_interval(secs => $1), attempts = d.attempts + 1
		FROM (SELECT key FROM deliveries
			WHERE done_at IS NULL AND payload IS NOT NULL AND lease_until < now()
			ORDER BY seen_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
		WHERE d.key = due.key
		RETURNING d.key, d.kind, d.envelope_id, d.payload, d.claim, d.attempts, d.seen_at`, lease.Seconds(), limit)
	if err != nil {
		return nil, mapError("take over deliveries", err)
	}
	slices.SortFunc(out, func(a, b Delivery) int { return a.SeenAt.Compare(b.SeenAt) })
	return out, nil
}

// PruneDeliveries forgets deliveries seen before the given instant (done or, that old, given up)
// and returns how many it removed.
func (db *DB) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM deliveries WHERE seen_at < $1`, before.UTC())
	if err != nil {
		return 0, mapError("prune deliveries", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError("prune deliveries", err)
	}
	return n, nil
}

type claimKey struct{}

type deliveryClaim struct {
	key, claim string
	committed  *atomic.Bool // a transaction run under the claim marked the delivery done and committed
}

// WithDeliveryClaim returns ctx holding a delivery's claim: every transaction run with it marks
// the delivery done as part of what it commits, so the change a delivery asked for is made at most
// once even when the delivery is taken over and handled again.
func WithDeliveryClaim(ctx context.Context, key, claim string) context.Context {
	return context.WithValue(ctx, claimKey{}, deliveryClaim{key: key, claim: claim, committed: new(atomic.Bool)})
}

// errTakenOver: the delivery this transaction works for is held by another process now.
var errTakenOver = baton.Errorf(baton.EConflict, "This took longer than it should, and Baton is finishing it in another process; nothing was changed twice. Check the result in a moment.")

// markDelivered marks the delivery in ctx done inside tx, and forgets its payload, or refuses the
// transaction when another process has taken the delivery over. A delivery already done under this
// claim (a handler's second transaction, its follow-up work) or never kept (the inbox was out of
// reach) lets it pass without writing. When this transaction is the one that marks it, it returns
// the flag to raise once tx commits: the dispatcher then has nothing left to write.
func markDelivered(ctx context.Context, tx *sqlx.Tx) (*atomic.Bool, error) {
	c, ok := ctx.Value(claimKey{}).(deliveryClaim)
	if !ok {
		return nil, nil
	}
	var row struct {
		Marked bool `db:"marked"`
		Ours   bool `db:"ours"`
	}
	// The row is read locked: a takeover committed while this waited for the row is seen, where a
	// plain read would see the statement's snapshot from before it.
	err := tx.GetContext(ctx, &row, `WITH cur AS (
			SELECT key, claim, done_at FROM deliveries WHERE key = $1 FOR UPDATE),
		done AS (
			UPDATE deliveries d SET done_at = now(), payload = NULL FROM cur
			WHERE d.key = cur.key AND cur.claim = $2 AND cur.done_at IS NULL RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM done) AS marked, NOT EXISTS (SELECT 1 FROM cur WHERE claim <> $2) AS ours`, c.key, c.claim)
	if err != nil {
		return nil, mapError("mark delivery done", err)
	}
	if !row.Ours {
		return nil, fmt.Errorf("delivery %s: %w", c.key, errTakenOver)
	}
	if !row.Marked {
		return nil, nil
	}
	return c.committed, nil
}

// ExtendDeliveries renews the lease of the deliveries a live process holds (key → claim).
func (db *DB) ExtendDeliveries(ctx context.Context, held map[string]string, lease time.Duration) error {
	keys, claims := make([]string, 0, len(held)), make([]string, 0, len(held))
	for k, c := range held {
		keys, claims = append(keys, k), append(claims, c)
	}
	_, err := db.ExecContext(ctx, `UPDATE deliveries d SET lease_until = now() + make_interval(secs => $3)
		FROM unnest($1::text[], $2::text[]) AS h(key, claim)
		WHERE d.key = h.key AND d.claim = h.claim AND d.done_at IS NULL`, pq.Array(keys), pq.Array(claims), lease.Seconds())
	return mapError("extend deliveries", err)
}
