{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "crm.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name of one component: <release>-<component>. */}}
{{- define "crm.componentName" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crm.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "crm.name" .root }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "crm.selectorLabels" . }}
{{- end -}}

{{- define "crm.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* A component's settings: chart defaults overlaid with the component's own values. */}}
{{- define "crm.settings" -}}
{{- $defaults := deepCopy .root.Values.defaults -}}
{{- toYaml (mergeOverwrite $defaults (deepCopy .component)) -}}
{{- end -}}

{{- define "crm.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .component.image $tag -}}
{{- end -}}

{{/* The port a component serves its API on. */}}
{{- define "crm.apiPort" -}}
{{- if eq .component.kind "http" -}}{{ .component.httpPort }}{{- else -}}{{ .component.grpcPort }}{{- end -}}
{{- end -}}
