// Package pipeline carries updates from Telegram to the bot and the bot's
// calls back: exactly once, in order per chat, within Telegram's limits.
// It keeps its state in Redis (the inbox and outbox streams, partition
// leases, the dedup set) and talks HTTP to the Bot API; it knows nothing of
// the conversations, which a Handler supplies.
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

// The pipeline is the path from Telegram to the handler and back:
//
//	intake (getUpdates or webhook) → inbox streams in Redis, one per partition
//	→ the partition's owner (a lease in Redis) handles its updates one by one
//	→ one atomic commit: the handler's Redis writes, its calls into the outbox,
//	  the update removed from the inbox (on a Redis Cluster, writes to other
//	  slots go through the partition's forward stream: forward.go)
//	→ the sender of the partition's owner makes the calls within Telegram's limits.
//
// An update is confirmed to Telegram only once it is in Redis; its effects land
// exactly once (see Inbox); each chat's updates are handled in order
// because a chat always falls in the same partition and a partition has one
// owner at a time; partitions run in parallel, and several processes share
// them. The handler's Postgres writes are not part of the commit: the handler
// makes them idempotent (a report carries its draft id), since an update whose
// commit failed is handled again.

// Call is one Bot API request the bot wants made.
type Call struct {
	Method   string          // sendMessage, editMessageText, copyMessage, answerCallbackQuery, leaveChat, …
	ChatID   int64           // the chat it concerns (limits and fairness); 0 when none
	Priority flows.Priority  // flows.PriorityReply before flows.PriorityNotice
	Params   json.RawMessage // the method's JSON parameters
	// Join lets the sender make a sendMessage one message with the ones
	// queued next to it for the same chat that allow it too.
	Join bool
	// Tag, on a sendMessage, is told to OnSent with the message Telegram
	// made; a joined message, with the tags of all its calls, when each
	// has one.
	Tag string
}

// Update is one Telegram update taken from the inbox.
type Update struct {
	ID      int64
	ChatID  int64          // 0 when the update has no chat
	Attempt int            // 1 the first time it is handled
	Raw     *models.Update // github.com/go-telegram/bot/models
}

// Handler turns an update into calls. An error means a transient failure
// (storage down): the update stays in the inbox and is handled again after a
// backoff; calls returned with an error are still sent (the handler uses this
// to tell the user the truth once, on Attempt 1).
type Handler func(ctx context.Context, u Update) ([]Call, error)

// Mode is how updates come from Telegram.
type Mode int

// Modes of intake.
const (
	Polling Mode = iota // getUpdates, by one process at a time
	Webhook             // Telegram posts to WebhookHandler
)

// Limits are Telegram's sending limits the sender keeps to.
type Limits struct {
	Global            int     // messages per second for the whole bot, shared by all processes
	PerChat           float64 // messages per second to one private chat, after ChatBurst
	ChatBurst         int     // messages a private chat may get at once
	PerGroupPerMinute int     // messages per minute to one group (negative chat id)
	// GroupWindow is the "minute" of PerGroupPerMinute; 0 is a minute,
	// Telegram's. Tests shorten it (with the fake Telegram's) so that a
	// group's limit is reached, and waited for, in seconds.
	GroupWindow time.Duration
	// Margin is added to every wait, for the jitter between our clock and
	// Telegram's view of when a message arrived.
	Margin time.Duration
}

// groupWindow is the period of PerGroupPerMinute.
func (l Limits) groupWindow() time.Duration {
	if l.GroupWindow > 0 {
		return l.GroupWindow
	}
	return time.Minute
}

// DefaultLimits are Telegram's published limits.
func DefaultLimits() Limits {
	return Limits{Global: 30, PerChat: 1, ChatBurst: 3, PerGroupPerMinute: 20, Margin: 20 * time.Millisecond}
}

