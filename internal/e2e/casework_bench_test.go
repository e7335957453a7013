package e2e

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/internal/batch"
	"hotline/internal/pipeline"
	"hotline/storage"
	"hotline/storage/storagetest"

	"github.com/redis/go-redis/v9"
)

var (
	announceRPM  = flag.Int("announce.rpm", 100, "BenchmarkAnnounce: reports confirmed per minute")
	announceFor  = flag.Duration("announce.for", time.Minute, "BenchmarkAnnounce: how long reports come")
	announceVols = flag.Int("announce.vols", 10, "BenchmarkAnnounce: volunteers on duty")
)

// BenchmarkAnnounce: reporters confirm reports at a steady rate (drafts
// seeded at the review screen, so that only the confirm goes through
// Telegram) while volunteers are on duty; Telegram's limits are kept by
// the bot and enforced by the fake. It prints the time from the confirm
// becoming available at the fake Telegram to the case's announcement
// arriving there: at the first volunteer, and at every one of them.
func BenchmarkAnnounce(b *testing.B) {
	bb := startBenchBot(b, nil, telegramtest.WithLimits(telegramtest.DefaultLimits()))
	ctx := context.Background()
	vols := storage.NewVolunteers(bb.db)
	var volunteers []*telegramtest.User
	for i := range *announceVols {
		id := int64(60_000_000 + i)
		for _, err := range []error{vols.Add(ctx, id, flows.RoleVolunteer, 0), vols.SetDuty(ctx, id, true), vols.SetLang(ctx, id, "en")} {
			if err != nil {
				b.Fatal(err)
			}
		}
		volunteers = append(volunteers, bb.tg.User(id, "en"))
	}
	sessions := storage.NewSessions(bb.rdb, bb.prefix, time.Hour).WithKeys(storagetest.Keys(b)).WithTag(pipeline.TagOf(bb.partitions))
	var toReply, toFirst, toAll latencies
	var fails failures
	joined := 0 // messages that carried more than one card
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		n := int(float64(*announceRPM) * announceFor.Minutes())
		first := int64(61_000_000 + it*1_000_000)
		seedReviews(b, bb.rdb, sessions, first, n)
		every := time.Minute / time.Duration(*announceRPM)
		type sent struct {
			u    *telegramtest.User
			code string
			at   time.Time // the confirm became available
		}
		reports := make([]sent, n)
		var wg sync.WaitGroup
		tick := time.NewTicker(every)
		for i := range n {
			u := bb.tg.User(first+int64(i), "ru")
			u.PressData(1, fmt.Sprintf("n%d:review:ok", first+int64(i)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := u.NextWithin(replyWait)
				if err != nil {
					fails.add("reporter %d: no code: %v", u.ID, err)
					return
				}
				code := strings.ReplaceAll(codeRe.FindString(m.Plain), "-", "")
				if code == "" {
					fails.add("reporter %d: no code in %q", u.ID, m.Plain)
					return
				}
				toReply.add(latencyOf(bb.tg, m))
				reports[i] = sent{u: u, code: code, at: bb.tg.UpdateAvailableAt(m.LastUpdateID)}
			}()
			<-tick.C
		}
		tick.Stop()
		wg.Wait()
		// Every volunteer gets every announcement, each once; cards queued
		// for one volunteer may come joined in one message.
		arrived := map[string][]time.Time{}
		joinedMsgs := 0
		for _, v := range volunteers {
			for got := 0; got < n; {
				m, err := v.NextWithin(time.Minute)
				if err != nil {
					fails.add("volunteer %d: %d of %d cards: %v", v.ID, got, n, err)
					break
				}
				codes := datasWith(m, "cw.:t:")
				if len(codes) == 0 {
					fails.add("volunteer %d: a message without a card: %q", v.ID, m.Plain)
				}
				if len(codes) > 1 {
					joinedMsgs++
				}
				for _, d := range codes {
					code := strings.TrimPrefix(d, "cw.:t:")
					arrived[code] = append(arrived[code], m.At)
					got++
				}
			}
		}
		joined += joinedMsgs
		for _, r := range reports {
			ats := arrived[r.code]
			if r.code == "" || len(ats) != len(volunteers) {
				fails.add("case %s announced %d times, want %d", r.code, len(ats), len(volunteers))
				continue
			}
			firstAt, lastAt := ats[0], ats[0]
			for _, at := range ats {
				if at.Before(firstAt) {
					firstAt = at
				}
				if at.After(lastAt) {
					lastAt = at
				}
			}
			toFirst.add(firstAt.Sub(r.at))
			toAll.add(lastAt.Sub(r.at))
		}
	}
	b.StopTimer()
	fails.report(b)
	st := bb.tg.Stats()
	rp, f, a := toReply.sorted(), toFirst.sorted(), toAll.sorted()
	b.ReportMetric(ms(pct(f, 0.99))/1000, "first-p99-s")
	b.ReportMetric(ms(pct(a, 0.99))/1000, "all-p99-s")
	b.ReportMetric(0, "ns/op")
	say("announce: %d reports a minute for %v, %d volunteers on duty; Telegram's limits kept by the bot and enforced by the fake (%s)",
		*announceRPM, *announceFor, *announceVols, machine())
	say("  confirm → reporter's code          median %.2f s, p99 %.2f s", ms(pct(rp, .5))/1000, ms(pct(rp, .99))/1000)
	say("  confirm → first volunteer's card   median %.2f s, p99 %.2f s, max %.2f s   target p99 < 1 s",
		ms(pct(f, .5))/1000, ms(pct(f, .99))/1000, ms(pct(f, 1))/1000)
	say("  confirm → every volunteer's card   median %.2f s, p99 %.2f s, max %.2f s",
		ms(pct(a, .5))/1000, ms(pct(a, .99))/1000, ms(pct(a, 1))/1000)
	say("  messages carrying several cards %d; 429s received %d", joined, st.TooManyRequests)
	bb.logs.log(b)
}

// datasWith returns every callback data of m that starts with prefix.
func datasWith(m *telegramtest.Message, prefix string) []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, prefix) {
				out = append(out, b.Data)
			}
		}
	}
	return out
}

// seedReviews stores n report drafts at the review screen, for chats
// first…first+n-1, each with its own draft id and the nonce "n<chat>".
func seedReviews(b *testing.B, rdb *redis.Client, sessions *storage.Sessions, first int64, n int) {
	ctx := context.Background()
	wb := &batch.Batch{}
	bctx := batch.With(ctx, wb)
	for i := range n {
		chat := first + int64(i)
		s := &flows.Session{ChatID: chat, Lang: "ru", Flow: "report", Step: "review", Nonce: fmt.Sprintf("n%d", chat),
			Updated: time.Now(), Draft: flows.Report{
				DraftID: fmt.Sprintf("announce%d", chat), Consent: true, NameLatin: "Ivan Petrov",
				BirthDate: "1985-05-05", DetainedOn: "2026-11-02", Circumstance: "checkin", FacilityText: "Eloy",
				ReporterName: "Мария", Relationship: "жена", ReporterPhone: "+7 916 123-45-67",
			}}
		if err := sessions.Put(bctx, s); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error { wb.Apply(p); return nil }); err != nil {
		b.Fatalf("seed sessions: %v", err)
	}
}
