import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import type { components } from './openapi.gen';

export type Task = components['schemas']['Task'];
type TaskPage = components['schemas']['TaskList'];

const MY_TASKS = ['tasks', 'mine'] as const;

export function useMyTasks() {
  return useInfiniteQuery({
    queryKey: MY_TASKS,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/me/tasks', {
          params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    meta: { persist: true },
  });
}

export function completeTask(task: Task): Promise<Task> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/tasks/{id}/complete', {
        params: { path: { id: task.id }, header: { ...headers, ...ifMatch(task.version) } },
        body: {},
      }),
    ),
  );
}

/** Completing takes the task off the list at once; a refusal puts it back where it was. */
export function useCompleteTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: completeTask,
    onMutate: async (task) => {
      await client.cancelQueries({ queryKey: MY_TASKS });
      const before = client.getQueryData<InfiniteData<TaskPage>>(MY_TASKS);
      client.setQueryData<InfiniteData<TaskPage>>(MY_TASKS, (data) =>
        data
          ? { ...data, pages: data.pages.map((page) => ({ ...page, data: page.data.filter((t) => t.id !== task.id) })) }
          : data,
      );
      return { before };
    },
    onError: (_error, _task, context) => {
      if (context?.before) client.setQueryData(MY_TASKS, context.before);
    },
    onSettled: () => void client.invalidateQueries({ queryKey: MY_TASKS }),
  });
}