// Options configure a Pipeline. Zero values take the defaults shown.
type Options struct {
	Prefix     string // Redis key prefix, e.g. "hotline:"; "" for none
	Partitions int    // inbox partitions, the same in every process; default 64
	ProcessID  string // names this process in Redis; default host-pid-random

	Mode           Mode
	WebhookURL     string        // Webhook mode: the public URL Telegram posts to
	WebhookSecret  string        // Webhook mode: the X-Telegram-Bot-Api-Secret-Token value
	MaxConnections int           // Webhook mode: setWebhook's max_connections; default 40
	AllowedUpdates []string      // default message, edited_message, callback_query, my_chat_member
	PollTimeout    time.Duration // getUpdates long-poll timeout; default 30s

	Lease time.Duration // partition lease; default 5s
	Renew time.Duration // lease renewal period; default Lease*3/10
	Slack int           // partitions a process may hold above its fair share; default 1

	MaxAttempts   int           // handler attempts before an update goes to the dead letters; default 20
	DeadLetterTTL time.Duration // how long dead letters are kept; default 7 days
	RetryBase     time.Duration // first retry after a handler error; default 500ms
	RetryMax      time.Duration // longest wait between attempts; default 45s
	HandleTimeout time.Duration // bounds one handler call; default 30s

	Limits          Limits        // default DefaultLimits()
	SendAttempts    int           // attempts of a call on 5xx and network errors before it is dropped; default 30
	SendRetryBase   time.Duration // first wait after a 5xx or network error, doubling up to a minute; default 500ms
	SendConcurrency int           // calls in flight at once; default 64
	FlushTimeout    time.Duration // how long shutdown keeps sending; default 5s

	// Sealer, when set, encrypts the updates and call parameters the
	// streams keep (storage.Keyring); they are then no plain personal data
	// in Redis's files.
	Sealer Sealer
	// Strip, when set, returns what of a raw update is stored: the fields
	// the handler reads (bot.Strip), so that what a user did not type for
	// the bot (the text of the message a button sits on) never reaches
	// Redis.
	Strip func(raw []byte) []byte

	Registry  *prometheus.Registry                          // metrics are registered here; default a private registry
	Logger    *slog.Logger                                  // default slog.Default()
	OnBlocked func(ctx context.Context, chatID int64) error // a user blocked the bot (403)
	// OnCopied is told of each message copyMessage made: messageID in
	// chatID is a copy of fromMessageID in fromChatID. The relay uses it to
	// keep replies threaded; an error is logged, the message stays sent.
	OnCopied func(ctx context.Context, chatID int64, messageID int, fromChatID int64, fromMessageID int) error
	// OnSent is told of each message tagged sendMessages made (a case's
	// card, to be redrawn later): the tag of the call, or of each call a
	// joined message carries, in order; an error is logged, the message
	// stays sent.
	OnSent func(ctx context.Context, chatID int64, messageID int, tags []string) error
	// Preparer, when set, completes each call just before it is made and
	// learns its answer: the forum's calls name their case's topic, whose
	// thread exists only once an earlier call of the chat made it.
	Preparer Preparer
}

// Preparer completes calls whose parameters are known only when they are
// made, and learns what became of them. It is asked in the chat's turn:
// the chat's earlier calls have been answered, and its Done recorded,
// before its next call is prepared.
type Preparer interface {
	// Prepare returns the method and parameters to call for o (o's own
	// when there is nothing to complete); an empty method when there is
	// nothing to call any more. An error makes the call wait and be
	// prepared again, like a network error.
	Prepare(ctx context.Context, o Outgoing) (method string, params []byte, err error)
	// Done is told the answer to a prepared call that was made:
	// Telegram's result, or its error. again asks for the call to be
	// made again; its Prepare then sees what Done recorded.
	Done(ctx context.Context, o Outgoing, result json.RawMessage, err error) (again bool)
}

