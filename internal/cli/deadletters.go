package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"hotline/internal/config"
	"hotline/internal/pipeline"
	"hotline/storage"
)

// deadLettersCommand is `hotline deadletters list | show ID`: the updates
// that failed too often, kept HOTLINE_DEAD_LETTER_TTL to look into the
// failure. list shows ids, chats, attempts and the reason, never what was
// written; show opens one with the data key and prints the update as the
// bot stored it (what the bot reads of it), which may hold personal data.
func deadLettersCommand(ctx context.Context, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	const use = "usage: hotline deadletters list | show ID\n"
	if len(args) == 0 || (args[0] == "list" && len(args) != 1) || (args[0] == "show" && len(args) != 2) ||
		(args[0] != "list" && args[0] != "show") {
		fmt.Fprint(stderr, use)
		return 2
	}
	cfg, err := config.Load(getenv, config.Need{Redis: true, Keys: true})
	if err != nil {
		return fail(stderr, err)
	}
	keys, err := cfg.Keyring()
	if err != nil {
		return fail(stderr, err)
	}
	rdb, err := storage.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		return fail(stderr, err)
	}
	defer rdb.Close()
	in := pipeline.NewInbox(rdb, cfg.RedisPrefix, cfg.Partitions)
	in.SetSealer(keys)
	dead, err := in.DeadLetters(ctx, 1000)
	if err != nil {
		return fail(stderr, err)
	}
	if args[0] == "list" {
		fmt.Fprintf(stdout, "dead letters: %d (kept %s)\n", len(dead), cfg.DeadLetterTTL)
		if len(dead) == 0 {
			return 0
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tPARTITION\tUPDATE\tCHAT\tATTEMPTS\tFAILED\tREASON")
		for _, d := range dead {
			fmt.Fprintf(w, "%d:%s\t%d\t%d\t%d\t%d\t%s\t%s\n", d.Entry.Partition, d.ID, d.Entry.Partition, d.Entry.UpdateID,
				d.Entry.ChatID, d.Attempts, deadTime(d.ID).UTC().Format(time.RFC3339), d.Reason)
		}
		w.Flush()
		return 0
	}
	for _, d := range dead {
		if fmt.Sprintf("%d:%s", d.Entry.Partition, d.ID) != args[1] {
			continue
		}
		if d.Entry.Raw == nil {
			fmt.Fprintf(stderr, "hotline: dead letter %s does not open with the data keys\n", args[1])
			return 1
		}
		var out bytes.Buffer
		if json.Indent(&out, d.Entry.Raw, "", "  ") != nil {
			out.Reset()
			out.Write(d.Entry.Raw)
		}
		fmt.Fprintf(stdout, "update %d, chat %d, %d attempts, failed %s: %s\n%s\n", d.Entry.UpdateID, d.Entry.ChatID,
			d.Attempts, deadTime(d.ID).UTC().Format(time.RFC3339), d.Reason, out.String())
		return 0
	}
	fmt.Fprintf(stderr, "hotline: no dead letter %s (see hotline deadletters list)\n", args[1])
	return 1
}

// deadTime is when a dead letter was written: its stream id's milliseconds.
func deadTime(id string) time.Time { return pipeline.Entry{ID: id}.Added() }
