import { Plus, SquareKanban } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useBoard, usePipelines } from '../../api/deals.api';
import { queryKeys } from '../../api/query-keys';
import { useAccess } from '../../app/access';
import { onLiveEvent } from '../../live/live-updates';
import { formatMoney } from '../../domain/money';
import { useGlobalActions } from '../../shell/global-actions';
import { EmptyState, ErrorPanel, PageHeader, Skeleton, Spinner } from '../../ui/misc';
import { ScopeSelect, scopeFilter, useUrlFilters } from '../records/list-filters';
import { BoardView } from './board-view';

const FLASH_MS = 2000;

/** Deals changed by someone else light up briefly when their change arrives. */
function useFlashing(me: string | undefined): ReadonlySet<string> {
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  useEffect(
    () =>
      onLiveEvent((event) => {
        if (!event.type.startsWith('deal.') || event.actor?.userId === me) return;
        setFlashing((s) => new Set([...s, event.aggregateId]));
        window.setTimeout(
          () =>
            setFlashing((s) => {
              const next = new Set(s);
              next.delete(event.aggregateId);
              return next;
            }),
          FLASH_MS,
        );
      }),
    [me],
  );
  return flashing;
}

export function BoardPage() {
  const access = useAccess();
  const { openCreate } = useGlobalActions();
  const { values, set } = useUrlFilters(['pipeline', 'scope'] as const);
  const pipelines = usePipelines();
  const pipeline =
    pipelines.data?.find((p) => p.id === values.pipeline) ??
    pipelines.data?.find((p) => p.isDefault) ??
    pipelines.data?.[0];
  const filters = scopeFilter(values.scope, access.userId);
  const board = useBoard(pipeline?.id, filters);
  const flashing = useFlashing(access.userId);
  const [activeStage, setActiveStage] = useState<string | undefined>();
  const boardRef = useRef<HTMLDivElement>(null);

  const open = board.data?.columns.filter((c) => c.stage.kind === 'open') ?? [];
  const openCount = open.reduce((n, c) => n + c.dealCount, 0);
  const currencies = new Map<string, { amountMinor: number; weightedMinor: number }>();
  for (const column of open)
    for (const t of column.totals) {
      if (!t.amount || !t.currency) continue;
      const sum = currencies.get(t.currency) ?? { amountMinor: 0, weightedMinor: 0 };
      sum.amountMinor += t.amount.amountMinor;
      sum.weightedMinor += t.weightedAmount?.amountMinor ?? 0;
      currencies.set(t.currency, sum);
    }
  const [mainCurrency, mainSum] =
    [...currencies.entries()].sort((a, b) => b[1].amountMinor - a[1].amountMinor)[0] ?? [];

  const scrollToStage = (stageId: string) => {
    setActiveStage(stageId);
    boardRef.current
      ?.querySelector(`[data-stage-id="${stageId}"]`)
      ?.scrollIntoView({ behavior: 'smooth', inline: 'start', block: 'nearest' });
  };

  return (
    <div className="page page-wide board-page">
      <PageHeader
        title="Deals"
        subtitle={
          board.data ? (
            <>
              {openCount} open
              {mainCurrency && mainSum
                ? ` · ${formatMoney({ amountMinor: mainSum.amountMinor, currency: mainCurrency })} in pipeline · ${formatMoney({ amountMinor: mainSum.weightedMinor, currency: mainCurrency })} weighted`
                : ''}
            </>
          ) : (
            'Your pipeline'
          )
        }
        actions={
          <>
            {(pipelines.data?.length ?? 0) > 1 ? (
              <select
                className="select"
                aria-label="Pipeline"
                value={pipeline?.id ?? ''}
                onChange={(e) => set('pipeline', e.target.value)}
              >
                {pipelines.data?.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            ) : null}
            <ScopeSelect value={values.scope} onChange={(v) => set('scope', v)} />
            {board.isFetching ? <Spinner label="Updating" /> : null}
            {access.can('dealsWrite') ? (
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => openCreate('deal', pipeline ? { pipelineId: pipeline.id } : undefined)}
              >
                <Plus size={16} aria-hidden="true" /> New deal
              </button>
            ) : null}
          </>
        }
      />
      {board.data ? (
        <nav className="stage-tabs mobile-only" aria-label="Stages">
          {board.data.columns.map((column) => (
            <button
              key={column.stage.id}
              type="button"
              className="stage-tab"
              aria-current={activeStage === column.stage.id ? 'true' : undefined}
              onClick={() => scrollToStage(column.stage.id)}
            >
              {column.stage.name} <span className="badge">{column.dealCount}</span>
            </button>
          ))}
        </nav>
      ) : null}
      <div ref={boardRef}>
        {pipelines.isPending || (board.isPending && pipeline) ? (
          <div className="board" role="status" aria-busy="true" aria-label="Loading the board">
            {Array.from({ length: 5 }, (_, i) => (
              <div key={i} className="board-column">
                <Skeleton height={40} />
                <div className="stack" style={{ marginTop: 10 }}>
                  <Skeleton height={72} />
                  <Skeleton height={72} />
                  <Skeleton height={72} />
                </div>
              </div>
            ))}
          </div>
        ) : board.isError && !board.data ? (
          <ErrorPanel error={board.error} onRetry={() => void board.refetch()} />
        ) : !pipeline || !board.data ? (
          <EmptyState icon={<SquareKanban size={22} />} title="No pipeline yet">
            An administrator sets up pipelines and their stages.
          </EmptyState>
        ) : (
          <BoardView
            board={board.data}
            boardKey={queryKeys.boards.one(pipeline.id, filters)}
            filters={filters}
            me={access.userId}
            flashing={flashing}
            activeStage={activeStage}
          />
        )}
      </div>
    </div>
  );
}
