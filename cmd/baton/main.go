// Command baton runs the Baton Slack bot: `baton run` (the default), `baton migrate` and
// `baton local reset`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `usage: baton [run [--local] | migrate | local reset | health]
  run          connect to Slack over Socket Mode and serve (the default); SIGHUP, or a change of the file, re-reads BATON_POLICIES.
               Without SLACK_APP_TOKEN and SLACK_BOT_TOKEN, or with --local, it runs against the local
               workspace instead: a Slack-like page on BATON_HTTP_ADDR (default 127.0.0.1:8080)
  migrate      apply database migrations and exit
  local reset  clear the local workspace (its records, conversations and clock) and exit
  health       exit 0 when the baton serving BATON_HTTP_ADDR (default :8080) answers /healthz`

func main() {
	args := os.Args[1:]
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if cmd == "--local" {
		cmd, args = "run", append([]string{"--local"}, args...)
	}
	switch {
	case cmd == "run" && (len(args) == 0 || len(args) == 1 && args[0] == "--local"):
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		err = runCommand(ctx, os.Getenv, hup, len(args) == 1, os.Stdout)
	case cmd == "migrate" && len(args) == 0:
		err = migrateCommand(ctx, os.Getenv)
	case cmd == "health" && len(args) == 0:
		err = healthCommand(ctx, os.Getenv)
	case cmd == "local" && len(args) == 1 && args[0] == "reset":
		err = localReset(ctx, os.Getenv, os.Stdout)
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Println(usage)
		return
	case cmd == "local":
		fmt.Fprintf(os.Stderr, "baton: local takes one command, reset (not %q)\n%s\n", strings.Join(args, " "), usage)
		os.Exit(2)
	case cmd == "run" || cmd == "migrate" || cmd == "health":
		fmt.Fprintf(os.Stderr, "baton: %s does not take %q\n%s\n", cmd, strings.Join(args, " "), usage)
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "baton: unknown command %q\n%s\n", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "baton: %v\n", err)
		os.Exit(1)
	}
}
