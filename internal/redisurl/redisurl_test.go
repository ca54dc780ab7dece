package redisurl

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRedisURLNamesOneRedisOrACluster(t *testing.T) {
	single, cluster, err := Options("redis://:secret@10.0.0.9:6380/2")
	if err != nil || cluster != nil || single.Addr != "10.0.0.9:6380" || single.DB != 2 || single.Password != "secret" {
		t.Fatalf("one Redis: %+v %+v %v", single, cluster, err)
	}
	single, cluster, err = Options("redis+cluster://u:pw@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002?dial_timeout=2s")
	if err != nil || single != nil {
		t.Fatalf("cluster: %+v %v", single, err)
	}
	if want := []string{"10.0.0.1:7000", "10.0.0.2:7001", "[::1]:7002"}; !slices.Equal(cluster.Addrs, want) ||
		cluster.Username != "u" || cluster.Password != "pw" || cluster.DialTimeout != 2*time.Second || cluster.TLSConfig != nil {
		t.Errorf("cluster options: %+v", cluster)
	}
	if _, cluster, err = Options("rediss+cluster://10.0.0.1:7000/0"); err != nil || cluster.TLSConfig == nil {
		t.Errorf("a TLS cluster: %+v %v", cluster, err)
	}
	for raw, says := range map[string]string{
		"127.0.0.1:6379":                                  "is not a URL",
		"http://127.0.0.1:6379":                           "invalid URL scheme",
		"redis+cluster://10.0.0.1:7000/3":                 "only database 0",
		"redis+cluster://10.0.0.1:7000,10.0.0.2":          `"10.0.0.2" is not host:port`,
		"redis+cluster://10.0.0.1:7000?bogus=1":           "bogus",
		"redis+cluster://10.0.0.1:7000?dial_timeout=soon": "dial_timeout",
	} {
		_, _, err := Options(raw)
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v, want it to say %q", raw, err, says)
		}
	}
}

// An error about REDIS_URL is shown at start-up and logged: it never carries the password.
func TestRedisURLErrorsKeepThePasswordOut(t *testing.T) {
	for _, raw := range []string{
		"redis://u:hunter2@10.0.0.1:6379/x",
		"redis+cluster://u:hunter2@10.0.0.1:7000,nope",
		"redis+cluster://:hunter2@10.0.0.1:7000?dial_timeout=soon",
		"redis://u:hunter2@bad host:6379",
		"redis://u:hunt/er2@10.0.0.1:6379/0",
		"redis://u:hunt?er2@10.0.0.1:6379/0",
		"redis+cluster://u:hunt/er2@10.0.0.1:7000,nope",
		"redis+cluster://u:hunt?er#2@10.0.0.1:7000/3",
		"redis://u:hunt%zzer2@10.0.0.1:6379/0",
	} {
		_, _, err := Options(raw)
		if err == nil || strings.Contains(err.Error(), "hunt") || strings.Contains(err.Error(), "er2") {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

// A password may hold characters a URL reserves: the last @ ends it.
func TestRedisURLPasswordWithReservedCharacters(t *testing.T) {
	_, cluster, err := Options("redis+cluster://u:p%2Fw@10.0.0.1:7000,10.0.0.2:7001")
	if err != nil || cluster.Password != "p/w" || len(cluster.Addrs) != 2 {
		t.Fatalf("%+v %v", cluster, err)
	}
}
