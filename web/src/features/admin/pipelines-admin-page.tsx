// Pipelines and their stages (crm-admin): rename, add, change probability and forecast category, archive, and
// reorder stages by drag (mouse, touch or keyboard). Every change carries If-Match of the pipeline's version.
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core';
import {
  SortableContext,
  arrayMove,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useQueryClient } from '@tanstack/react-query';
import { Archive, GripVertical, Plus } from 'lucide-react';
import { useState } from 'react';
import { usePipelines } from '../../api/deals.api';
import {
  addStage,
  archiveStage,
  createPipeline,
  patchStage,
  renamePipeline,
  reorderStages,
} from '../../api/pipelines.api';
import { ApiError } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import type { Pipeline, Stage, StageInput } from '../../api/types';
import { humanize } from '../../domain/format';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { EmptyState, PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { InlineField } from '../records/inline-field';

const CATEGORIES: NonNullable<StageInput['forecastCategory']>[] = [
  'pipeline',
  'best_case',
  'commit',
  'omitted',
  'closed',
];

function StageRow({
  stage,
  onSave,
  onArchive,
}: {
  stage: Stage;
  onSave: (patch: {
    name?: string;
    probability?: number;
    forecastCategory?: StageInput['forecastCategory'];
  }) => Promise<boolean>;
  onArchive: () => void;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: stage.id });
  return (
    <li
      ref={setNodeRef}
      className={`stage-row card${isDragging ? ' dragging' : ''}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
    >
      <button
        type="button"
        className="icon-btn drag-handle"
        aria-label={`Reorder ${stage.name}`}
        {...attributes}
        {...listeners}
      >
        <GripVertical size={16} />
      </button>
      <dl className="stage-fields">
        <InlineField
          label="Name"
          value={stage.name}
          onSave={(name) => (name ? onSave({ name }) : Promise.resolve(false))}
        />
        <InlineField
          label="Probability %"
          type="number"
          value={String(stage.probability)}
          readOnly={stage.kind !== 'open'}
          onSave={(v) => {
            const probability = Number(v);
            return Number.isInteger(probability) && probability >= 0 && probability <= 100
              ? onSave({ probability })
              : Promise.resolve(false);
          }}
        />
        <InlineField
          label="Forecast category"
          type="select"
          value={stage.forecastCategory}
          display={humanize(stage.forecastCategory)}
          options={CATEGORIES.map((c) => ({ value: c, label: humanize(c) }))}
          onSave={(v) => onSave({ forecastCategory: v as StageInput['forecastCategory'] })}
        />
      </dl>
      <span className={`badge ${stage.kind === 'won' ? 'badge-success' : stage.kind === 'lost' ? 'badge-danger' : ''}`}>
        {stage.kind}
      </span>
      <button type="button" className="icon-btn" aria-label={`Archive ${stage.name}`} onClick={onArchive}>
        <Archive size={16} />
      </button>
    </li>
  );
}

export function PipelinesAdminPage() {
  const pipelines = usePipelines();
  const [selected, setSelected] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [adding, setAdding] = useState(false);
  const client = useQueryClient();
  const toasts = useToasts();
  const pipeline = pipelines.data?.find((p) => p.id === selected) ?? pipelines.data?.[0];
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  const replace = (next: Pipeline) =>
    client.setQueryData<Pipeline[]>(queryKeys.pipelines.list, (all) => all?.map((p) => (p.id === next.id ? next : p)));

  const run = async (action: () => Promise<Pipeline>, failure: string): Promise<boolean> => {
    try {
      replace(await action());
      void client.invalidateQueries({ queryKey: queryKeys.boards.all });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.isConflict)
        void client.invalidateQueries({ queryKey: queryKeys.pipelines.all });
      toasts.error(error, failure);
      return false;
    }
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!pipeline || !over || active.id === over.id) return;
    const active_ = pipeline.stages.filter((s) => !s.archived);
    const from = active_.findIndex((s) => s.id === active.id);
    const to = active_.findIndex((s) => s.id === over.id);
    const reordered = arrayMove(active_, from, to);
    const before = pipeline;
    // Shown at once; put back if the server refuses.
    replace({ ...pipeline, stages: [...reordered, ...pipeline.stages.filter((s) => s.archived)] });
    void run(
      () =>
        reorderStages(
          pipeline.id,
          pipeline.version,
          reordered.map((s) => s.id),
        ),
      'Order not saved',
    ).then((ok) => {
      if (!ok) replace(before);
    });
  };

  return (
    <div className="page">
      <PageHeader
        title="Pipelines"
        subtitle="Stages in board order. Drag to reorder; click a value to change it."
        actions={
          <button type="button" className="btn" onClick={() => setCreating(true)}>
            <Plus size={16} aria-hidden="true" /> New pipeline
          </button>
        }
      />
      {pipelines.isPending ? (
        <SkeletonRows />
      ) : !pipeline ? (
        <EmptyState icon={<Plus size={22} />} title="No pipelines" />
      ) : (
        <div className="stack">
          <div className="row wrap">
            {(pipelines.data?.length ?? 0) > 1 ? (
              <select
                className="select"
                style={{ width: 'auto' }}
                aria-label="Pipeline"
                value={pipeline.id}
                onChange={(e) => setSelected(e.target.value)}
              >
                {pipelines.data?.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                    {p.isDefault ? ' (default)' : ''}
                  </option>
                ))}
              </select>
            ) : null}
            <dl className="grow" style={{ margin: 0 }}>
              <InlineField
                label="Pipeline name"
                value={pipeline.name}
                onSave={(name) => run(() => renamePipeline(pipeline.id, pipeline.version, name), 'Not renamed')}
              />
            </dl>
            <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
              <Plus size={16} aria-hidden="true" /> Add stage
            </button>
          </div>
          <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
            <SortableContext
              items={pipeline.stages.filter((s) => !s.archived).map((s) => s.id)}
              strategy={verticalListSortingStrategy}
            >
              <ol className="stage-list" aria-label="Stages">
                {pipeline.stages
                  .filter((s) => !s.archived)
                  .map((stage) => (
                    <StageRow
                      key={stage.id}
                      stage={stage}
                      onSave={(patch) =>
                        run(() => patchStage(pipeline.id, pipeline.version, stage.id, patch), 'Stage not saved')
                      }
                      onArchive={() =>
                        void run(
                          () => archiveStage(pipeline.id, pipeline.version, stage.id),
                          `${stage.name} not archived`,
                        )
                      }
                    />
                  ))}
              </ol>
            </SortableContext>
          </DndContext>
          {pipeline.stages.some((s) => s.archived) ? (
            <p className="subtle">
              Archived:{' '}
              {pipeline.stages
                .filter((s) => s.archived)
                .map((s) => s.name)
                .join(', ')}
            </p>
          ) : null}
        </div>
      )}
      {creating ? (
        <NameDialog
          title="New pipeline"
          onClose={() => setCreating(false)}
          onSave={async (name) => {
            try {
              const created = await createPipeline(name);
              await client.invalidateQueries({ queryKey: queryKeys.pipelines.all });
              setSelected(created.id);
              setCreating(false);
            } catch (error) {
              toasts.error(error, 'Pipeline not created');
            }
          }}
        />
      ) : null}
      {adding && pipeline ? (
        <AddStageDialog
          stages={pipeline.stages.filter((s) => !s.archived)}
          onClose={() => setAdding(false)}
          onAdd={async (stage, beforeStageId) => {
            const ok = await run(
              () => addStage(pipeline.id, pipeline.version, stage, beforeStageId),
              'Stage not added',
            );
            if (ok) setAdding(false);
          }}
        />
      ) : null}
    </div>
  );
}

function NameDialog({
  title,
  onClose,
  onSave,
}: {
  title: string;
  onClose: () => void;
  onSave: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      onSubmit={() => name.trim() && void onSave(name.trim())}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!name.trim()}>
            Create
          </button>
        </>
      }
    >
      <Field label="Name" required>
        <input className="input" autoFocus value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <p className="subtle" style={{ marginTop: 8 }}>
        It starts with the default stages; change them afterwards.
      </p>
    </Dialog>
  );
}

function AddStageDialog({
  stages,
  onClose,
  onAdd,
}: {
  stages: Stage[];
  onClose: () => void;
  onAdd: (stage: StageInput, beforeStageId?: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<StageInput['kind']>('open');
  const [probability, setProbability] = useState('50');
  const [before, setBefore] = useState(stages.find((s) => s.kind !== 'open')?.id ?? '');
  return (
    <Dialog
      open
      title="Add a stage"
      onClose={onClose}
      onSubmit={() =>
        name.trim() &&
        void onAdd(
          { name: name.trim(), kind, ...(kind === 'open' ? { probability: Number(probability) } : {}) },
          before || undefined,
        )
      }
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!name.trim()}>
            Add stage
          </button>
        </>
      }
    >
      <div className="form-grid">
        <Field label="Name" required className="span-2">
          <input className="input" autoFocus value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Kind">
          <select className="select" value={kind} onChange={(e) => setKind(e.target.value as StageInput['kind'])}>
            <option value="open">Open</option>
            <option value="won">Won</option>
            <option value="lost">Lost</option>
          </select>
        </Field>
        <Field label="Probability %">
          <input
            className="input"
            type="number"
            min={0}
            max={100}
            disabled={kind !== 'open'}
            value={probability}
            onChange={(e) => setProbability(e.target.value)}
          />
        </Field>
        <Field label="Place before" className="span-2">
          <select className="select" value={before} onChange={(e) => setBefore(e.target.value)}>
            <option value="">At the end</option>
            {stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </Dialog>
  );
}
