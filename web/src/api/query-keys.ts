// Every query key of the app, in one place: live updates and mutations invalidate by these prefixes.

export type ListFilters = Record<string, string | undefined>;

/** Filters without empty values, so {q: ''} and {} share a cache entry. */
export function cleanFilters<F extends ListFilters>(filters: F): Partial<F> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== '')) as Partial<F>;
}

export const queryKeys = {
  me: ['me'] as const,
  capabilities: ['capabilities'] as const,
  settings: ['settings'] as const,
  customFields: (entity: string) => ['custom-fields', entity] as const,
  contacts: {
    all: ['contacts'] as const,
    list: (filters: ListFilters) => ['contacts', 'list', cleanFilters(filters)] as const,
    detail: (id: string) => ['contacts', 'detail', id] as const,
    activities: (id: string) => ['contacts', 'activities', id] as const,
    duplicates: (id: string) => ['contacts', 'duplicates', id] as const,
  },
  companies: {
    all: ['companies'] as const,
    list: (filters: ListFilters) => ['companies', 'list', cleanFilters(filters)] as const,
    detail: (id: string) => ['companies', 'detail', id] as const,
    contacts: (id: string) => ['companies', 'contacts', id] as const,
    activities: (id: string) => ['companies', 'activities', id] as const,
  },
  imports: {
    all: ['imports'] as const,
    list: ['imports', 'list'] as const,
    detail: (id: string) => ['imports', 'detail', id] as const,
  },
  pipelines: {
    all: ['pipelines'] as const,
    list: ['pipelines', 'list'] as const,
    detail: (id: string) => ['pipelines', 'detail', id] as const,
  },
  deals: {
    all: ['deals'] as const,
    list: (filters: ListFilters) => ['deals', 'list', cleanFilters(filters)] as const,
    detail: (id: string) => ['deals', 'detail', id] as const,
  },
  boards: {
    all: ['board'] as const,
    one: (pipelineId: string, filters: ListFilters) => ['board', pipelineId, cleanFilters(filters)] as const,
  },
  forecast: {
    all: ['forecast'] as const,
    one: (params: ListFilters) => ['forecast', cleanFilters(params)] as const,
  },
  dashboards: {
    all: ['dashboards'] as const,
    metrics: ['dashboards', 'metrics'] as const,
    one: (dashboard: string, query: ListFilters) => ['dashboards', dashboard, cleanFilters(query)] as const,
    // Empty group/source select "records without one": kept in the key as they are.
    records: (dashboard: string, query: ListFilters) => ['dashboards', dashboard, 'records', query] as const,
  },
  workflows: {
    all: ['workflows'] as const,
    list: ['workflows', 'list'] as const,
    detail: (id: string) => ['workflows', 'detail', id] as const,
    runs: (ruleId: string) => ['workflows', 'runs', ruleId] as const,
    run: (id: string) => ['workflows', 'run', id] as const,
  },
  webhooks: {
    all: ['webhooks'] as const,
    list: ['webhooks', 'list'] as const,
    detail: (id: string) => ['webhooks', 'detail', id] as const,
    deliveries: (id: string) => ['webhooks', 'deliveries', id] as const,
  },
  forms: {
    all: ['forms'] as const,
    list: ['forms', 'list'] as const,
    detail: (id: string) => ['forms', 'detail', id] as const,
  },
  tasks: {
    all: ['tasks'] as const,
    reminders: ['tasks', 'reminders'] as const,
  },
};
