package e2e

// The deployment files checked against the code: docker-compose.yml and the
// Kubernetes manifests in deploy/kubernetes give every setting loadConfig
// needs, and every probe and health check asks a path the running bot
// answers the way the probe expects.

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"hotline/bot/telegramtest"
	"hotline/internal/pipeline"
	"hotline/storage/storagetest"
)

// shutdownBound is the longest the bot takes to stop after SIGTERM: the
// update in hand (pipeline.Options.HandleTimeout, 30s by default), the
// sender's flush (FlushTimeout, 5s) and the HTTP server's shutdown in serve
// (5s). Kubernetes and compose must wait longer before they kill it.
const shutdownBound = 40 * time.Second

// requiredEverywhere are the settings a deployment must give even where
// loadConfig would start without them: without HOTLINE_DATA_KEY personal data
// cannot be stored.
var requiredEverywhere = []string{"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "HOTLINE_DATA_KEY"}

// requiredWebhook are the settings of webhook mode, which the cluster runs.
var requiredWebhook = []string{"WEBHOOK_URL", "WEBHOOK_SECRET"}

// needAll is what `hotline` (run the bot) asks of loadConfig.
var needAll = need{Token: true, Database: true, Redis: true, Keys: true}

// placeholder marks a value in secret.example.yaml that an operator replaces.
const placeholder = "REPLACE_ME"

// samples stand in for the Secret's placeholders when the test loads the
// configuration a filled-in Secret would give.
var samples = map[string]string{
	"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
	"HOTLINE_DATA_KEY":   base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
	"WEBHOOK_SECRET":     "s3cret_token-for-tests-0123456789abcdef",
}

const k8sDir = root + "/deploy/kubernetes"

// k8sObject is the part of a Kubernetes object the tests read.
type k8sObject struct {
	file       string
	Kind       string            `yaml:"kind"`
	APIVersion string            `yaml:"apiVersion"`
	Metadata   k8sMeta           `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Spec       yaml.Node         `yaml:"spec"`
}

type k8sMeta struct {
	Name        string            `yaml:"name"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type deploymentSpec struct {
	Replicas int `yaml:"replicas"`
	Selector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
	Template struct {
		Metadata k8sMeta `yaml:"metadata"`
		Spec     podSpec `yaml:"spec"`
	} `yaml:"template"`
}

type podSpec struct {
	TerminationGracePeriodSeconds *int  `yaml:"terminationGracePeriodSeconds"`
	EnableServiceLinks            *bool `yaml:"enableServiceLinks"`
	SecurityContext               struct {
		RunAsNonRoot *bool  `yaml:"runAsNonRoot"`
		RunAsUser    *int64 `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	InitContainers []container `yaml:"initContainers"`
	Containers     []container `yaml:"containers"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef    *keyRef `yaml:"secretKeyRef"`
			ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	EnvFrom []struct {
		Prefix       string `yaml:"prefix"`
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	StartupProbe   *probe `yaml:"startupProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
}

type keyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"` // a number or a port name
	} `yaml:"httpGet"`
	Exec *struct {
		Command []string `yaml:"command"`
	} `yaml:"exec"`
	TimeoutSeconds int `yaml:"timeoutSeconds"`
}

type serviceSpec struct {
	Selector map[string]string `yaml:"selector"`
	Ports    []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort string `yaml:"targetPort"`
	} `yaml:"ports"`
}

type pdbSpec struct {
	MinAvailable   *int `yaml:"minAvailable"`
	MaxUnavailable *int `yaml:"maxUnavailable"`
	Selector       struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
}

type ingressSpec struct {
	TLS []struct {
		Hosts      []string `yaml:"hosts"`
		SecretName string   `yaml:"secretName"`
	} `yaml:"tls"`
	Rules []struct {
		Host string `yaml:"host"`
		HTTP struct {
			Paths []struct {
				Path     string `yaml:"path"`
				PathType string `yaml:"pathType"`
				Backend  struct {
					Service struct {
						Name string `yaml:"name"`
						Port struct {
							Name   string `yaml:"name"`
							Number int    `yaml:"number"`
						} `yaml:"port"`
					} `yaml:"service"`
				} `yaml:"backend"`
			} `yaml:"paths"`
		} `yaml:"http"`
	} `yaml:"rules"`
}

// manifests are the objects in deploy/kubernetes, example files included.
type manifests []k8sObject

func loadManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (%v)", k8sDir, err)
	}
	var ms manifests
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "" {
				continue // an empty document
			}
			if o.APIVersion == "" || o.Metadata.Name == "" {
				t.Errorf("%s: a %s without apiVersion or name", f, o.Kind)
			}
			o.file = filepath.Base(f)
			ms = append(ms, o)
		}
	}
	return ms
}

