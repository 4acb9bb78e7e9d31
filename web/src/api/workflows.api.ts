// Automation rules and their runs (/api/v1/workflows, /api/v1/workflow-runs).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import type { components } from './openapi.gen';
import { queryKeys } from './query-keys';

type Schemas = components['schemas'];
export type WorkflowRule = Schemas['WorkflowRule'];
export type WorkflowRuleCreate = Schemas['WorkflowRuleCreate'];
export type WorkflowRulePatch = Schemas['WorkflowRulePatch'];
export type WorkflowRun = Schemas['WorkflowRun'];
export type WorkflowRunStep = WorkflowRun['steps'][number];
export type ApplyResult = Schemas['WorkflowRulesApplyResult'];
export type DryRunMatch = Schemas['WorkflowDryRun']['matches'][number];

export function useRules() {
  return useInfiniteQuery({
    queryKey: queryKeys.workflows.list,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/workflows', {
          params: { query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function fetchRule(id: string, signal?: AbortSignal): Promise<WorkflowRule> {
  return unwrap(api.GET('/api/v1/workflows/{id}', { params: { path: { id } }, signal }));
}

export function useRule(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.workflows.detail(id ?? ''),
    queryFn: ({ signal }) => fetchRule(id ?? '', signal),
    enabled: Boolean(id),
  });
}

export function createRule(rule: WorkflowRuleCreate): Promise<WorkflowRule> {
  return idempotent((headers) =>
    unwrap(api.POST('/api/v1/workflows', { params: { header: headers }, body: rule as never })),
  );
}

export function patchRule(id: string, version: number, patch: WorkflowRulePatch): Promise<WorkflowRule> {
  return unwrap(
    api.PATCH('/api/v1/workflows/{id}', {
      params: { path: { id }, header: ifMatch(version) },
      body: patch as never,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}

/** The plan for a YAML document of rules: per rule the diff against the live version and what it would match. */
export function planRules(yaml: string): Promise<ApplyResult> {
  return unwrap(api.POST('/api/v1/workflows/apply', { body: { yaml, dryRun: true } }));
}

export function triggerRule(id: string): Promise<{ runId: string }> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/workflows/{id}/trigger', {
        params: { path: { id }, header: headers },
        body: { payload: {} },
      }),
    ),
  );
}

export function useRuleRuns(ruleId: string | undefined) {
  return useInfiniteQuery({
    queryKey: queryKeys.workflows.runs(ruleId ?? ''),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/workflow-runs', {
          params: { query: { ruleId: ruleId ?? '', limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: Boolean(ruleId),
    // Runs still working finish on their own; their list follows.
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.data.some((r) => ['pending', 'running'].includes(r.status))) ? 2000 : false,
  });
}

export function useRun(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.workflows.run(id ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/workflow-runs/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: Boolean(id),
    // A run still working changes under the user's eyes.
    refetchInterval: (query) =>
      query.state.data && ['pending', 'running', 'waiting'].includes(query.state.data.status) ? 2000 : false,
  });
}

export function retryRun(run: WorkflowRun): Promise<WorkflowRun> {
  return unwrap(
    api.POST('/api/v1/workflow-runs/{id}/retry', {
      params: { path: { id: run.id }, header: ifMatch(run.version) },
      body: {},
    }),
  );
}
