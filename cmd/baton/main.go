// Command baton runs the Baton Slack bot: `baton run` (the default) and `baton migrate`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: baton [run|migrate]
  run      connect to Slack over Socket Mode and serve (the default); SIGHUP re-reads BATON_POLICIES
  migrate  apply database migrations and exit`

func main() {
	cmd := "run"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "run":
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		err = runCommand(ctx, os.Getenv, hup)
	case "migrate":
		err = migrateCommand(ctx, os.Getenv)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "baton: unknown command %q\n%s\n", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "baton: %v\n", err)
		os.Exit(1)
	}
}
