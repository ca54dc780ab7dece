package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// rendered is the chart's objects, decoded strictly into the Kubernetes API types.
type rendered struct {
	deployment  *appsv1.Deployment
	job         *batchv1.Job
	secret      *corev1.Secret
	configMap   *corev1.ConfigMap
	service     *corev1.Service
	pdb         *policyv1.PodDisruptionBudget
	monitor     map[string]any // monitoring.coreos.com/v1, not in k8s.io/api
	annotations map[string]map[string]string
}

// httpValues are the values of a typical install in HTTP mode.
func httpValues() map[string]any {
	return map[string]any{
		"slack":       map[string]any{"botToken": "xoxb-1", "signingSecret": "s3cret"},
		"databaseURL": "postgres://baton:pw@db:5432/baton?sslmode=require",
		"redisURL":    "redis://redis:6379/0",
		"policies":    "types: []\n",
	}
}

// render renders deploy/helm/baton with values as `helm template` does, and decodes every object.
func render(t *testing.T, values map[string]any) (rendered, error) {
	t.Helper()
	chrt, err := loader.Load(filepath.Join("..", "helm", "baton"))
	if err != nil {
		t.Fatalf("the chart does not load: %v", err)
	}
	vals, err := util.ToRenderValues(chrt, values, common.ReleaseOptions{Name: "acme", Namespace: "baton", IsInstall: true}, nil)
	if err != nil {
		return rendered{}, err
	}
	files, err := engine.Render(chrt, vals)
	if err != nil {
		return rendered{}, err
	}
	out := rendered{annotations: map[string]map[string]string{}}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if filepath.Ext(name) != ".yaml" {
			continue
		}
		for _, doc := range strings.Split(files[name], "\n---") {
			if strings.TrimSpace(strings.ReplaceAll(doc, "---", "")) == "" {
				continue
			}
			var meta struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Annotations map[string]string `json:"annotations"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Fatalf("%s is not YAML: %v\n%s", name, err, doc)
			}
			var target any
			switch meta.Kind {
			case "Deployment":
				out.deployment = &appsv1.Deployment{}
				target = out.deployment
			case "Job":
				out.job = &batchv1.Job{}
				target = out.job
			case "Secret":
				out.secret = &corev1.Secret{}
				target = out.secret
			case "ConfigMap":
				out.configMap = &corev1.ConfigMap{}
				target = out.configMap
			case "Service":
				out.service = &corev1.Service{}
				target = out.service
			case "PodDisruptionBudget":
				out.pdb = &policyv1.PodDisruptionBudget{}
				target = out.pdb
			case "ServiceMonitor":
				out.monitor = map[string]any{}
				target = &out.monitor
			default:
				t.Fatalf("%s renders a %q the test does not know", name, meta.Kind)
			}
			strict(t, name, doc, target)
			out.annotations[meta.Kind] = meta.Metadata.Annotations
		}
	}
	return out, nil
}

// strict decodes a YAML document into target and fails on any field the type does not have.
func strict(t *testing.T, name, doc string, target any) {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		t.Fatalf("%s does not decode strictly into %T: %v\n%s", name, target, err, doc)
	}
}

func mustRender(t *testing.T, values map[string]any) rendered {
	t.Helper()
	r, err := render(t, values)
	if err != nil {
		t.Fatalf("the chart does not render: %v", err)
	}
	return r
}

func envOf(c corev1.Container) map[string]corev1.EnvVar {
	out := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		out[e.Name] = e
	}
	return out
}

// A typical HTTP-mode install: replicas with probes, no root and a read-only root filesystem, limits,
// tokens from a Secret made before the migration hook, the policy as a watched directory, a Service
// for Slack, and a disruption budget that keeps one replica up.
func TestHelmChartRendersASafeHTTPModeDeployment(t *testing.T) {
	r := mustRender(t, httpValues())
	for kind, got := range map[string]any{"Deployment": r.deployment, "Job": r.job, "Secret": r.secret, "ConfigMap": r.configMap, "Service": r.service, "PodDisruptionBudget": r.pdb} {
		if got == nil || fmt.Sprint(got) == "<nil>" {
			t.Fatalf("no %s rendered", kind)
		}
	}
	d := r.deployment
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("replicas = %v; want 2 or more", d.Spec.Replicas)
	}
	if u := d.Spec.Strategy.RollingUpdate; u == nil || u.MaxUnavailable == nil || u.MaxUnavailable.IntValue() != 0 {
		t.Errorf("a rollout may take a serving replica down first: %+v", d.Spec.Strategy)
	}
	pod := d.Spec.Template
	for k, v := range d.Spec.Selector.MatchLabels {
		if pod.Labels[k] != v {
			t.Errorf("the selector's %s=%s is not on the pods", k, v)
		}
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	if !slices.Equal(c.Args, []string{"run"}) || !strings.HasSuffix(c.Image, ":0.1.0") {
		t.Errorf("container runs %s %v; want the chart's appVersion, `baton run`", c.Image, c.Args)
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" || p.HTTPGet.Port.String() != "http" {
		t.Errorf("readiness probe %+v; want GET /readyz", p)
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
		t.Errorf("liveness probe %+v; want GET /healthz", p)
	}
	checkLocked(t, "baton", c)
	if pod.Spec.SecurityContext == nil || pod.Spec.SecurityContext.RunAsNonRoot == nil || !*pod.Spec.SecurityContext.RunAsNonRoot {
		t.Error("the pod may run as root")
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v; want cpu and memory requests and a memory limit", c.Resources)
	}

	env := envOf(c)
	for _, key := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", "REDIS_URL"} {
		e, ok := env[key]
		if !ok || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != r.secret.Name || e.ValueFrom.SecretKeyRef.Key != key {
			t.Errorf("%s does not come from the Secret %s: %+v", key, r.secret.Name, e)
		}
		if r.secret.StringData[key] == "" {
			t.Errorf("the Secret has no %s", key)
		}
	}
	if _, ok := env["SLACK_APP_TOKEN"]; ok {
		t.Error("HTTP mode sets SLACK_APP_TOKEN, which stops the start next to the signing secret")
	}
	if env["BATON_HTTP_ADDR"].Value != ":8080" || env["BATON_SHUTDOWN_DELAY"].Value == "" {
		t.Errorf("BATON_HTTP_ADDR %q, BATON_SHUTDOWN_DELAY %q", env["BATON_HTTP_ADDR"].Value, env["BATON_SHUTDOWN_DELAY"].Value)
	}
	if pod.Spec.TerminationGracePeriodSeconds == nil || *pod.Spec.TerminationGracePeriodSeconds < 30 {
		t.Errorf("termination grace %v leaves no time for the drain", pod.Spec.TerminationGracePeriodSeconds)
	}

	// The policy: a ConfigMap mounted as a directory (a subPath mount would never see an edit).
	path := env["BATON_POLICIES"].Value
	mounted := false
	for _, m := range c.VolumeMounts {
		if m.Name == "policies" && strings.HasPrefix(path, m.MountPath+"/") {
			mounted = m.SubPath == "" && m.ReadOnly
		}
	}
	if !mounted || r.configMap.Data[filepath.Base(path)] != "types: []\n" {
		t.Errorf("BATON_POLICIES %q is not the ConfigMap's file in a read-only directory mount", path)
	}

	// The migration: a hook that runs `baton migrate` after the Secret it reads exists.
	j := r.job
	if a := r.annotations["Job"]; !strings.Contains(a["helm.sh/hook"], "pre-install") || !strings.Contains(a["helm.sh/hook"], "pre-upgrade") {
		t.Errorf("the migration Job is not a pre-install and pre-upgrade hook: %v", a)
	}
	if sw, jw := r.annotations["Secret"]["helm.sh/hook-weight"], r.annotations["Job"]["helm.sh/hook-weight"]; r.annotations["Secret"]["helm.sh/hook"] == "" || sw >= jw {
		t.Errorf("the Secret (hook weight %q) is not made before the migration Job (%q) that reads it", sw, jw)
	}
	jc := j.Spec.Template.Spec.Containers[0]
	if !slices.Equal(jc.Args, []string{"migrate"}) || j.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever || j.Spec.BackoffLimit == nil {
		t.Errorf("the migration runs %v, restart %s", jc.Args, j.Spec.Template.Spec.RestartPolicy)
	}
	checkLocked(t, "migrate", jc)
	if e := envOf(jc)["DATABASE_URL"]; e.ValueFrom == nil || e.ValueFrom.SecretKeyRef.Name != r.secret.Name {
		t.Errorf("the migration's DATABASE_URL does not come from the Secret: %+v", e)
	}

	if s := r.service; len(s.Spec.Ports) != 1 || s.Spec.Ports[0].TargetPort.String() != "http" || !matches(s.Spec.Selector, pod.Labels) {
		t.Errorf("the Service does not reach the pods' http port: %+v", s.Spec)
	}
	if p := r.pdb; p.Spec.MinAvailable == nil || p.Spec.MinAvailable.IntValue() != 1 || !matches(p.Spec.Selector.MatchLabels, pod.Labels) {
		t.Errorf("the disruption budget %+v does not keep a replica of these pods", p.Spec)
	}
	// The migration's pods are no replica: no selector of the serving pods takes them.
	if matches(d.Spec.Selector.MatchLabels, j.Spec.Template.Labels) || matches(r.service.Spec.Selector, j.Spec.Template.Labels) {
		t.Errorf("the migration Job's pods %v match the serving pods' selectors", j.Spec.Template.Labels)
	}
	// A changed Secret rolls the pods (they read the tokens at start); an unchanged one does not.
	sum := pod.Annotations["checksum/secret"]
	other := httpValues()
	other["slack"] = map[string]any{"botToken": "xoxb-2", "signingSecret": "s3cret"}
	if sum == "" || mustRender(t, other).deployment.Spec.Template.Annotations["checksum/secret"] == sum ||
		mustRender(t, httpValues()).deployment.Spec.Template.Annotations["checksum/secret"] != sum {
		t.Errorf("the pods' checksum/secret %q does not follow the Secret", sum)
	}
	if r.monitor != nil {
		t.Error("a ServiceMonitor is rendered though none was asked for")
	}
}

// checkLocked checks a container runs as Baton's non-root user with nothing writable but its volumes.
func checkLocked(t *testing.T, name string, c corev1.Container) {
	t.Helper()
	s := c.SecurityContext
	if s == nil || s.RunAsNonRoot == nil || !*s.RunAsNonRoot || s.RunAsUser == nil || *s.RunAsUser == 0 ||
		s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem ||
		s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation ||
		s.Capabilities == nil || !slices.Contains(s.Capabilities.Drop, corev1.Capability("ALL")) {
		t.Errorf("container %s is not locked down: %+v", name, s)
	}
}

// Socket Mode takes the app-level token instead of the signing secret; a Secret of one's own
// replaces the chart's; a ServiceMonitor when asked for; one replica has no disruption budget.
func TestHelmChartAcrossModesAndOptions(t *testing.T) {
	socket := httpValues()
	socket["mode"] = "socket"
	socket["slack"] = map[string]any{"botToken": "xoxb-1", "appToken": "xapp-1"}
	r := mustRender(t, socket)
	env := envOf(r.deployment.Spec.Template.Spec.Containers[0])
	if _, ok := env["SLACK_APP_TOKEN"]; !ok || r.secret.StringData["SLACK_APP_TOKEN"] != "xapp-1" {
		t.Error("Socket Mode gets no SLACK_APP_TOKEN")
	}
	if _, ok := env["SLACK_SIGNING_SECRET"]; ok {
		t.Error("Socket Mode sets SLACK_SIGNING_SECRET, which stops the start next to the app token")
	}

	own := map[string]any{"slack": map[string]any{"existingSecret": "baton-tokens"}, "replicaCount": 1,
		"serviceMonitor": map[string]any{"enabled": true}}
	r = mustRender(t, own)
	if r.secret != nil {
		t.Error("with an existing Secret the chart still makes one")
	}
	if e := envOf(r.deployment.Spec.Template.Spec.Containers[0])["SLACK_BOT_TOKEN"]; e.ValueFrom.SecretKeyRef.Name != "baton-tokens" {
		t.Errorf("SLACK_BOT_TOKEN comes from %q, not the existing Secret", e.ValueFrom.SecretKeyRef.Name)
	}
	if r.configMap != nil || envOf(r.deployment.Spec.Template.Spec.Containers[0])["BATON_POLICIES"].Value != "" {
		t.Error("without a policy the chart still mounts one")
	}
	if r.pdb != nil {
		t.Error("one replica gets a disruption budget that would block every drain")
	}
	endpoints, _ := r.monitor["spec"].(map[string]any)["endpoints"].([]any)
	if r.monitor == nil || len(endpoints) != 1 || endpoints[0].(map[string]any)["path"] != "/metrics" {
		t.Errorf("the ServiceMonitor does not scrape /metrics: %v", r.monitor)
	}
}

// Wrong or missing values stop the install with what to set.
func TestHelmChartRefusesWhatCannotRun(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(v map[string]any)
		want string
	}{
		"no bot token":                {func(v map[string]any) { v["slack"] = map[string]any{"signingSecret": "s"} }, "slack.botToken is required"},
		"http without the secret":     {func(v map[string]any) { v["slack"] = map[string]any{"botToken": "xoxb-1"} }, "slack.signingSecret is required"},
		"socket without an app token": {func(v map[string]any) { v["mode"] = "socket" }, "slack.appToken is required"},
		"no database":                 {func(v map[string]any) { delete(v, "databaseURL") }, "databaseURL is required"},
		"a mode that is not one":      {func(v map[string]any) { v["mode"] = "sockets" }, `mode is "sockets"`},
	} {
		v := httpValues()
		c.edit(v)
		if _, err := render(t, v); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error saying %q", name, err, c.want)
		}
	}
}

// Helm's own linter finds no warning or error in the chart (the chart has no icon to recommend).
func TestHelmLintPasses(t *testing.T) {
	l := lint.RunAll(filepath.Join("..", "helm", "baton"), httpValues(), "baton")
	for _, m := range l.Messages {
		if m.Severity >= support.WarningSev {
			t.Errorf("helm lint: %s", m)
		} else {
			t.Logf("helm lint: %s", m)
		}
	}
}

// matches reports whether a selector selects the labels.
func matches(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}
