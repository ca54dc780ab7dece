package main

import (
	"context"
	"time"

	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/store"
)

// inbox keeps the envelopes the dispatcher acknowledges in Postgres.
type inbox struct{ db *store.DB }

func (i inbox) Accept(ctx context.Context, e bot.Envelope, lease time.Duration) (string, bool, error) {
	return i.db.AcceptDelivery(ctx, e.Key, e.Type, e.EnvelopeID, e.Payload, lease)
}

func (i inbox) Claimed(ctx context.Context, key, claim string) context.Context {
	return store.WithDeliveryClaim(ctx, key, claim)
}

func (i inbox) Finish(ctx context.Context, key, claim string) error {
	return i.db.FinishDelivery(ctx, key, claim)
}

func (i inbox) TakeOver(ctx context.Context, lease time.Duration, limit int) ([]bot.Envelope, error) {
	ds, err := i.db.TakeOverDeliveries(ctx, lease, limit)
	if err != nil {
		return nil, err
	}
	out := make([]bot.Envelope, len(ds))
	for n, d := range ds {
		out[n] = bot.Envelope{Key: d.Key, Type: d.Kind, EnvelopeID: d.EnvelopeID, Payload: d.Payload, Claim: d.Claim, Attempts: d.Attempts, SeenAt: d.SeenAt}
	}
	return out, nil
}

func (i inbox) Extend(ctx context.Context, held map[string]string, lease time.Duration) error {
	return i.db.ExtendDeliveries(ctx, held, lease)
}
