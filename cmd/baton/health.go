package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthTimeout bounds `baton health`.
const healthTimeout = 3 * time.Second

// healthCommand is `baton health`: it asks the running process on BATON_HTTP_ADDR (default :8080)
// whether it lives, for a container's HEALTHCHECK (the image has no shell and no curl).
func healthCommand(ctx context.Context, getenv func(string) string) error {
	addr := strings.TrimSpace(getenv("BATON_HTTP_ADDR"))
	if addr == "" {
		addr = defaultHTTPModeAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &settingError{"BATON_HTTP_ADDR", fmt.Sprintf("%q is not host:port", addr)}
	}
	if host == "" || net.ParseIP(host).IsUnspecified() {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("baton does not answer on %s: %w", addr, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("baton answered %d on %s/healthz", res.StatusCode, addr)
	}
	return nil
}
