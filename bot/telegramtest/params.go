package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxUpload caps a request body; Telegram's own cap for bot uploads is 50 MB.
const maxUpload = 50 << 20

// params are a Bot API call's parameters, however they came: the query
// string, a JSON object, a urlencoded form or a multipart form. Values that
// are JSON (reply_markup, entities…) are kept as their JSON text, which is
// what a multipart or urlencoded request carries anyway.
type params struct {
	vals  map[string]string
	files map[string]upload
}

// upload is a file sent in a multipart request.
type upload struct {
	name string
	data []byte
}

// apiError is a Bot API error response.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	migrateTo  int64 // a group that became a supergroup: its new id
}

func (e *apiError) Error() string { return e.desc }

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + desc}
}

func tooMany(retryAfter int) *apiError {
	return &apiError{
		code:       http.StatusTooManyRequests,
		desc:       fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		retryAfter: retryAfter,
	}
}

var (
	errNotFound     = &apiError{code: http.StatusNotFound, desc: "Not Found"}
	errUnauthorized = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
)

// readParams reads a request's parameters. Body values win over the query
// string, as they do at Telegram.
func readParams(r *http.Request) (params, *apiError) {
	p := params{vals: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		p.vals[k] = v[0]
	}
	if r.Body == nil {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := http.MaxBytesReader(nil, r.Body, maxUpload)
	switch ct {
	case "application/json":
		raw, err := io.ReadAll(body)
		if err != nil {
			return p, badRequest("can't read request body")
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return p, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return p, badRequest("can't parse JSON object")
		}
		for k, v := range obj {
			v = bytes.TrimSpace(v)
			switch {
			case string(v) == "null":
			case len(v) > 0 && v[0] == '"':
				var s string
				if err := json.Unmarshal(v, &s); err != nil {
					return p, badRequest("can't parse JSON object")
				}
				p.vals[k] = s
			default:
				p.vals[k] = string(v)
			}
		}
	case "application/x-www-form-urlencoded":
		raw, err := io.ReadAll(body)
		if err != nil {
			return p, badRequest("can't read request body")
		}
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return p, badRequest("can't parse request body")
		}
		for k, v := range form {
			p.vals[k] = v[0]
		}
	case "multipart/form-data":
		raw, err := io.ReadAll(body)
		if err != nil {
			return p, badRequest("can't read request body")
		}
		if len(raw) == 0 {
			return p, nil // go-telegram/bot sends no parts for a call without parameters
		}
		mr := multipart.NewReader(bytes.NewReader(raw), ctParams["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return p, badRequest("can't parse multipart form")
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return p, badRequest("can't parse multipart form")
			}
			if part.FileName() != "" {
				p.files[part.FormName()] = upload{name: part.FileName(), data: data}
				continue
			}
			p.vals[part.FormName()] = string(data)
		}
	default:
		// Telegram ignores a body it does not understand; the query string
		// may still carry everything.
		_, _ = io.Copy(io.Discard, body)
	}
	return p, nil
}

func (p params) has(k string) bool {
	_, ok := p.vals[k]
	return ok
}

func (p params) str(k string) string { return p.vals[k] }

// int reads an integer parameter; 0 when absent.
func (p params) int(k string) (int64, *apiError) {
	v, ok := p.vals[k]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if ferr != nil {
			return 0, badRequest("invalid %s specified", k)
		}
		n = int64(f)
	}
	return n, nil
}

// bool reads a Boolean parameter the ways Telegram accepts one.
func (p params) bool(k string) bool {
	switch strings.ToLower(strings.TrimSpace(p.vals[k])) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}

// json decodes a JSON-valued parameter; false when absent.
func (p params) json(k string, dst any) (bool, error) {
	v, ok := p.vals[k]
	if !ok || strings.TrimSpace(v) == "" {
		return false, nil
	}
	return true, json.Unmarshal([]byte(v), dst)
}

// chatID reads a chat_id-like parameter. A @username is never found: the
// fake's chats have none that the bot could address.
func (p params) chatID(k string) (int64, *apiError) {
	v := strings.TrimSpace(p.vals[k])
	if v == "" {
		return 0, badRequest("%s is empty", k)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("chat not found")
	}
	return n, nil
}