// one returns the only object of kind, and its spec decoded into spec.
func (ms manifests) one(t *testing.T, kind string, spec any) k8sObject {
	t.Helper()
	var found []k8sObject
	for _, o := range ms {
		if o.Kind == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects of kind %s in %s, want one", len(found), kind, k8sDir)
	}
	if spec != nil {
		if err := found[0].Spec.Decode(spec); err != nil {
			t.Fatalf("%s: %s spec: %v", found[0].file, kind, err)
		}
	}
	return found[0]
}

// values returns the key-value pairs of a ConfigMap or Secret.
func (ms manifests) values(t *testing.T, kind, name string) map[string]string {
	t.Helper()
	for _, o := range ms {
		if o.Kind != kind || o.Metadata.Name != name {
			continue
		}
		out := map[string]string{}
		for k, v := range o.Data {
			if kind == "Secret" {
				b, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					t.Fatalf("%s: secret %s: data.%s is not base64", o.file, name, k)
				}
				v = string(b)
			}
			out[k] = v
		}
		for k, v := range o.StringData {
			out[k] = v
		}
		return out
	}
	t.Fatalf("no %s named %s in %s", kind, name, k8sDir)
	return nil
}

// env is the environment a container gets from its env and envFrom, with the
// ConfigMaps and Secrets of the manifests. A reference to a missing key or
// object fails the test, as it would stop the pod.
func (ms manifests) env(t *testing.T, c container) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, from := range c.EnvFrom {
		var vals map[string]string
		switch {
		case from.ConfigMapRef != nil:
			vals = ms.values(t, "ConfigMap", from.ConfigMapRef.Name)
		case from.SecretRef != nil:
			vals = ms.values(t, "Secret", from.SecretRef.Name)
		default:
			t.Fatalf("container %s: envFrom with neither configMapRef nor secretRef", c.Name)
		}
		for k, v := range vals {
			out[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			v, ok := ms.values(t, "Secret", e.ValueFrom.SecretKeyRef.Name)[e.ValueFrom.SecretKeyRef.Key]
			if !ok {
				t.Fatalf("container %s: %s: secret %s has no key %s", c.Name, e.Name, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
			}
			out[e.Name] = v
		case e.ValueFrom.ConfigMapKeyRef != nil:
			v, ok := ms.values(t, "ConfigMap", e.ValueFrom.ConfigMapKeyRef.Name)[e.ValueFrom.ConfigMapKeyRef.Key]
			if !ok {
				t.Fatalf("container %s: %s: config map %s has no key %s", c.Name, e.Name, e.ValueFrom.ConfigMapKeyRef.Name, e.ValueFrom.ConfigMapKeyRef.Key)
			}
			out[e.Name] = v
		}
	}
	return out
}

// filled is env with the Secret's placeholders replaced as an operator would.
func filled(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range env {
		if strings.Contains(v, placeholder) {
			if s, ok := samples[k]; ok {
				v = s
			} else {
				v = strings.ReplaceAll(v, placeholder, "x") // a password in a URL
			}
		}
		out[k] = v
	}
	return out
}

// botContainer returns the Deployment's container that serves HTTP, and the
// Deployment.
func botContainer(t *testing.T, ms manifests) (container, deploymentSpec) {
	t.Helper()
	var d deploymentSpec
	ms.one(t, "Deployment", &d)
	for _, c := range d.Template.Spec.Containers {
		if len(c.Ports) > 0 {
			return c, d
		}
	}
	t.Fatal("no container of the Deployment has a port")
	return container{}, d
}

func getenvFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// port returns the port of a host:port address.
func port(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	n, err2 := strconv.Atoi(p)
	if err != nil || err2 != nil {
		t.Fatalf("address %q has no port", addr)
	}
	return n
}

func TestManifestsKustomization(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(k8sDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `yaml:"resources"`
		Images    []struct {
			Name string `yaml:"name"`
		} `yaml:"images"`
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	var want []string
	for _, f := range files {
		base := filepath.Base(f)
		// An example would overwrite the real secret with placeholders.
		if base != "kustomization.yaml" && !strings.HasSuffix(base, ".example.yaml") {
			want = append(want, base)
		}
	}
	got := slices.Sorted(slices.Values(k.Resources))
	if !slices.Equal(got, want) {
		t.Errorf("kustomization.yaml lists %v, want every manifest but the examples: %v", got, want)
	}
	ms := loadManifests(t)
	c, d := botContainer(t, ms)
	set := map[string]bool{}
	for _, i := range k.Images {
		set[i.Name] = true
	}
	for _, ct := range append(slices.Clone(d.Template.Spec.InitContainers), c) {
		if !set[ct.Image] {
			t.Errorf("container %s: image %q is not set in kustomization.yaml's images", ct.Name, ct.Image)
		}
	}
}

// TestManifestsProvideSettings: the bot in the Deployment gets every setting
// it needs, in webhook mode, and refuses to start while the Secret still
// holds the example's placeholders.
func TestManifestsProvideSettings(t *testing.T) {
	ms := loadManifests(t)
	c, d := botContainer(t, ms)
	raw := ms.env(t, c)

	// The example Secret, unedited, must not start a bot.
	var ce *configError
	if _, err := loadConfig(getenvFrom(raw), needAll); !errors.As(err, &ce) || !strings.Contains(raw[ce.Name], placeholder) {
		t.Errorf("loadConfig with the example secret unedited: %v; want it refused for a placeholder", err)
	}

	env := filled(t, raw)
	cfg, err := loadConfig(getenvFrom(env), needAll)
	if err != nil {
		t.Fatalf("loadConfig with the Deployment's environment: %v", err)
	}
	if !cfg.Webhook() {
		t.Error("the Deployment does not run the bot in webhook mode")
	}
	for _, name := range append(slices.Clone(requiredEverywhere), requiredWebhook...) {
		if strings.TrimSpace(env[name]) == "" {
			t.Errorf("the Deployment does not set %s", name)
		}
	}
	if d.Replicas < 2 {
		t.Errorf("replicas = %d, want several", d.Replicas)
	}
	if got := port(t, cfg.ListenAddr); got != c.Ports[0].ContainerPort {
		t.Errorf("LISTEN_ADDR port %d, container port %d: want the same", got, c.Ports[0].ContainerPort)
	}

	// The webhook URL is the Ingress's host, over TLS, at the bot's path.
	var ing ingressSpec
	ms.one(t, "Ingress", &ing)
	u, err := url.Parse(cfg.WebhookURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Path != pipeline.WebhookPath {
		t.Errorf("WEBHOOK_URL %s: want https and the path %s", cfg.WebhookURL, pipeline.WebhookPath)
	}
	var hosts, tlsHosts, paths []string
	for _, r := range ing.Rules {
		hosts = append(hosts, r.Host)
		for _, p := range r.HTTP.Paths {
			paths = append(paths, p.Path)
		}
	}
	for _, tls := range ing.TLS {
		tlsHosts = append(tlsHosts, tls.Hosts...)
	}
	if !slices.Equal(hosts, []string{u.Host}) || !slices.Contains(tlsHosts, u.Host) {
		t.Errorf("Ingress hosts %v, TLS hosts %v; want %s, the host of WEBHOOK_URL, in both", hosts, tlsHosts, u.Host)
	}
	if !slices.Equal(paths, []string{pipeline.WebhookPath}) {
		t.Errorf("Ingress paths %v, want only %s: /metrics and the health paths stay inside", paths, pipeline.WebhookPath)
	}

	// The migration runs `hotline migrate` with what that command needs.
	var migrates int
	for _, ic := range d.Template.Spec.InitContainers {
		if !slices.Equal(ic.Args, []string{"migrate"}) {
			continue
		}
		migrates++
		if ic.Image != c.Image || len(ic.Command) > 0 {
			t.Errorf("init container %s: image %q, command %v; want the bot's image and entrypoint", ic.Name, ic.Image, ic.Command)
		}
		icEnv := filled(t, ms.env(t, ic))
		if _, err := loadConfig(getenvFrom(icEnv), need{Database: true, Keys: true}); err != nil {
			t.Errorf("init container %s: %v", ic.Name, err)
		}
		// It migrates as the owner and grants the bot's role; the bot
		// itself never gets the owner's URL.
		if icEnv["DATABASE_OWNER_URL"] == "" || icEnv["DATABASE_URL"] != env["DATABASE_URL"] {
			t.Errorf("init container %s does not migrate as the owner for the bot's role", ic.Name)
		}
		if env["DATABASE_OWNER_URL"] != "" {
			t.Error("the bot's container gets DATABASE_OWNER_URL: it could erase the audit log")
		}
	}
	if migrates != 1 {
		t.Errorf("%d init containers run `hotline migrate`, want one", migrates)
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"migrate"}, getenvFrom(nil), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "DATABASE_URL") {
		t.Errorf("hotline migrate without DATABASE_URL: exit %d, %q; want the command to exist and ask for DATABASE_URL", code, stderr.String())
	}
}

// TestManifestsPodSafety: non-root, read-only, no privilege, limits, enough
// time to shut down, and replicas the Service, the budget and the Ingress
// actually reach.
func TestManifestsPodSafety(t *testing.T) {
	ms := loadManifests(t)
	c, d := botContainer(t, ms)
	pod := d.Template.Spec
	uid := dockerfileUser(t)
	if sc := pod.SecurityContext; sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != uid {
		t.Errorf("pod securityContext: runAsNonRoot %s, runAsUser %s; want true and %d, the Dockerfile's USER", show(sc.RunAsNonRoot), show(sc.RunAsUser), uid)
	}
	for _, ct := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		sc := ct.SecurityContext
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			!slices.Equal(sc.Capabilities.Drop, []string{"ALL"}) {
			t.Errorf("container %s: allowPrivilegeEscalation %s, readOnlyRootFilesystem %s, capabilities drop %v; want false, true, [ALL]",
				ct.Name, show(sc.AllowPrivilegeEscalation), show(sc.ReadOnlyRootFilesystem), sc.Capabilities.Drop)
		}
		if ct.Resources.Requests["cpu"] == "" || ct.Resources.Requests["memory"] == "" || ct.Resources.Limits["memory"] == "" {
			t.Errorf("container %s: resources %+v; want cpu and memory requests and a memory limit", ct.Name, ct.Resources)
		}
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= shutdownBound {
		t.Errorf("terminationGracePeriodSeconds %s; want more than the bot's shutdown bound, %v", show(g), shutdownBound)
	}
	if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
		t.Error("enableServiceLinks is not false: the Service would add HOTLINE_* variables to the bot's environment")
	}

	labels := d.Template.Metadata.Labels
	matches := func(sel map[string]string) bool {
		for k, v := range sel {
			if labels[k] != v {
				return false
			}
		}
		return len(sel) > 0
	}
	if !matches(d.Selector.MatchLabels) {
		t.Errorf("Deployment selector %v does not match its pods' labels %v", d.Selector.MatchLabels, labels)
	}
	var svc serviceSpec
	svcObj := ms.one(t, "Service", &svc)
	if !matches(svc.Selector) {
		t.Errorf("Service selector %v does not match the pods' labels %v", svc.Selector, labels)
	}
	var pdb pdbSpec
	ms.one(t, "PodDisruptionBudget", &pdb)
	if !matches(pdb.Selector.MatchLabels) {
		t.Errorf("PodDisruptionBudget selector %v does not match the pods' labels %v", pdb.Selector.MatchLabels, labels)
	}
	if pdb.MaxUnavailable == nil && pdb.MinAvailable == nil ||
		pdb.MaxUnavailable != nil && (*pdb.MaxUnavailable < 1 || *pdb.MaxUnavailable >= d.Replicas) ||
		pdb.MinAvailable != nil && (*pdb.MinAvailable < 1 || *pdb.MinAvailable >= d.Replicas) {
		t.Errorf("PodDisruptionBudget %+v with %d replicas: want some replicas kept and drains still possible", pdb, d.Replicas)
	}
	if len(svc.Ports) != 1 || !containerPort(c, svc.Ports[0].TargetPort) {
		t.Errorf("Service ports %+v: want one, to the bot's container port", svc.Ports)
	}
	var ing ingressSpec
	ms.one(t, "Ingress", &ing)
	for _, r := range ing.Rules {
		for _, p := range r.HTTP.Paths {
			b := p.Backend.Service
			if b.Name != svcObj.Metadata.Name || len(svc.Ports) == 0 ||
				(b.Port.Name != svc.Ports[0].Name && b.Port.Number != svc.Ports[0].Port) {
				t.Errorf("Ingress path %s goes to %s:%s%d; want the Service %s, port %s", p.Path, b.Name, b.Port.Name, b.Port.Number, svcObj.Metadata.Name, svc.Ports[0].Name)
			}
		}
	}
}

// show prints an optional field of a manifest.
func show[T any](p *T) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

// containerPort reports whether p, a number or a name, is a port of c.
func containerPort(c container, p string) bool {
	for _, cp := range c.Ports {
		if p == cp.Name || p == strconv.Itoa(cp.ContainerPort) {
			return true
		}
	}
	return false
}

// dockerfileUser returns the numeric user the image runs as, after checking
// that its entrypoint is /hotline, the binary the health checks call.
func dockerfileUser(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(root + "/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var user, entry string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 0:
		case strings.EqualFold(f[0], "FROM"):
			user, entry = "", "" // a new stage: only the last one counts
		case strings.EqualFold(f[0], "USER"):
			user = f[1]
		case strings.EqualFold(f[0], "ENTRYPOINT"):
			entry = strings.Join(f[1:], " ")
		}
	}
	if entry != `["/hotline"]` {
		t.Errorf(`Dockerfile ENTRYPOINT %s, want ["/hotline"]`, entry)
	}
	uid, _, _ := strings.Cut(user, ":")
	n, err := strconv.ParseInt(uid, 10, 64)
	if err != nil || n == 0 {
		t.Fatalf("Dockerfile USER %q: want a numeric user other than root, so Kubernetes can check runAsNonRoot", user)
	}
	return n
}

