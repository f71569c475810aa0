// Command livempu lists ApsaraVideo Live mixed-stream relay (MPU) tasks and
// their callback records from a shell, for scripts: NDJSON on a pipe, a
// table on a terminal, and exit codes a script can rely on.
//
//	livempu tasks --app-id myapp | jq -r .TaskId
//	livempu events --app-id myapp --since 6h --failed -o table
//	livempu tasks --demo
//
// Run "livempu help" for the commands and "livempu help <command>" for their
// flags. Exit status: 0 success, 1 API or network error, 2 usage error, 130
// interrupted (SIGINT).
package main

import (
	"context"
	"os"
	"os/signal"
)

// main wires the process to run: the first Ctrl-C cancels the walk (which
// then flushes and exits 130); once it has, a second Ctrl-C kills at once.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() { <-ctx.Done(); stop() }()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
