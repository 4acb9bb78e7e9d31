{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "crm.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a release-wide object: <release>-<suffix>. */}}
{{- define "crm.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .suffix | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name of one component: <release>-<component>. */}}
{{- define "crm.componentName" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crm.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "crm.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "crm.labels" -}}
{{ include "crm.commonLabels" .root }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/component: {{ .component.kind | eq "http" | ternary "gateway" "service" }}
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

{{/* The enabled components, sorted by name, as a list of names. */}}
{{- define "crm.enabledNames" -}}
{{- $names := list -}}
{{- range $name, $c := .Values.components -}}{{- if $c.enabled -}}{{- $names = append $names $name -}}{{- end -}}{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/*
A credential: {existingSecret, key, value} (or url for a connection string). Returns the Secret name to read: the existing one, or the one the
chart creates from `value` (<release>-<suffix>). Fails with a message naming the value when neither is set.
*/}}
{{- define "crm.secretName" -}}
{{- if .credential.existingSecret -}}
{{- .credential.existingSecret -}}
{{- else if or .credential.value .credential.url -}}
{{- include "crm.fullname" (dict "root" .root "suffix" .suffix) -}}
{{- else -}}
{{- fail (printf "%s: set existingSecret (a Secret you created) or %s (the chart creates the Secret)" .path (hasKey .credential "url" | ternary "url" "value")) -}}
{{- end -}}
{{- end -}}

{{/*
A component's `secretEnv`: one env entry per variable, read from its existing Secret or from the Secret the chart
creates from its value (<release>-<component>-<variable in kebab case>).
*/}}
{{- define "crm.secretEnv" -}}
{{- range $var, $credential := .component.secretEnv }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ include "crm.secretName" (dict "root" $.root "credential" $credential "suffix" (include "crm.secretEnvSuffix" (dict "name" $.name "var" $var)) "path" (printf "components.%s.secretEnv.%s" $.name $var)) }}
      key: {{ $credential.key }}
{{- end }}
{{- end -}}

{{- define "crm.secretEnvSuffix" -}}
{{- printf "%s-%s" .name (.var | lower | replace "_" "-") -}}
{{- end -}}

{{/* Whether the chart itself creates the databases (then they do not exist before install). */}}
{{- define "crm.inChartDatabases" -}}
{{- or .Values.postgresql.enabled .Values.mongodb.enabled | ternary "true" "" -}}
{{- end -}}

{{/* MONGODB_URL, POSTGRES_URL and NATS_URL entries of a container's env, for in-chart or external dependencies. */}}
{{- define "crm.dependencyEnv" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- if $v.mongodb.enabled }}
- name: MONGODB_URL
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s-mongodb-admin-%s" $root.Release.Name $v.mongodb.user }}
      key: connectionString.standard
{{- else }}
- name: MONGODB_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "crm.secretName" (dict "root" $root "credential" $v.externalMongodb "suffix" "mongodb" "path" "externalMongodb") }}
      key: {{ $v.externalMongodb.key }}
{{- end }}
{{- if .readModel }}
{{- if $v.postgresql.enabled }}
- name: PG_USER
  valueFrom: { secretKeyRef: { name: {{ printf "%s-postgresql-app" $root.Release.Name }}, key: username } }
- name: PG_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ printf "%s-postgresql-app" $root.Release.Name }}, key: password } }
- name: POSTGRES_URL
  value: {{ printf "postgres://$(PG_USER):$(PG_PASSWORD)@%s-postgresql-rw:5432" $root.Release.Name | quote }}
{{- else }}
- name: POSTGRES_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "crm.secretName" (dict "root" $root "credential" $v.externalPostgresql "suffix" "postgresql" "path" "externalPostgresql") }}
      key: {{ $v.externalPostgresql.key }}
{{- end }}
- name: POSTGRES_DB
  value: {{ printf "crm_%s" (.name | replace "-" "_") | quote }}
{{- end }}
{{- if $v.nats.enabled }}
- name: NATS_URL
  value: {{ printf "nats://%s-nats:4222" $root.Release.Name | quote }}
{{- else if $v.externalNats.existingSecret }}
- name: NATS_URL
  valueFrom: { secretKeyRef: { name: {{ $v.externalNats.existingSecret }}, key: {{ $v.externalNats.key }} } }
{{- else }}
- name: NATS_URL
  value: {{ $v.externalNats.url | quote }}
{{- end }}
{{- end -}}

{{/* The OIDC issuer: the in-chart Keycloak's realm, or the external one. */}}
{{- define "crm.oidcIssuer" -}}
{{- if .Values.keycloak.enabled -}}
{{- printf "https://%s/realms/crm" .Values.keycloak.hostname -}}
{{- else -}}
{{- .Values.externalKeycloak.issuer -}}
{{- end -}}
{{- end -}}

{{/* Pod security context shared by every pod of the chart: non-root numeric user, RuntimeDefault seccomp. */}}
{{- define "crm.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile: { type: RuntimeDefault }
{{- end -}}

{{- define "crm.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
privileged: false
capabilities: { drop: [ALL] }
{{- end -}}
