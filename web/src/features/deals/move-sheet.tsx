// The phone's way to move a deal: tap its move button, tap the stage. Also reachable on desktop.
import { Check } from 'lucide-react';
import type { Deal, Stage } from '../../api/types';
import { Dialog } from '../../ui/dialog';

export function MoveSheet({
  deal,
  stages,
  onClose,
  onMove,
}: {
  deal: Deal;
  stages: Stage[];
  onClose: () => void;
  onMove: (stage: Stage) => void;
}) {
  return (
    <Dialog open onClose={onClose} title={`Move “${deal.title}”`} description="Choose the stage it is in now.">
      <ul className="stage-choices" aria-label="Stages">
        {stages.map((stage) => {
          const current = stage.id === deal.stageId;
          return (
            <li key={stage.id}>
              <button
                type="button"
                className={`stage-choice stage-choice-${stage.kind}`}
                aria-current={current ? 'true' : undefined}
                disabled={current}
                onClick={() => onMove(stage)}
              >
                <span className="grow">{stage.name}</span>
                {stage.kind === 'open' ? (
                  <span className="subtle">{stage.probability}%</span>
                ) : (
                  <span className="badge">{stage.kind}</span>
                )}
                {current ? <Check size={16} aria-label="current stage" /> : null}
              </button>
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
