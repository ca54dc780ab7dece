{{- define "baton.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "baton.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "baton.selectorLabels" -}}
app.kubernetes.io/name: {{ include "baton.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The serving pods: the migration Job's pods share the name and instance, not the component. */}}
{{- define "baton.serverSelectorLabels" -}}
{{ include "baton.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "baton.labels" -}}
{{ include "baton.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "baton.secretName" -}}
{{- default (include "baton.fullname" .) .Values.slack.existingSecret -}}
{{- end -}}

{{- define "baton.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{/* The container settings every Baton container shares: no root, nothing written but /tmp. */}}
{{- define "baton.securityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The settings from the Secret: what this mode needs and where the data lives. */}}
{{- define "baton.secretEnv" -}}
{{- $secret := include "baton.secretName" . -}}
{{- $keys := list "SLACK_BOT_TOKEN" "DATABASE_URL" "REDIS_URL" -}}
{{- if eq .Values.mode "http" -}}
{{- $keys = append $keys "SLACK_SIGNING_SECRET" -}}
{{- else -}}
{{- $keys = append $keys "SLACK_APP_TOKEN" -}}
{{- end -}}
{{- range $keys }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
{{- end }}
{{- end -}}
