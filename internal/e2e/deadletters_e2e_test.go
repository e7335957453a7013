package e2e

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hotline/internal/pipeline"
)

// TestDeadLettersCommand: an update that fails every attempt goes to the
// dead letters; `hotline deadletters list` shows it without what was
// written, and `show` opens it with the data key: the text the user typed,
// and nothing of the message a button sat on.
func TestDeadLettersCommand(t *testing.T) {
	parallel(t)
	const poisoned = "poisoned: Иван Петров A 123-456-789"
	h := newHarness(t, withConfig(func(c *config) {
		c.handler = func(next pipeline.Handler) pipeline.Handler {
			return func(ctx context.Context, u pipeline.Update) ([]pipeline.Call, error) {
				if m := u.Raw.Message; m != nil && strings.HasPrefix(m.Text, "poisoned") {
					return nil, errors.New("the handler fails on this update")
				}
				return next(ctx, u)
			}
		}
		fast := c.pipeline
		c.pipeline = func(o *pipeline.Options) {
			fast(o)
			o.MaxAttempts, o.RetryBase = 2, 10*time.Millisecond
		}
	}))
	u := h.tg.User(6700001, "ru")
	u.Send(poisoned)
	env := h.cliEnv()
	var list string
	deadline := time.Now().Add(20 * time.Second)
	for {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"deadletters", "list"}, env, &out, &errOut); code != 0 {
			t.Fatalf("deadletters list: exit %d: %s", code, errOut.String())
		}
		list = out.String()
		if strings.Contains(list, "dead letters: 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dead letter listed:\n%s", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := leaked(list); len(got) > 0 {
		t.Errorf("the list shows what was written %q:\n%s", got, list)
	}
	lines := strings.Split(strings.TrimSpace(list), "\n")
	id := strings.Fields(lines[len(lines)-1])[0]
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"deadletters", "show", id}, env, &out, &errOut); code != 0 {
		t.Fatalf("deadletters show %s: exit %d: %s", id, code, errOut.String())
	}
	if !strings.Contains(out.String(), poisoned) {
		t.Errorf("show does not open the update:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"deadletters", "show", "0:0-0"}, env, &out, &errOut); code != 1 {
		t.Errorf("an unknown id: exit %d, want 1", code)
	}
}
