package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"text/tabwriter"
	"time"

	"hotline/bot"
	"hotline/flows"
	"hotline/storage"
)

// handoffTimers runs the volunteer handoff's timers and carries out what a
// blocked chat means for it. Every replica runs them: each timer's action
// is claimed in Redis, so it happens once.
type handoffTimers struct {
	app *flows.App
	bot *bot.Bot
	p   *bot.Pipeline // set once the pipeline exists
	log *slog.Logger
}

// blocked is the pipeline's OnBlocked: a volunteer who blocked the bot
// gives their chats back to the queue; a user who did ends their handoff.
func (h *handoffTimers) blocked(ctx context.Context, chatID int64) error {
	rs, err := h.app.Blocked(ctx, chatID)
	if len(rs) > 0 {
		if serr := h.p.Send(ctx, h.bot.Calls(rs)...); serr != nil {
			return errors.Join(err, fmt.Errorf("send handoff notices: %w", serr))
		}
	}
	return err
}

// run ticks every `every` until ctx is done; the channel is closed when
// it has stopped.
func (h *handoffTimers) run(ctx context.Context, every time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rs, err := h.app.Tick(ctx)
			if len(rs) > 0 {
				if serr := h.p.Send(ctx, h.bot.Calls(rs)...); serr != nil {
					h.log.Warn("send handoff timer messages", "messages", len(rs), "err", serr)
				}
			}
			if err != nil && ctx.Err() == nil {
				h.log.Warn("handoff timers", "err", err)
			}
		}
	}()
	return done
}

// volunteersCommand is `hotline volunteers add ID [ROLE] | list | remove ID`.
func volunteersCommand(ctx context.Context, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	const use = "usage: hotline volunteers add ID [volunteer|coordinator|admin] | list | remove ID\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, use)
		return 2
	}
	var (
		userID int64
		role   = flows.RoleVolunteer
		err    error
	)
	switch {
	case args[0] == "list" && len(args) == 1:
	case args[0] == "add" && (len(args) == 2 || len(args) == 3), args[0] == "remove" && len(args) == 2:
		userID, err = strconv.ParseInt(args[1], 10, 64)
		ok := err == nil && userID > 0
		if len(args) == 3 {
			var okRole bool
			role, okRole = flows.ParseRole(args[2])
			ok = ok && okRole
		}
		if !ok {
			fmt.Fprint(stderr, use)
			return 2
		}
	default:
		fmt.Fprint(stderr, use)
		return 2
	}
	cfg, err := loadConfig(getenv, need{database: true})
	if err != nil {
		fmt.Fprintf(stderr, "hotline: config: %v\n", err)
		return 2
	}
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	defer db.Close()
	vols := storage.NewVolunteers(db)
	audit := storage.NewAudit(db)
	switch args[0] {
	case "add":
		err = vols.Add(ctx, userID, role, 0)
		if err == nil {
			err = audit.Record(ctx, flows.AuditEntry{Actor: flows.ActorCLI, Action: flows.AuditMemberAdd,
				Subject: userID, Detail: role.String()})
		}
		if err == nil {
			fmt.Fprintf(stdout, "%d is now a %s\n", userID, role)
		}
	case "remove":
		err = vols.Remove(ctx, userID)
		if errors.Is(err, storage.ErrNotFound) {
			fmt.Fprintf(stderr, "hotline: %d is not a volunteer\n", userID)
			return 1
		}
		if err == nil {
			err = audit.Record(ctx, flows.AuditEntry{Actor: flows.ActorCLI, Action: flows.AuditMemberRemove, Subject: userID})
		}
		if err == nil {
			// The bot's timers give the chats they hold back to the
			// queue within seconds.
			fmt.Fprintf(stdout, "%d removed\n", userID)
		}
	case "list":
		var vs []flows.Volunteer
		vs, err = vols.List(ctx)
		if err == nil {
			w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "USER ID\tROLE\tNAME\tON DUTY\tADDED")
			for _, v := range vs {
				fmt.Fprintf(w, "%d\t%s\t%s\t%t\t%s\n", v.UserID, v.Role, v.Name, v.OnDuty, v.Added.UTC().Format(time.DateOnly))
			}
			for _, id := range cfg.Admins {
				fmt.Fprintf(w, "%d\tadmin (HOTLINE_ADMINS)\t\t\t\n", id)
			}
			err = w.Flush()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	return 0
}
