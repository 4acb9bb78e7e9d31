// The kanban board: drag and drop between and within columns with mouse, touch and keyboard (dnd-kit). While a
// card is dragged the columns are local state; on drop the move is planned from the board and sent.
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  closestCorners,
  useSensor,
  useSensors,
  type Announcements,
  type KeyboardCoordinateGetter,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import { arrayMove, sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import { fetchColumnPage, type BoardFilters } from '../../api/deals.api';
import type { Board, Deal, Stage } from '../../api/types';
import { appendColumnPage, closingKindOf, type Placement } from '../../domain/board';
import { useToasts } from '../../ui/toast';
import { BoardColumn } from './board-column';
import { CloseDealDialog } from './close-deal-dialog';
import { DealCardBody } from './deal-card';
import { MoveSheet } from './move-sheet';
import { useDealMove } from './use-deal-move';

type Order = Record<string, string[]>;

const COLUMN_PREFIX = 'column:';

/**
 * Arrow keys while a card is lifted: up and down move it within its column (dnd-kit's sortable behaviour), left
 * and right to the neighbouring column. The sortable default would count the card's own column, which starts a few
 * pixels left of the card, as "to the left" and never leave it.
 */
export const boardKeyboardCoordinates: KeyboardCoordinateGetter = (event, args) => {
  if (event.code !== 'ArrowLeft' && event.code !== 'ArrowRight') return sortableKeyboardCoordinates(event, args);
  const { active, collisionRect, droppableRects, droppableContainers } = args.context;
  if (!active || !collisionRect) return undefined;
  event.preventDefault();
  const columns = droppableContainers
    .getEnabled()
    .filter((entry) => String(entry.id).startsWith(COLUMN_PREFIX))
    .flatMap((entry) => {
      const rect = droppableRects.get(entry.id);
      return rect ? [rect] : [];
    })
    .sort((a, b) => a.left - b.left);
  const center = collisionRect.left + collisionRect.width / 2;
  const current = columns.findIndex((rect) => center >= rect.left && center <= rect.left + rect.width);
  const target = columns[current + (event.code === 'ArrowRight' ? 1 : -1)];
  return current >= 0 && target ? { x: target.left, y: target.top } : undefined;
};

function orderOf(board: Board): Order {
  return Object.fromEntries(board.columns.map((c) => [c.stage.id, c.deals.map((d) => d.id)]));
}

export function BoardView({
  board,
  boardKey,
  filters,
  me,
  flashing,
  activeStage,
}: {
  board: Board;
  boardKey: QueryKey;
  filters: BoardFilters;
  me: string | undefined;
  flashing: ReadonlySet<string>;
  activeStage?: string | undefined;
}) {
  const client = useQueryClient();
  const toasts = useToasts();
  const { move } = useDealMove(boardKey);
  const [dragOrder, setDragOrder] = useState<Order | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [closing, setClosing] = useState<
    { dealId: string; to: Placement; kind: 'won' | 'lost'; stage: Stage } | undefined
  >();
  const [sheetDeal, setSheetDeal] = useState<Deal | undefined>();
  const [loadingMore, setLoadingMore] = useState<string | undefined>();
  const orderRef = useRef<Order | null>(null);

  const dealsById = useMemo(() => new Map(board.columns.flatMap((c) => c.deals).map((d) => [d.id, d])), [board]);
  const order = dragOrder ?? orderOf(board);
  const stages = board.columns.map((c) => c.stage);

  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    // Press and hold to drag, so a swipe still scrolls between columns on a phone.
    useSensor(TouchSensor, { activationConstraint: { delay: 220, tolerance: 8 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: boardKeyboardCoordinates,
      keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space'] },
    }),
  );

  const containerOf = (id: string, current: Order): string | undefined =>
    id.startsWith(COLUMN_PREFIX)
      ? id.slice(COLUMN_PREFIX.length)
      : Object.keys(current).find((k) => current[k]?.includes(id));

  const setOrder = (next: Order | null) => {
    orderRef.current = next;
    setDragOrder(next);
  };

  const commit = useCallback(
    (dealId: string, to: Placement, lostReason?: string) => {
      move(dealId, to, lostReason);
    },
    [move],
  );

  /** A drop or a sheet choice: won/lost stages ask first. */
  const requestMove = (dealId: string, to: Placement) => {
    const kind = closingKindOf(board, dealId, to.stageId);
    const stage = stages.find((s) => s.id === to.stageId);
    if (kind && stage) setClosing({ dealId, to, kind, stage });
    else commit(dealId, to);
  };

  const onDragStart = ({ active }: DragStartEvent) => {
    setActiveId(String(active.id));
    setOrder(orderOf(board));
  };

  const onDragOver = ({ active, over }: DragOverEvent) => {
    const current = orderRef.current;
    if (!over || !current) return;
    const from = containerOf(String(active.id), current);
    const to = containerOf(String(over.id), current);
    if (!from || !to || from === to) return;
    const target = current[to] ?? [];
    const overIndex = target.indexOf(String(over.id));
    const index = overIndex >= 0 ? overIndex : target.length;
    setOrder({
      ...current,
      [from]: (current[from] ?? []).filter((id) => id !== active.id),
      [to]: [...target.slice(0, index), String(active.id), ...target.slice(index)],
    });
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const current = orderRef.current;
    setActiveId(null);
    setOrder(null);
    if (!over || !current) return;
    const id = String(active.id);
    const stageId = containerOf(id, current);
    if (!stageId) return;
    let column = current[stageId] ?? [];
    const overId = String(over.id);
    if (!overId.startsWith(COLUMN_PREFIX) && containerOf(overId, current) === stageId)
      column = arrayMove(column, column.indexOf(id), column.indexOf(overId));
    requestMove(id, { stageId, index: column.indexOf(id) });
  };

  const loadMore = async (stageId: string, cursor: string) => {
    setLoadingMore(stageId);
    try {
      const page = await fetchColumnPage(board.pipeline.id, stageId, filters, cursor);
      const latest = client.getQueryData<Board>(boardKey);
      if (latest) client.setQueryData(boardKey, appendColumnPage(latest, stageId, page.data, page.nextCursor));
    } catch (error) {
      toasts.error(error, 'Could not load more deals');
    } finally {
      setLoadingMore(undefined);
    }
  };

  const stageName = (id: string | undefined) => stages.find((s) => s.id === id)?.name ?? 'a stage';
  const titleOf = (id: string | number) => dealsById.get(String(id))?.title ?? 'deal';
  const positionIn = (dealId: string, overId: string | number | undefined) => {
    const current = orderRef.current ?? order;
    const stageId = overId !== undefined ? containerOf(String(overId), current) : undefined;
    const index = stageId ? (current[stageId]?.indexOf(dealId) ?? -1) : -1;
    return `${stageName(stageId)}${index >= 0 ? `, position ${index + 1} of ${current[stageId ?? '']?.length ?? 0}` : ''}`;
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) =>
      `Picked up ${titleOf(active.id)}. Use the arrow keys to move it, Space to drop, Escape to cancel.`,
    onDragOver: ({ active, over }) =>
      over ? `${titleOf(active.id)} is over ${positionIn(String(active.id), over.id)}.` : undefined,
    onDragEnd: ({ active, over }) =>
      over
        ? `${titleOf(active.id)} dropped in ${positionIn(String(active.id), over.id)}.`
        : `${titleOf(active.id)} dropped.`,
    onDragCancel: ({ active }) => `Moving ${titleOf(active.id)} was cancelled.`,
  };

  const active = activeId ? dealsById.get(activeId) : undefined;
  const closingDeal = closing ? dealsById.get(closing.dealId) : undefined;

  return (
    <>
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        // Scroll the board only when the card is close to its edge, not already a fifth of the way in.
        autoScroll={{ threshold: { x: 0.08, y: 0.12 } }}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={() => (setActiveId(null), setOrder(null))}
        accessibility={{
          announcements,
          screenReaderInstructions: {
            draggable:
              'To pick up a deal, press Space. While dragging, use the arrow keys to move it between and within stages. Press Space to drop it, or Escape to cancel.',
          },
        }}
      >
        <div className="board" data-active-stage={activeStage}>
          {board.columns.map((column) => (
            <BoardColumn
              key={column.stage.id}
              column={column}
              deals={(order[column.stage.id] ?? [])
                .map((id) => dealsById.get(id))
                .filter((d): d is Deal => d !== undefined)}
              me={me}
              flashing={flashing}
              loadingMore={loadingMore === column.stage.id}
              onLoadMore={() => column.nextCursor && void loadMore(column.stage.id, column.nextCursor)}
              onMoveRequest={setSheetDeal}
            />
          ))}
        </div>
        <DragOverlay dropAnimation={{ duration: 160, easing: 'ease-out' }}>
          {active ? (
            <div className="deal-card deal-card-overlay">
              <DealCardBody deal={active} me={me} />
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
      {sheetDeal ? (
        <MoveSheet
          deal={sheetDeal}
          stages={stages}
          onClose={() => setSheetDeal(undefined)}
          onMove={(stage) => {
            setSheetDeal(undefined);
            requestMove(sheetDeal.id, { stageId: stage.id, index: 0 });
          }}
        />
      ) : null}
      {closing && closingDeal ? (
        <CloseDealDialog
          kind={closing.kind}
          dealTitle={closingDeal.title}
          stageName={closing.stage.name}
          onCancel={() => setClosing(undefined)}
          onConfirm={(reason) => {
            setClosing(undefined);
            commit(closing.dealId, closing.to, reason);
          }}
        />
      ) : null}
    </>
  );
}