func (o *Options) defaults() {
	if o.Partitions <= 0 {
		o.Partitions = 64
	}
	if o.ProcessID == "" {
		host, _ := os.Hostname()
		o.ProcessID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomHex(3))
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = 40
	}
	if len(o.AllowedUpdates) == 0 {
		o.AllowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateEditedMessage,
			models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember}
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 30 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Second
	}
	if o.Renew <= 0 || o.Renew >= o.Lease/2 {
		o.Renew = o.Lease * 3 / 10
	}
	if o.Slack < 0 {
		o.Slack = 0
	} else if o.Slack == 0 {
		o.Slack = 1
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 20
	}
	if o.DeadLetterTTL <= 0 {
		o.DeadLetterTTL = DefaultDeadTTL
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 500 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 45 * time.Second
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 30 * time.Second
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	if o.SendAttempts <= 0 {
		o.SendAttempts = 30
	}
	if o.SendRetryBase <= 0 {
		o.SendRetryBase = 500 * time.Millisecond
	}
	if o.SendConcurrency <= 0 {
		o.SendConcurrency = 64
	}
	if o.FlushTimeout <= 0 {
		o.FlushTimeout = 5 * time.Second
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Pipeline takes updates in, hands them to the handler in order per chat and
// sends the calls the handler returns. Run runs it.
type Pipeline struct {
	rdb   redis.UniversalClient
	inbox *Inbox
	out   *Outbox
	api   *API
	h     Handler
	opts  Options
	log   *slog.Logger
	m     *metrics

	// Lock order: mu, then a partition's mu (the reader, the lease round)
	// or the sender's mu (acquire adds the partition to the sender), then
	// the acks' mu; never the other way round.
	mu        sync.Mutex
	parts     map[int]*partition // partitions this process holds
	poll      *Lease             // the polling lease, when held
	pollSince time.Time          // when the polling lease was last renewed

	rounds     int  // lease rounds run (keeper goroutine only)
	belowShare bool // the last round found this process below its share (under mu)

	readerWake chan struct{}
	commits    *committer
	sender     *sender
	releases   sync.WaitGroup // partitions being given back
}

// New returns a pipeline that keeps its state in rdb under
// opts.Prefix, talks to Telegram through api and hands updates to h.
func New(rdb redis.UniversalClient, api *API, h Handler, opts Options) *Pipeline {
	opts.defaults()
	inbox := NewInbox(rdb, opts.Prefix, opts.Partitions)
	inbox.DeadTTL = opts.DeadLetterTTL
	if opts.Sealer != nil {
		inbox.SetSealer(opts.Sealer)
	}
	p := &Pipeline{
		rdb:        rdb,
		inbox:      inbox,
		out:        inbox.Outbox(),
		api:        api,
		h:          h,
		opts:       opts,
		log:        opts.Logger,
		m:          newMetrics(opts.Registry),
		parts:      map[int]*partition{},
		readerWake: make(chan struct{}, 1),
		commits:    &committer{in: inbox},
	}
	p.sender = newSender(senderConfig{
		api: api, out: p.out, log: p.log, m: p.m,
		limits: opts.Limits, partitions: opts.Partitions,
		attempts: opts.SendAttempts, retryBase: opts.SendRetryBase, concurrency: opts.SendConcurrency,
		onBlocked: opts.OnBlocked, onCopied: opts.OnCopied, onSent: opts.OnSent, preparer: opts.Preparer,
	})
	return p
}

// Inbox returns the pipeline's inbox (tests and tools read it).
func (p *Pipeline) Inbox() *Inbox { return p.inbox }

// ErrNotWebhook is returned by Run's setup when webhook options are missing.
var ErrNotWebhook = errors.New("webhook mode needs WebhookURL and WebhookSecret")

// Run runs the pipeline until ctx is cancelled, then shuts down: intake
// stops, every partition finishes the update in hand, the sender keeps
// sending for up to FlushTimeout, and the leases are released so other
// processes take over at once. It returns nil after a clean shutdown.
func (p *Pipeline) Run(ctx context.Context) error {
	if p.opts.Mode == Webhook && (p.opts.WebhookURL == "" || p.opts.WebhookSecret == "") {
		return ErrNotWebhook
	}
	// work outlives ctx by the drain; it is cancelled when the drain is over.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	var wg sync.WaitGroup
	goRun := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}

	keeperDone := make(chan struct{})
	stopAcquiring := make(chan struct{})
	acquiringStopped := make(chan struct{})
	go func() { defer close(keeperDone); p.keep(work, stopAcquiring, acquiringStopped) }()
	goRun(func() { p.read(work) })
	goRun(func() { p.sender.run(work) })

	intakeDone := make(chan struct{})
	go func() {
		defer close(intakeDone)
		switch p.opts.Mode {
		case Webhook:
			p.setWebhook(ctx)
		default:
			p.pollLoop(ctx)
		}
	}()

	<-ctx.Done()
	<-intakeDone
	close(stopAcquiring)
	<-acquiringStopped

	// Let every partition finish the update in hand.
	p.mu.Lock()
	held := make([]*partition, 0, len(p.parts))
	for _, pt := range p.parts {
		held = append(held, pt)
	}
	p.mu.Unlock()
	for _, pt := range held {
		pt.stopAfterCurrent()
	}
	for _, pt := range held {
		<-pt.done
	}
	// Send what can be sent in the time given.
	flushCtx, cancelFlush := context.WithTimeout(work, p.opts.FlushTimeout)
	p.sender.flush(flushCtx)
	cancelFlush()
	p.releases.Wait()

	stopWork()
	wg.Wait()
	<-keeperDone
	p.sender.ackNow(context.WithoutCancel(ctx))
	p.releaseAll(context.WithoutCancel(ctx))
	p.api.hc.CloseIdleConnections()
	return nil
}

// Send queues calls that no update caused (reminders, escalations). They
// are durable once Send returns.
func (p *Pipeline) Send(ctx context.Context, calls ...Call) error {
	outs := make([]Outgoing, 0, len(calls))
	for _, c := range calls {
		outs = append(outs, p.outgoing(c, 0, 0))
	}
	return p.out.Add(ctx, outs...)
}

// outgoing turns a call into an outbox entry. A call without a chat goes to
// the partition of the update that caused it, so its owner sends it at once.
func (p *Pipeline) outgoing(c Call, updatePartition int, updateID int64) Outgoing {
	part := updatePartition
	if c.ChatID != 0 {
		part = p.out.PartitionOf(c.ChatID)
	}
	return Outgoing{
		Partition: part,
		ChatID:    c.ChatID,
		Method:    c.Method,
		Priority:  int(c.Priority),
		Params:    c.Params,
		UpdateID:  updateID,
		Join:      c.Join,
		Tag:       c.Tag,
	}
}

// orderKey is what an update is ordered by: its chat, or for a button under
// an inline-mode message (which has no chat) the user who pressed it.
func orderKey(u *models.Update) int64 {
	if c := ChatOf(u); c != 0 {
		return c
	}
	if u.CallbackQuery != nil {
		return u.CallbackQuery.From.ID
	}
	return 0
}

// ChatOf returns the chat an update belongs to, or 0 when it has none.
func ChatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		if m := cq.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := cq.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
		return 0
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.ChatMember != nil:
		return u.ChatMember.Chat.ID
	case u.ChannelPost != nil:
		return u.ChannelPost.Chat.ID
	case u.EditedChannelPost != nil:
		return u.EditedChannelPost.Chat.ID
	case u.ChatJoinRequest != nil:
		return u.ChatJoinRequest.Chat.ID
	case u.MessageReaction != nil:
		return u.MessageReaction.Chat.ID
	}
	return 0
}

// backoff returns the wait before attempt n+1 after n failures: base·2^(n-1)
// up to max, with ±20% jitter so that retries of many chats spread out.
func backoff(n int, base, maxWait time.Duration) time.Duration {
	d := float64(base) * math.Pow(2, float64(max(n-1, 0)))
	d = math.Min(d, float64(maxWait))
	d *= 0.8 + 0.4*mrand.Float64()
	return time.Duration(d)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// statusOf names an API error's class for metrics.
func statusOf(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Code == http.StatusTooManyRequests:
			return "429"
		case ae.Code >= 500:
			return "5xx"
		default:
			return fmt.Sprint(ae.Code)
		}
	}
	return "network"
}