// compose is the part of docker-compose.yml the tests read.
type compose struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string         `yaml:"image"`
	Command     []string       `yaml:"command"`
	Environment map[string]any `yaml:"environment"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	StopGracePeriod string   `yaml:"stop_grace_period"`
	Volumes         []string `yaml:"volumes"`
	Restart         string   `yaml:"restart"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile(root + "/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, s := range []string{"bot", "postgres", "redis"} {
		if _, ok := c.Services[s]; !ok {
			t.Fatalf("docker-compose.yml has no service %s", s)
		}
	}
	return c
}

// composeVar is a variable reference compose interpolates: ${NAME},
// ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}.
var composeVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}`)

// interpolate does what compose does to a value with the shell's variables.
func interpolate(v string, shell map[string]string) (string, error) {
	var missing error
	out := composeVar.ReplaceAllStringFunc(v, func(ref string) string {
		m := composeVar.FindStringSubmatch(ref)
		name, colon, op, arg := m[1], m[2], m[3], m[4]
		val, set := shell[name]
		if colon == ":" && val == "" {
			set = false
		}
		switch {
		case set:
			return val
		case op == "-":
			return arg
		case op == "?":
			missing = fmt.Errorf("%s: %s", name, arg)
		}
		return ""
	})
	return out, missing
}

// serviceEnv is a service's environment in docker-compose.yml, given the
// variables of the shell that runs `docker compose up`.
func serviceEnv(svc composeService, shell map[string]string) (map[string]string, error) {
	env := map[string]string{}
	for k, v := range svc.Environment {
		s := ""
		if v != nil {
			s = fmt.Sprint(v)
		}
		x, err := interpolate(s, shell)
		if err != nil {
			return nil, err
		}
		env[k] = x
	}
	return env, nil
}

// TestComposeProvidesSettings: `docker compose up` with the token and the
// key in the shell gives the bot everything it needs, refuses to start
// without them, and points the bot at the compose's own Postgres and Redis.
func TestComposeProvidesSettings(t *testing.T) {
	c := loadCompose(t)
	shell := map[string]string{"TELEGRAM_BOT_TOKEN": samples["TELEGRAM_BOT_TOKEN"], "HOTLINE_DATA_KEY": samples["HOTLINE_DATA_KEY"]}
	env, err := serviceEnv(c.Services["bot"], shell)
	if err != nil {
		t.Fatalf("interpolating the bot's environment: %v", err)
	}
	if _, err := loadConfig(getenvFrom(env), needAll); err != nil {
		t.Errorf("loadConfig with the compose environment: %v", err)
	}
	for _, name := range requiredEverywhere {
		if strings.TrimSpace(env[name]) == "" {
			t.Errorf("docker-compose.yml does not set %s", name)
		}
	}
	// Compose itself stops with a message when the operator forgot one.
	for name := range shell {
		without := maps.Clone(shell)
		delete(without, name)
		if _, err := serviceEnv(c.Services["bot"], without); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("compose without %s in the shell: %v; want it refused", name, err)
		}
	}

	pg := c.Services["postgres"]
	pgEnv, err := serviceEnv(pg, shell)
	if err != nil {
		t.Fatal(err)
	}
	// Two roles: the one-shot migrate job logs in as the owner the
	// postgres service makes; the bot as hotline_bot (deploy/postgres/
	// roles.sh), and never gets the owner's password.
	db, err := url.Parse(env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := db.User.Password()
	if db.Hostname() != "postgres" || db.User.Username() != "hotline_bot" || pw != pgEnv["HOTLINE_BOT_PASSWORD"] || db.Path != "/"+pgEnv["POSTGRES_DB"] {
		t.Errorf("DATABASE_URL %s is not the bot's role on the postgres service", redactURL(db))
	}
	if env["DATABASE_OWNER_URL"] != "" {
		t.Error("the bot is given the owner's DATABASE_OWNER_URL: it could erase the audit log")
	}
	mig := c.Services["migrate"]
	migEnv, err := serviceEnv(mig, shell)
	if err != nil {
		t.Fatal(err)
	}
	own, err := url.Parse(migEnv["DATABASE_OWNER_URL"])
	if err != nil {
		t.Fatal(err)
	}
	opw, _ := own.User.Password()
	if own.Hostname() != "postgres" || own.User.Username() != pgEnv["POSTGRES_USER"] || opw != pgEnv["POSTGRES_PASSWORD"] || migEnv["DATABASE_URL"] != env["DATABASE_URL"] {
		t.Errorf("the migrate job's DATABASE_OWNER_URL %s is not the postgres service's owner, or it grants another role", redactURL(own))
	}
	if len(mig.Command) != 1 || mig.Command[0] != "migrate" || c.Services["bot"].DependsOn["migrate"].Condition != "service_completed_successfully" {
		t.Errorf("the migrate job runs %v; the bot waits for it: %q", mig.Command, c.Services["bot"].DependsOn["migrate"].Condition)
	}
	if !slices.ContainsFunc(pg.Volumes, func(v string) bool {
		return strings.HasPrefix(v, "./deploy/postgres/roles.sh:/docker-entrypoint-initdb.d/")
	}) {
		t.Error("the postgres service does not make the bot's role (deploy/postgres/roles.sh)")
	}
	if !strings.HasPrefix(pg.Image, "postgres:15") {
		t.Errorf("postgres image %s, want postgres:15 (pg_trgm is in the official image)", pg.Image)
	}
	rd, err := url.Parse(env["REDIS_URL"])
	if err != nil || rd.Hostname() != "redis" {
		t.Errorf("REDIS_URL %s: want the redis service", env["REDIS_URL"])
	}
	cmd := strings.Join(c.Services["redis"].Command, " ")
	for _, want := range []string{"--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("redis command %q lacks %s", cmd, want)
		}
	}
	for _, s := range []string{"postgres", "redis"} {
		if len(c.Services[s].Volumes) == 0 {
			t.Errorf("service %s keeps no data in a volume", s)
		}
		if c.Services["bot"].DependsOn[s].Condition != "service_healthy" {
			t.Errorf("bot does not wait for %s to be healthy", s)
		}
	}
}

func redactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

// TestComposeHealthChecks: every service has a health check; the bot's runs
// the binary (the image has no shell) against its own listen port, and
// compose gives it time to shut down.
func TestComposeHealthChecks(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		if s.Restart == "no" {
			continue // a one-shot job (migrate): it exits, it does not serve
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) == 0 {
			t.Errorf("service %s has no health check", name)
		}
	}
	u := composeHealthURL(t, c)
	env, err := serviceEnv(c.Services["bot"], samples)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(getenvFrom(env), needAll)
	if err != nil {
		t.Fatal(err)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" {
		t.Errorf("bot health check asks %s; want the container itself", u)
	}
	if p, _ := strconv.Atoi(u.Port()); p != port(t, cfg.ListenAddr) {
		t.Errorf("bot health check asks port %s; the bot listens on %s", u.Port(), cfg.ListenAddr)
	}
	g, err := time.ParseDuration(c.Services["bot"].StopGracePeriod)
	if err != nil || g <= shutdownBound {
		t.Errorf("bot stop_grace_period %q; want more than the shutdown bound, %v", c.Services["bot"].StopGracePeriod, shutdownBound)
	}
}

// composeHealthURL returns the URL the bot's compose health check asks,
// after checking that it is `/hotline health URL` run without a shell.
func composeHealthURL(t *testing.T, c compose) *url.URL {
	t.Helper()
	test := c.Services["bot"].Healthcheck.Test
	dockerfileUser(t) // checks the entrypoint is /hotline
	if len(test) != 4 || test[0] != "CMD" || test[1] != "/hotline" || test[2] != "health" {
		t.Fatalf("bot health check %q; want [CMD /hotline health URL]: the distroless image has no shell", test)
	}
	u, err := url.Parse(test[3])
	if err != nil || u.Scheme != "http" {
		t.Fatalf("bot health check URL %q: want http://127.0.0.1:PORT/PATH", test[3])
	}
	return u
}

// probeCheck is a path a probe or the Ingress asks and what the bot must
// answer: while Postgres and Redis are up, and after the bot lost Redis.
type probeCheck struct {
	what          string
	method, path  string
	up, redisGone int // status codes
}

// TestDeployHealthPathsAreServed starts the bot as main.go does, from the
// Deployment's settings, and asks it every path the manifests' probes, the
// Ingress and the compose health check use: liveness must stay 200 when
// Redis goes away (restarting would not bring it back), readiness must not.
func TestDeployHealthPathsAreServed(t *testing.T) {
	takesLong(t, 8*time.Second)
	ms := loadManifests(t)
	c, _ := botContainer(t, ms)
	var checks []probeCheck
	for _, p := range []struct {
		kind string
		p    *probe
	}{{"startup", c.StartupProbe}, {"liveness", c.LivenessProbe}, {"readiness", c.ReadinessProbe}} {
		if p.p == nil || p.p.HTTPGet == nil {
			t.Errorf("the bot container has no %s probe over HTTP", p.kind)
			continue
		}
		if !containerPort(c, p.p.HTTPGet.Port) {
			t.Errorf("%s probe asks port %s, which the container does not have", p.kind, p.p.HTTPGet.Port)
		}
		gone := http.StatusOK
		if p.kind == "readiness" {
			gone = http.StatusServiceUnavailable
		}
		checks = append(checks, probeCheck{"the " + p.kind + " probe", http.MethodGet, p.p.HTTPGet.Path, http.StatusOK, gone})
	}
	var ing ingressSpec
	ms.one(t, "Ingress", &ing)
	for _, r := range ing.Rules {
		for _, p := range r.HTTP.Paths {
			// Without Telegram's secret token: refused, but there to refuse.
			checks = append(checks, probeCheck{"the Ingress", http.MethodPost, p.Path, http.StatusUnauthorized, http.StatusUnauthorized})
		}
	}
	cu := composeHealthURL(t, loadCompose(t))
	checks = append(checks, probeCheck{"the compose health check", http.MethodGet, cu.Path, http.StatusOK, http.StatusServiceUnavailable})
	// The Prometheus annotations on the pods.
	var d deploymentSpec
	ms.one(t, "Deployment", &d)
	if mp := d.Template.Metadata.Annotations["prometheus.io/path"]; mp != "" {
		checks = append(checks, probeCheck{"the Prometheus annotation", http.MethodGet, mp, http.StatusOK, http.StatusOK})
	}

	env := filled(t, ms.env(t, c))
	tg := telegramtest.New()
	defer tg.Close()
	env["TELEGRAM_API_URL"] = tg.URL()
	env["TELEGRAM_BOT_TOKEN"] = tg.Token()
	env["DATABASE_URL"] = storagetest.PostgresURL(t)
	redisLink := isolatedRedis(t, env)
	env["LISTEN_ADDR"] = "127.0.0.1:0"
	cfg, err := loadConfig(getenvFrom(env), needAll)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *server, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, newLogger(io.Discard, cfg.LogLevel), func(s *server) { started <- s }) }()
	var srv *server
	select {
	case srv = <-started:
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	// Several checks ask the same path; with Redis down an answer takes
	// the readiness handler's retries, so each path is asked once a phase.
	answers := map[string]int{}
	ask := func(pc probeCheck) int {
		key := pc.method + " " + pc.path
		if code, ok := answers[key]; ok {
			return code
		}
		req, err := http.NewRequest(pc.method, "http://"+srv.Addr+pc.path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", pc.method, pc.path, err)
		}
		resp.Body.Close()
		answers[key] = resp.StatusCode
		return resp.StatusCode
	}
	for _, pc := range checks {
		if got := ask(pc); got != pc.up {
			t.Errorf("%s: %s %s answers %d, want %d", pc.what, pc.method, pc.path, got, pc.up)
		}
	}
	// The compose health check is `hotline health URL`, run as the container runs it.
	cu.Host = srv.Addr
	var stderr bytes.Buffer
	if code := run(ctx, []string{"health", cu.String()}, getenvFrom(nil), io.Discard, &stderr); code != 0 {
		t.Errorf("hotline health %s: exit %d, %s", cu, code, stderr.String())
	}

	// Redis stopped: the bot is alive but not ready.
	redisLink.cut()
	clear(answers)
	for _, pc := range checks {
		if got := ask(pc); got != pc.redisGone {
			t.Errorf("%s with Redis gone: %s %s answers %d, want %d", pc.what, pc.method, pc.path, got, pc.redisGone)
		}
	}
	// The container's health log says what is not ready.
	stderr.Reset()
	code := run(ctx, []string{"health", cu.String()}, getenvFrom(nil), io.Discard, &stderr)
	if got := stderr.String(); code != 1 || !strings.Contains(got, "503") || !strings.Contains(got, "redis unreachable") {
		t.Errorf("hotline health with Redis gone: exit %d, %q; want 1 and what is unreachable", code, got)
	}
}

// isolatedRedis points env at the test Redis, through a link the test can
// cut, and under a key prefix of this test's own, so that its bot shares no
// inbox or leases with another test's or a sandbox's; the keys are deleted
// when the test ends.
func isolatedRedis(t *testing.T, env map[string]string) *tcpLink {
	t.Helper()
	_, prefix := storagetest.Redis(t)
	u, err := url.Parse(os.Getenv("REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	l := newTCPLink(t, u.Host)
	u.Host = l.addr()
	env["REDIS_URL"] = u.String()
	env["HOTLINE_REDIS_PREFIX"] = prefix
	return l
}

// tcpLink forwards TCP connections to a server until it is cut, which looks
// to the client like the server stopping.
type tcpLink struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func newTCPLink(t *testing.T, target string) *tcpLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &tcpLink{ln: ln, target: target}
	go l.accept()
	t.Cleanup(l.cut)
	return l
}

func (l *tcpLink) addr() string { return l.ln.Addr().String() }

// accept forwards connections until the listener is closed.
func (l *tcpLink) accept() {
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", l.target)
		if err != nil {
			c.Close()
			continue
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		l.conns = append(l.conns, c, s)
		l.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			dst.Close()
			src.Close()
		}
		go pipe(s, c)
		go pipe(c, s)
	}
}

// cut refuses new connections and breaks the open ones.
func (l *tcpLink) cut() {
	l.ln.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}
