package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hotline/storage/storagetest"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// A W3C WebDriver client, just what the sandbox test needs, talking to
// Debian's chromedriver over plain HTTP and JSON
// (https://www.w3.org/TR/webdriver2/).

// webElementKey names an element reference in WebDriver's JSON.
const webElementKey = "element-6066-11e4-a52e-4f735466cecf"

// browser is one headless Chromium session.
type browser struct {
	t       *testing.T
	base    string // chromedriver's URL
	session string
	client  *http.Client
}

// startChromium starts chromedriver and a headless Chromium session. When
// either is missing the test is skipped, except under CI=true, where it
// fails: CI installs them (scripts/test; apt-get install chromium
// chromium-driver).
func startChromium(t *testing.T) *browser {
	t.Helper()
	chromium := storagetest.Require(t, "chromium", "chromium-browser", "google-chrome")
	driver := storagetest.Require(t, "chromedriver")
	port := freePort(t)
	cmd := exec.Command(driver, "--port="+port)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromedriver: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	b := &browser{t: t, base: "http://127.0.0.1:" + port, client: &http.Client{Timeout: 60 * time.Second}}
	eventually(t, "chromedriver up", func() error {
		var st struct {
			Ready bool `json:"ready"`
		}
		if err := b.call(http.MethodGet, "/status", nil, &st); err != nil {
			return err
		}
		if !st.Ready {
			return fmt.Errorf("not ready")
		}
		return nil
	})

	profile := t.TempDir()
	var sess struct {
		SessionID string `json:"sessionId"`
	}
	err := b.call(http.MethodPost, "/session", map[string]any{
		"capabilities": map[string]any{"alwaysMatch": map[string]any{
			"browserName": "chrome",
			"goog:chromeOptions": map[string]any{
				"binary": chromium,
				"args": []string{
					"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
					"--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,900",
				},
			},
		}},
	}, &sess)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b.session = "/session/" + sess.SessionID
	t.Cleanup(func() { _ = b.call(http.MethodDelete, b.session, nil, nil) })
	return b
}

// call makes one WebDriver request and decodes its "value" into out.
func (b *browser) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("webdriver %s %s: %s: %w", method, path, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(env.Value, &e)
		return fmt.Errorf("webdriver %s %s: %s: %s", method, path, e.Error, e.Message)
	}
	if out != nil {
		return json.Unmarshal(env.Value, out)
	}
	return nil
}

// open loads url.
func (b *browser) open(url string) {
	b.t.Helper()
	if err := b.call(http.MethodPost, b.session+"/url", map[string]string{"url": url}, nil); err != nil {
		b.t.Fatal(err)
	}
}

// run runs a script in the page; its return value is decoded into out.
func (b *browser) run(out any, script string, args ...any) error {
	if args == nil {
		args = []any{}
	}
	return b.call(http.MethodPost, b.session+"/execute/sync", map[string]any{"script": script, "args": args}, out)
}

// changed waits, in the page, until the page has changed since the
// change count seen returns (-1: at once), and returns the new count; a
// second at most. The count is kept by a MutationObserver the first call
// installs, so a change between a caller's look at the page and its next
// call is not missed. Waiting in the page rather than looking every few
// milliseconds spares Chromium and chromedriver a script run per look.
func (b *browser) changed(seen int) int {
	const script = `const [seen, done] = arguments;
if (window.__changes === undefined) {
  window.__changes = 0;
  window.__waiting = [];
  new MutationObserver(() => {
    window.__changes++;
    for (const f of window.__waiting.splice(0)) f();
  }).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
}
if (window.__changes !== seen) { done(window.__changes); return; }
const t = setTimeout(() => done(window.__changes), 1000);
window.__waiting.push(() => { clearTimeout(t); done(window.__changes); });`
	var n int
	if err := b.call(http.MethodPost, b.session+"/execute/async", map[string]any{"script": script, "args": []any{seen}}, &n); err != nil {
		// The page went away under the script (a navigation): the caller
		// looks again, and its own deadline ends the wait.
		time.Sleep(30 * time.Millisecond)
		return -1
	}
	return n
}

// element is a reference to an element of the page.
type element map[string]string

// find returns the element a script returns, or nil when it returns null.
func (b *browser) find(script string, args ...any) element {
	b.t.Helper()
	var e element
	if err := b.run(&e, script, args...); err != nil {
		b.t.Fatal(err)
	}
	if e[webElementKey] == "" {
		return nil
	}
	return e
}

// click clicks an element as a user does: scrolled into view, at its centre.
func (b *browser) click(e element) {
	b.t.Helper()
	if err := b.call(http.MethodPost, b.session+"/element/"+e[webElementKey]+"/click", map[string]any{}, nil); err != nil {
		b.t.Fatal(err)
	}
}

// typeInto types text into an element, key by key.
func (b *browser) typeInto(e element, text string) {
	b.t.Helper()
	if err := b.call(http.MethodPost, b.session+"/element/"+e[webElementKey]+"/value", map[string]any{"text": text}, nil); err != nil {
		b.t.Fatal(err)
	}
}

// screenshot saves the page as a PNG in dir and returns the file's path.
func (b *browser) screenshot(dir, name string) (string, error) {
	var png string
	if err := b.call(http.MethodGet, b.session+"/screenshot", nil, &png); err != nil {
		return "", err
	}
	raw, err := base64.StdEncoding.DecodeString(png)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+".png")
	return path, os.WriteFile(path, raw, 0o644)
}
