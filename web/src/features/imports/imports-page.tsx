// CSV import: upload, map columns with a preview of the first rows, watch the progress, get the row errors
// (downloadable as CSV). Parsing for the preview happens in the browser; the server parses the file again.
import { useQueryClient } from '@tanstack/react-query';
import { CircleCheck, Download, FileSpreadsheet, Upload } from 'lucide-react';
import Papa from 'papaparse';
import { useMemo, useState } from 'react';
import { useCustomFields } from '../../api/custom-fields.api';
import {
  fetchAllImportErrors,
  startImport,
  useImportJob,
  useImportJobs,
  type ImportEntity,
  type MatchBy,
} from '../../api/imports.api';
import { formErrorsOf } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import { guessMapping, importFields, mappingList, rowErrorsCsv } from '../../domain/csv-mapping';
import { formatDateTime, humanize } from '../../domain/format';
import { PageHeader } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { downloadText } from '../records/download';

interface ParsedFile {
  name: string;
  text: string;
  headers: string[];
  rows: Record<string, string>[];
  rowCount: number;
}

const MAX_BYTES = 20 * 1024 * 1024;

function parseCsv(name: string, text: string): ParsedFile {
  const result = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' });
  return { name, text, headers: result.meta.fields ?? [], rows: result.data.slice(0, 5), rowCount: result.data.length };
}

