package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"hotline/bot"
	"hotline/flows"
	"hotline/internal/config"
	"hotline/internal/pipeline"
	"hotline/locales"
	"hotline/storage"
)

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
	cfg, db, code := open(ctx, getenv, config.Need{Database: true}, stderr)
	if db == nil {
		return code
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
			menuFor(ctx, cfg, vols, userID, role, stdout, stderr)
		}
	case "remove":
		err = vols.Remove(ctx, userID, "")
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
			menuFor(ctx, cfg, vols, userID, flows.RoleNone, stdout, stderr)
			if cfg.ForumChat != 0 {
				outOfForum(ctx, cfg, userID, stdout, stderr)
			}
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

// menuFor has the running bot set the member's command menu in Telegram to
// their role's (or back to everyone's, for RoleNone): the call goes into the
// bot's outbox, which the bot sends. Without REDIS_URL it says how the
// member gets it instead. A failure here is no failure of the command.
func menuFor(ctx context.Context, cfg config.Config, vols *storage.Volunteers, userID int64, role flows.Role, stdout, stderr io.Writer) {
	if cfg.RedisURL == "" {
		fmt.Fprintln(stdout, "their command menu in Telegram changes when they next write to the bot (set REDIS_URL to change it now)")
		return
	}
	cat, err := locales.New()
	if err != nil {
		fmt.Fprintf(stderr, "hotline: command menu not changed: %v\n", err)
		return
	}
	lang := "en"
	if v, err := vols.Get(ctx, userID); err == nil && v.Lang != "" {
		lang = flows.Lang(v.Lang)
	}
	rdb, err := storage.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: command menu not changed: %v\n", err)
		return
	}
	defer rdb.Close()
	out := pipeline.NewOutbox(rdb, cfg.RedisPrefix, cfg.Partitions)
	c := bot.ChatCommands(cat, userID, lang, role)
	if err := out.Add(ctx, pipeline.Outgoing{Partition: out.PartitionOf(userID), ChatID: c.ChatID, Method: c.Method,
		Priority: int(c.Priority), Params: c.Params}); err != nil {
		fmt.Fprintf(stderr, "hotline: command menu not changed: %v\n", err)
		return
	}
	fmt.Fprintln(stdout, "their command menu in Telegram is being changed by the bot")
}

// outOfForum has the running bot remove a member taken out of the hotline
// from the team's forum group, which holds the cases' personal data.
func outOfForum(ctx context.Context, cfg config.Config, userID int64, stdout, stderr io.Writer) {
	inOutbox(ctx, cfg, bot.RemoveFromGroup(cfg.ForumChat, userID), "they are being removed from the forum group by the bot",
		"not removed from the forum group; remove them there by hand", stdout, stderr)
}

// inOutbox puts calls in the running bot's outbox, which it makes; done
// or failed is said.
func inOutbox(ctx context.Context, cfg config.Config, calls []bot.Call, done, failed string, stdout, stderr io.Writer) {
	if cfg.RedisURL == "" {
		fmt.Fprintf(stderr, "hotline: %s: set REDIS_URL to have the running bot do it\n", failed)
		return
	}
	rdb, err := storage.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: %s: %v\n", failed, err)
		return
	}
	defer rdb.Close()
	out := pipeline.NewOutbox(rdb, cfg.RedisPrefix, cfg.Partitions)
	os := make([]pipeline.Outgoing, 0, len(calls))
	for _, c := range calls {
		os = append(os, pipeline.Outgoing{Partition: out.PartitionOf(c.ChatID), ChatID: c.ChatID, Method: c.Method,
			Priority: int(c.Priority), Params: c.Params})
	}
	if err := out.Add(ctx, os...); err != nil {
		fmt.Fprintf(stderr, "hotline: %s: %v\n", failed, err)
		return
	}
	fmt.Fprintln(stdout, done)
}
