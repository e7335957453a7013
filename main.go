// Command hotline runs the Hotline Telegram bot and its maintenance commands
// (hotline help lists them).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"hotline/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
