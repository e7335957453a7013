package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// API is a small Bot API client for raw JSON calls. It never puts the token
// in an error string: Telegram's URLs carry it, so transport errors are
// rebuilt without the URL.
type API struct {
	base  string // <apiURL>/bot<token>/
	token string
	hc    *http.Client
}

// NewAPI returns a client for the Bot API at apiURL (https://api.telegram.org
// or a fake) with the bot's token. hc may be nil; calls are bounded by their
// contexts, and getUpdates by its long-poll timeout.
func NewAPI(apiURL, token string, hc *http.Client) *API {
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        100,
			MaxIdleConnsPerHost: 100,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}}
	}
	return &API{base: strings.TrimRight(apiURL, "/") + "/bot" + token + "/", token: token, hc: hc}
}

// APIError is Telegram's answer to a call it refused.
type APIError struct {
	Method      string
	Code        int           // 400, 403, 429, 5xx…
	Description string        // Telegram's text, e.g. "Forbidden: bot was blocked by the user"
	RetryAfter  time.Duration // for 429: how long to wait
	MigrateTo   int64         // for 400 when a group became a supergroup
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Retryable reports whether the same call may succeed later: too many
// requests, Telegram's server errors.
func (e *APIError) Retryable() bool { return e.Code == http.StatusTooManyRequests || e.Code >= 500 }

// NotModified reports whether an edit failed only because the message
// already reads so; that is success for the bot.
func (e *APIError) NotModified() bool {
	return e.Code == http.StatusBadRequest && strings.Contains(e.Description, "message is not modified")
}

// TransportError is a call that got no answer from the Bot API: the
// connection failed or dropped, or something other than Telegram answered
// (a proxy's error page). The call may or may not have been carried out.
type TransportError struct {
	Method string
	Status int // HTTP status when there was a response, else 0
	Err    error
}

func (e *TransportError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("telegram %s: http %d without a Bot API answer", e.Method, e.Status)
	}
	return fmt.Sprintf("telegram %s: %v", e.Method, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Retryable reports whether err is worth trying again: a transport error or
// a 429 or 5xx from Telegram; not a refused call or a cancelled context.
func Retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Retryable()
	}
	var te *TransportError
	if errors.As(err, &te) {
		return !errors.Is(te.Err, context.Canceled)
	}
	return false
}

// maxAnswer caps how much of an answer is read: getUpdates with 100 updates
// is far below it.
const maxAnswer = 16 << 20

type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// Do calls method with params (a struct, a map, json.RawMessage or nil) as
// JSON and decodes the result into result unless it is nil.
func (a *API) Do(ctx context.Context, method string, params any, result any) error {
	var body []byte
	switch p := params.(type) {
	case nil:
		body = []byte("{}")
	case json.RawMessage:
		body = p
	case []byte:
		body = p
	default:
		var err error
		if body, err = json.Marshal(params); err != nil {
			return fmt.Errorf("telegram %s: encode parameters: %w", method, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+method, bytes.NewReader(body))
	if err != nil {
		return &TransportError{Method: method, Err: a.scrub(err)}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return &TransportError{Method: method, Err: a.scrub(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &TransportError{Method: method, Err: a.scrub(err)}
	}
	var ans answer
	if err := json.Unmarshal(raw, &ans); err != nil || (!ans.OK && ans.ErrorCode == 0 && ans.Description == "") {
		return &TransportError{Method: method, Status: resp.StatusCode, Err: errNoAnswer}
	}
	if !ans.OK {
		e := &APIError{Method: method, Code: ans.ErrorCode, Description: a.redact(ans.Description)}
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		if p := ans.Parameters; p != nil {
			e.RetryAfter = time.Duration(p.RetryAfter) * time.Second
			e.MigrateTo = p.MigrateToChatID
		}
		return e
	}
	if result != nil {
		if err := json.Unmarshal(ans.Result, result); err != nil {
			return fmt.Errorf("telegram %s: decode result: malformed json", method)
		}
	}
	return nil
}

// errNoAnswer is the cause of a TransportError whose response was not the
// Bot API's JSON.
var errNoAnswer = errors.New("answer is not Bot API json")

// scrub removes the URL, which holds the token, from a transport error.
func (a *API) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if a.token != "" && strings.Contains(err.Error(), a.token) {
		return errors.New(a.redact(err.Error()))
	}
	return err
}

func (a *API) redact(s string) string {
	if a.token == "" {
		return s
	}
	return strings.ReplaceAll(s, a.token, "<token>")
}
