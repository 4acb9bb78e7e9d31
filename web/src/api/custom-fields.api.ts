import { useQuery } from '@tanstack/react-query';
import { normalizeDefinition } from '../domain/custom-fields';
import { api, ifMatch, unwrap } from './http-client';
import { queryKeys } from './query-keys';
import type { CustomFieldDefinition, CustomFieldEntity } from './types';

export interface CustomFieldSet {
  entity: CustomFieldEntity;
  definitions: CustomFieldDefinition[];
  version: number;
}

export function useCustomFields(entity: CustomFieldEntity) {
  return useQuery({
    queryKey: queryKeys.customFields(entity),
    queryFn: async ({ signal }): Promise<CustomFieldSet> => {
      const set = await unwrap(api.GET('/api/v1/custom-fields/{entity}', { params: { path: { entity } }, signal }));
      // The read schema is open (definitions as objects); normalized to the write schema's shape.
      return { entity: set.entity, definitions: set.definitions.map(normalizeDefinition), version: set.version };
    },
    staleTime: 5 * 60_000,
    meta: { persist: true },
  });
}

export function saveCustomFields(
  entity: CustomFieldEntity,
  version: number,
  definitions: CustomFieldDefinition[],
): Promise<unknown> {
  return unwrap(
    api.PUT('/api/v1/custom-fields/{entity}', {
      params: { path: { entity }, header: ifMatch(version) },
      body: { definitions },
    }),
  );
}
