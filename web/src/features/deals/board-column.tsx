import { useDroppable } from '@dnd-kit/core';
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { Trophy, XCircle } from 'lucide-react';
import type { BoardColumn as Column, Deal } from '../../api/types';
import { formatMoney } from '../../domain/money';
import { DealCard } from './deal-card';

function primaryTotals(column: Column) {
  const withAmount = column.totals.filter((t) => t.amount && t.currency);
  const main = [...withAmount].sort((a, b) => b.dealCount - a.dealCount)[0];
  return { main, others: withAmount.length - (main ? 1 : 0) };
}

export function BoardColumn({
  column,
  deals,
  me,
  flashing,
  loadingMore,
  onLoadMore,
  onMoveRequest,
}: {
  column: Column;
  deals: Deal[];
  me: string | undefined;
  flashing: ReadonlySet<string>;
  loadingMore: boolean;
  onLoadMore: () => void;
  onMoveRequest: (deal: Deal) => void;
}) {
  const { setNodeRef, isOver } = useDroppable({
    id: `column:${column.stage.id}`,
    data: { type: 'column', stageId: column.stage.id },
  });
  const { main, others } = primaryTotals(column);
  const kind = column.stage.kind;
  const headingId = `stage-${column.stage.id}`;
  return (
    <section
      className={`board-column board-column-${kind}${isOver ? ' over' : ''}`}
      aria-labelledby={headingId}
      data-stage-id={column.stage.id}
    >
      <header className="board-column-header">
        <div className="row-between">
          <h2 id={headingId} className="row" style={{ gap: 6 }}>
            {kind === 'won' ? (
              <Trophy size={15} aria-hidden="true" />
            ) : kind === 'lost' ? (
              <XCircle size={15} aria-hidden="true" />
            ) : null}
            <span className="truncate">{column.stage.name}</span>
          </h2>
          <span className="badge" aria-label={`${column.dealCount} deals`}>
            {column.dealCount}
          </span>
        </div>
        <div className="board-column-totals tabular">
          <span title="Total">{main ? formatMoney(main.amount, { compact: true }) : formatMoney(null)}</span>
          {kind === 'open' ? (
            <span className="subtle" title={`Weighted at ${column.stage.probability}%`}>
              {main ? formatMoney(main.weightedAmount, { compact: true }) : '—'} weighted · {column.stage.probability}%
            </span>
          ) : null}
          {others > 0 ? <span className="subtle">+{others} other currencies</span> : null}
        </div>
      </header>
      <SortableContext id={column.stage.id} items={deals.map((d) => d.id)} strategy={verticalListSortingStrategy}>
        <ol ref={setNodeRef} className="board-cards" aria-label={`${column.stage.name} deals`}>
          {deals.map((deal) => (
            <DealCard
              key={deal.id}
              deal={deal}
              me={me}
              flashing={flashing.has(deal.id)}
              onMoveRequest={onMoveRequest}
            />
          ))}
          {deals.length === 0 ? <li className="board-empty">Drop deals here</li> : null}
        </ol>
      </SortableContext>
      {column.nextCursor ? (
        <button type="button" className="btn btn-sm btn-ghost board-more" disabled={loadingMore} onClick={onLoadMore}>
          {loadingMore ? 'Loading…' : `Show more (${column.dealCount - deals.length})`}
        </button>
      ) : null}
    </section>
  );
}
