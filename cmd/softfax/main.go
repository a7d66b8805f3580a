// Command softfax is the one softfax binary: a software fax modem and a
// fax-to-file service. Each job is a subcommand; run "softfax help".
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. run gets the arguments after the subcommand's
// name and returns an error whose text is printed as the one-line reason.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a subcommand may touch of the process: its streams and logger.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
}

func commands() map[string]command {
	return map[string]command{
		"convert": {"render documents into a fax TIFF or PDF", runConvert},
		"call":    {"place one test call through an IAX2 peer and record it", runCall},
		"send":    {"send documents now over an IAX2 call with the built-in fax client", runSend},
		"receive": {"answer IAX2 calls and write each fax as TIFF, PDF and JSON", runReceive},
		"serve":   {"run the fax service: answer, archive, deliver, send the spool", runServe},
		"demo":    {"fax a sample document between two softfax services on loopback", runDemo},
		"status":  {"show the service's lines, jobs and recent faxes", runStatus},
		"modem":   {"run fax modems on ptys from iaxmodem config files", runModem},
		"analyze": {"decode a recorded fax call (WAV) into a T.30 timeline", runAnalyze},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{
		stdout: os.Stdout,
		stderr: os.Stderr,
		log:    slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and maps its outcome to an exit status.
func run(ctx context.Context, args []string, e *env) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "softfax: unknown command %q (try softfax help)\n", args[0])
		return 2
	}
	if err := c.run(ctx, e, args[1:]); err != nil {
		fmt.Fprintf(e.stderr, "softfax %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: softfax COMMAND [arguments]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}
