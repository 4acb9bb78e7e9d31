import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { ArrowRightLeft, CalendarDays } from 'lucide-react';
import { memo } from 'react';
import { useNavigate } from 'react-router';
import type { Deal } from '../../api/types';
import { formatDate, hueOf } from '../../domain/format';
import { formatMoney } from '../../domain/money';
import { Avatar } from '../../ui/misc';

export interface DealCardProps {
  deal: Deal;
  me: string | undefined;
  flashing: boolean;
  onMoveRequest: (deal: Deal) => void;
}

function ownerName(deal: Deal, me: string | undefined): string {
  return deal.ownerId === me ? 'You' : `User ${deal.ownerId.slice(0, 6)}`;
}

export function DealCardBody({ deal, me }: { deal: Deal; me: string | undefined }) {
  const contact = deal.contact as { displayName?: string } | null;
  const company = deal.company as { name?: string } | null;
  const overdue =
    deal.status === 'open' && deal.expectedCloseDate && deal.expectedCloseDate < new Date().toISOString().slice(0, 10);
  return (
    <>
      <span className="deal-title">{deal.title}</span>
      {company?.name || contact?.displayName ? (
        <span className="deal-sub truncate">{[company?.name, contact?.displayName].filter(Boolean).join(' · ')}</span>
      ) : null}
      <span className="deal-meta">
        <span className="deal-amount tabular">{formatMoney(deal.amount)}</span>
        {deal.expectedCloseDate ? (
          <span className={`deal-date${overdue ? ' overdue' : ''}`} title="Expected close">
            <CalendarDays size={12} aria-hidden="true" /> {formatDate(deal.expectedCloseDate)}
          </span>
        ) : null}
        <span className="grow" />
        <span title={`Owner: ${ownerName(deal, me)}`}>
          <Avatar name={ownerName(deal, me)} id={deal.ownerId} size="sm" />
        </span>
      </span>
    </>
  );
}

/**
 * A draggable card: mouse, touch (press and hold) and keyboard (Space to lift, arrows, Space to drop). The list item
 * holds the drag handle (the card) and, beside it rather than inside, the button that opens the stage picker.
 */
export const DealCard = memo(function DealCard({ deal, me, flashing, onMoveRequest }: DealCardProps) {
  const navigate = useNavigate();
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: deal.id,
    data: { type: 'deal', stageId: deal.stageId },
  });
  return (
    <li
      ref={setNodeRef}
      className={`deal-item${isDragging ? ' dragging' : ''}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-deal-id={deal.id}
    >
      <div
        className={`deal-card${flashing ? ' flash' : ''}${deal.status !== 'open' ? ` deal-${deal.status}` : ''}`}
        style={{ borderLeftColor: `hsl(${hueOf(deal.ownerId)} 60% 55%)` }}
        {...attributes}
        aria-roledescription="draggable deal"
        {...listeners}
        onClick={() => {
          if (!isDragging) navigate(`/deals/${deal.id}`);
        }}
        onKeyDown={(event) => {
          listeners?.onKeyDown?.(event);
          if (event.key === 'Enter' && !event.defaultPrevented) navigate(`/deals/${deal.id}`);
        }}
      >
        <DealCardBody deal={deal} me={me} />
      </div>
      <button
        type="button"
        className="icon-btn deal-move-btn"
        aria-label={`Move ${deal.title} to another stage`}
        onClick={() => onMoveRequest(deal)}
      >
        <ArrowRightLeft size={15} />
      </button>
    </li>
  );
});