export function ImportsPage() {
  const toasts = useToasts();
  const client = useQueryClient();
  const [entity, setEntity] = useState<ImportEntity>('contact');
  const [file, setFile] = useState<ParsedFile | undefined>();
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [matchBy, setMatchBy] = useState<MatchBy>('email');
  const [jobId, setJobId] = useState<string | undefined>();
  const [starting, setStarting] = useState(false);
  const [dragOver, setDragOver] = useState(false);
  const definitions = useCustomFields(entity).data?.definitions;
  const fields = useMemo(
    () =>
      importFields(
        entity,
        (definitions ?? []).filter((d) => !d.archived).map((d) => ({ key: d.key, label: d.label })),
      ),
    [entity, definitions],
  );
  const job = useImportJob(jobId);
  const jobs = useImportJobs();

  const load = async (picked: File | undefined) => {
    if (!picked) return;
    if (picked.size > MAX_BYTES)
      return toasts.show({ kind: 'error', title: 'File too large', body: 'Imports take files up to 20 MB.' });
    const parsed = parseCsv(picked.name, await picked.text());
    if (parsed.headers.length === 0)
      return toasts.show({ kind: 'error', title: 'No columns found', body: 'The first line must name the columns.' });
    setFile(parsed);
    setMapping(guessMapping(parsed.headers, fields));
    setJobId(undefined);
  };

  const changeEntity = (next: ImportEntity) => {
    setEntity(next);
    setMatchBy(next === 'contact' ? 'email' : 'domain');
    if (file) setMapping(guessMapping(file.headers, importFields(next)));
  };

  const start = async () => {
    if (!file) return;
    setStarting(true);
    try {
      const created = await startImport(file.text, {
        entity,
        matchBy,
        mapping: mappingList(mapping),
        fileName: file.name,
      });
      setJobId(created.id);
      void client.invalidateQueries({ queryKey: queryKeys.imports.list });
    } catch (error) {
      const fieldErrors = Object.entries(formErrorsOf(error));
      toasts.show({
        kind: 'error',
        title: 'Import not started',
        body: fieldErrors.length
          ? fieldErrors.map(([f, d]) => `${f}: ${d}`).join('; ')
          : error instanceof Error
            ? error.message
            : undefined,
      });
    } finally {
      setStarting(false);
    }
  };

  const downloadErrors = async (id: string, name: string) => {
    try {
      downloadText(
        `${name.replace(/\.csv$/i, '')}-errors.csv`,
        rowErrorsCsv(await fetchAllImportErrors(id)),
        'text/csv',
      );
    } catch (error) {
      toasts.error(error, 'Download failed');
    }
  };

  const current = job.data;
  const running = current && (current.status === 'queued' || current.status === 'running');
  const mappedCount = Object.values(mapping).filter(Boolean).length;

  return (
    <div className="page">
      <PageHeader
        title="Import"
        subtitle="Bring contacts or companies in from a spreadsheet (CSV). Existing records are matched, not duplicated."
      />
      <div className="stack" style={{ gap: 16 }}>
        <section className="card card-pad stack">
          <div className="row wrap">
            <span className="field-label">Import</span>
            <div className="segmented" role="group" aria-label="What to import">
              <button type="button" aria-pressed={entity === 'contact'} onClick={() => changeEntity('contact')}>
                Contacts
              </button>
              <button type="button" aria-pressed={entity === 'company'} onClick={() => changeEntity('company')}>
                Companies
              </button>
            </div>
          </div>
          <label
            className={`dropzone${dragOver ? ' over' : ''}`}
            onDragOver={(e) => (e.preventDefault(), setDragOver(true))}
            onDragLeave={() => setDragOver(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragOver(false);
              void load(e.dataTransfer.files[0]);
            }}
          >
            <Upload size={22} aria-hidden="true" />
            <span>
              <strong>{file ? file.name : 'Choose a CSV file'}</strong>
              <span className="subtle" style={{ display: 'block' }}>
                {file ? `${file.rowCount} rows, ${file.headers.length} columns` : 'or drop it here · up to 20 MB'}
              </span>
            </span>
            <input
              type="file"
              accept=".csv,text/csv"
              className="visually-hidden"
              onChange={(e) => void load(e.target.files?.[0])}
            />
          </label>
        </section>

        {file && !jobId ? (
          <section className="card">
            <div className="card-header">
              <div>
                <h2>Map columns</h2>
                <p className="subtle">
                  {mappedCount} of {file.headers.length} columns mapped; unmapped columns are ignored.
                </p>
              </div>
              <label className="row">
                <span className="field-label">Match existing by</span>
                <select
                  className="select"
                  style={{ width: 'auto' }}
                  value={matchBy}
                  onChange={(e) => setMatchBy(e.target.value as MatchBy)}
                >
                  {(entity === 'contact' ? ['email', 'external_id'] : ['domain', 'external_id']).map((m) => (
                    <option key={m} value={m}>
                      {humanize(m)}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div style={{ overflowX: 'auto' }}>
              <table className="table mapping-table">
                <thead>
                  <tr>
                    <th scope="col">Column in file</th>
                    <th scope="col">Goes to</th>
                    <th scope="col">First rows</th>
                  </tr>
                </thead>
                <tbody>
                  {file.headers.map((header) => (
                    <tr key={header}>
                      <th scope="row">{header}</th>
                      <td>
                        <select
                          className="select"
                          aria-label={`Field for column ${header}`}
                          value={mapping[header] ?? ''}
                          onChange={(e) => setMapping((m) => ({ ...m, [header]: e.target.value }))}
                        >
                          <option value="">Ignore this column</option>
                          {fields.map((f) => (
                            <option
                              key={f.field}
                              value={f.field}
                              disabled={Object.entries(mapping).some(([c, v]) => v === f.field && c !== header)}
                            >
                              {f.label}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td className="subtle truncate" style={{ maxWidth: 320 }}>
                        {file.rows
                          .slice(0, 3)
                          .map((r) => r[header])
                          .filter(Boolean)
                          .join(' · ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="dialog-footer" style={{ borderRadius: '0 0 var(--radius) var(--radius)' }}>
              <button type="button" className="btn" onClick={() => setFile(undefined)}>
                Cancel
              </button>
              <button
                type="button"
                className="btn btn-primary"
                disabled={starting || mappedCount === 0}
                onClick={() => void start()}
              >
                {starting ? 'Starting…' : `Import ${file.rowCount} rows`}
              </button>
            </div>
          </section>
        ) : null}

        {current ? (
          <section className="card card-pad stack" aria-live="polite">
            <div className="row-between">
              <h2 className="row">
                {running ? (
                  <FileSpreadsheet size={18} aria-hidden="true" />
                ) : (
                  <CircleCheck size={18} aria-hidden="true" />
                )}
                {current.fileName}
              </h2>
              <span
                className={`badge ${current.status === 'completed' ? 'badge-success' : current.status === 'failed' ? 'badge-danger' : 'badge-accent'}`}
              >
                {humanize(current.status)}
              </span>
            </div>
            <div
              className="progress"
              role="progressbar"
              aria-label="Import progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(current.progress * 100)}
            >
              <div
                className="progress-bar"
                style={{ width: `${Math.round((current.status === 'completed' ? 1 : current.progress) * 100)}%` }}
              />
            </div>
            <p className="tabular">
              {current.rowsDone} of {current.rowsTotal || '?'} rows · {current.createdCount} created ·{' '}
              {current.updatedCount} updated ·{' '}
              <span className={current.errorCount ? 'text-danger' : undefined}>{current.errorCount} errors</span>
            </p>
            {current.failureMessage ? <div className="alert alert-danger">{current.failureMessage}</div> : null}
            {current.errors.length > 0 ? (
              <>
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Row</th>
                      <th scope="col">Field</th>
                      <th scope="col">Problem</th>
                    </tr>
                  </thead>
                  <tbody>
                    {current.errors.slice(0, 10).map((e, i) => (
                      <tr key={i}>
                        <td className="tabular">{e.row}</td>
                        <td>{e.field}</td>
                        <td>{e.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {!running ? (
                  <button
                    type="button"
                    className="btn"
                    style={{ alignSelf: 'flex-start' }}
                    onClick={() => void downloadErrors(current.id, current.fileName)}
                  >
                    <Download size={16} aria-hidden="true" /> Download all {current.errorCount} errors (CSV)
                  </button>
                ) : null}
              </>
            ) : null}
          </section>
        ) : null}

        <section className="card">
          <div className="card-header">
            <h2>Recent imports</h2>
          </div>
          <ul className="simple-list card-body">
            {(jobs.data?.pages.flatMap((p) => p.data) ?? []).map((j) => (
              <li key={j.id} className="row-between simple-row">
                <button type="button" className="btn btn-ghost btn-sm truncate" onClick={() => setJobId(j.id)}>
                  {j.fileName || j.id}
                </button>
                <span className="row subtle">
                  {humanize(j.entity)} · {j.createdCount + j.updatedCount} rows · {j.errorCount} errors ·{' '}
                  {formatDateTime(j.createdAt)}
                  <span className="badge">{humanize(j.status)}</span>
                </span>
              </li>
            ))}
            {jobs.data && jobs.data.pages[0]?.data.length === 0 ? <li className="subtle">No imports yet.</li> : null}
          </ul>
        </section>
      </div>
    </div>
  );
}
