import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './http-client';
import { queryKeys } from './query-keys';

export interface ForecastParams {
  [key: string]: string | undefined;
  from: string;
  to: string;
  groupBy: 'owner' | 'team';
  pipelineId?: string;
}

export function useForecast(params: ForecastParams) {
  return useQuery({
    queryKey: queryKeys.forecast.one(params),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/forecast', {
          params: {
            query: {
              from: params.from,
              to: params.to,
              groupBy: params.groupBy,
              ...(params.pipelineId ? { pipelineId: params.pipelineId } : {}),
            },
          },
          signal,
        }),
      ),
    meta: { persist: true },
  });
}
