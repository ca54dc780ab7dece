package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/batonhq/baton/store/storetest"
)

// BenchmarkAcceptDelivery is the inbox's share of an ack: one envelope kept, as the dispatcher does
// before acking it, one caller at a time.
func BenchmarkAcceptDelivery(b *testing.B) {
	db := storetest.New(b)
	payload := []byte(`{"command":"/task","text":"<@U1> Ship the pricing page","user_id":"U2","channel_id":"C1"}`)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, _, err := db.AcceptDelivery(context.Background(), fmt.Sprintf("envelope:%d", i), "slash_commands", "e", payload, time.Minute); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
