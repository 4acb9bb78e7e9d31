import { fieldOfHeader, interpretRow, minorDigitsOf, type ImportContext } from './deal-import';
import { buildStages } from './pipeline';
import { DEFAULT_STAGES } from './stage';

let seq = 0;
const stages = buildStages(DEFAULT_STAGES, () => `s${++seq}`);
const stageId = (name: string) => stages.find((s) => s.name === name)?.id;
const now = new Date('2025-01-15T10:00:00Z');

const context: ImportContext = {
  pipelines: [{ id: 'p1', name: 'Sales pipeline', isDefault: true, stages }],
  userOf: (key) =>
    key === 'rep@acme.test' || key === 'rep' ? { userId: 'u-rep', teamIds: ['east', 'west'] } : undefined,
  companyOf: (ref) =>
    ref.value === 'initech.example'
      ? { kind: 'found', id: 'c-1' }
      : ref.value === 'Twins'
        ? { kind: 'ambiguous', count: 2 }
        : { kind: 'unknown' },
  importer: { userId: 'u-admin', teamIds: [] },
  now,
};

const row = (values: Record<string, string>) => ({ external_id: 'X-1', title: 'Deal', currency: 'USD', ...values });

describe('reading a deal import row', () => {
  it('maps the headers people use to the fields, and custom fields by key', () => {
    expect(
      ['External ID', 'Deal Name', 'Close Date', 'Owner Email', 'custom_fields.budget', 'Colour'].map(fieldOfHeader),
    ).toEqual(['external_id', 'title', 'closed', 'owner', 'custom_fields.budget', undefined]);
  });

  it("keeps a won deal's past dates as its history, at noon UTC for a bare date", () => {
    const outcome = interpretRow(
      row({ stage: 'won', amount: '12500.5', owner: 'REP@acme.test', created: '2017-01-10', closed: '2017-06-30' }),
      context,
    );
    expect(outcome).toMatchObject({
      ok: true,
      deal: {
        externalId: 'X-1',
        ownerId: 'u-rep',
        teamId: 'east',
        createdAt: new Date('2017-01-10T12:00:00Z'),
        fields: {
          status: 'won',
          stageId: stageId('Won'),
          amountMinor: 1_250_050,
          closedAt: new Date('2017-06-30T12:00:00Z'),
          forecastDate: '2017-06-30',
          stageHistory: [
            { stageId: stageId('Won'), enteredAt: new Date('2017-06-30T12:00:00Z'), leftAt: null, by: 'u-admin' },
          ],
        },
      },
    });
  });

  it('defaults to the default pipeline, its first open stage, the importer and now', () => {
    const outcome = interpretRow(row({}), context);
    expect(outcome).toMatchObject({
      ok: true,
      deal: {
        ownerId: 'u-admin',
        createdAt: now,
        fields: { stageId: stageId('Prospecting'), amountMinor: 0, closedAt: null },
      },
    });
  });

  it('reports every problem of a row, each naming its field', () => {
    const outcome = interpretRow(
      {
        external_id: '',
        title: '',
        stage: 'Signed',
        amount: '1,000',
        currency: 'XYZ',
        owner: 'nobody',
        company: 'Twins',
        created: '2017-02-30',
      },
      context,
    );
    expect(outcome.ok ? [] : outcome.errors.map((e) => e.field)).toEqual([
      'external_id',
      'title',
      'stage',
      'currency',
      'owner',
      'created',
      'company',
    ]);
  });

  it('reports products and mis-spelled references in the row errors, never dropping them silently', () => {
    const errors = (values: Record<string, string>) => {
      const outcome = interpretRow(row(values), context);
      return outcome.ok ? [] : outcome.errors.map((e) => `${e.field}: ${e.description}`);
    };
    expect(fieldOfHeader('Products')).toBe('products');
    expect(fieldOfHeader('Line Items')).toBe('products');
    expect(errors({ products: 'Widget x2; Gadget' })).toEqual([expect.stringMatching(/^products: are not imported/)]);
    expect(errors({ products: ' ' })).toEqual([]);
    expect(errors({ stage: 'Proposl' })).toEqual([
      'stage: "Proposl" is not a stage of pipeline "Sales pipeline" (did you mean "Proposal"?)',
    ]);
    expect(errors({ stage: 'Negotation' })).toEqual([expect.stringMatching(/\(did you mean "Negotiation"\?\)$/)]);
    expect(errors({ stage: 'Signed' })).toEqual(['stage: "Signed" is not a stage of pipeline "Sales pipeline"']);
    expect(errors({ pipeline: 'Sales pipelin' })).toEqual([
      'pipeline: "Sales pipelin" is not a pipeline (did you mean "Sales pipeline"?)',
    ]);
  });

  it('refuses close dates that do not fit the stage or the calendar', () => {
    const fields = (values: Record<string, string>) => {
      const outcome = interpretRow(row(values), context);
      return outcome.ok ? [] : outcome.errors.map((e) => `${e.field}: ${e.description}`);
    };
    expect(fields({ stage: 'Won' })).toEqual([expect.stringMatching(/^closed: is required/)]);
    expect(fields({ stage: 'Proposal', closed: '2020-01-01' })).toEqual([
      expect.stringMatching(/^closed: is given but/),
    ]);
    expect(fields({ stage: 'Won', closed: '2026-01-01' })).toEqual([
      expect.stringMatching(/^closed: must not be in the future/),
    ]);
    expect(fields({ stage: 'Won', created: '2020-02-01', closed: '2020-01-01' })).toEqual([
      'closed: must not be before created',
    ]);
    expect(fields({ stage: 'Lost', closed: '2020-01-01T10:00:00+02:00' })).toEqual([]);
    expect(interpretRow(row({ stage: 'Lost', closed: '2020-01-01' }), context)).toMatchObject({
      ok: true,
      deal: { fields: { lostReason: 'Not given in the import' } },
    });
  });

  it("reads amounts in the currency's own minor units", () => {
    expect(minorDigitsOf('USD')).toBe(2);
    expect(minorDigitsOf('JPY')).toBe(0);
    expect(minorDigitsOf('KWD')).toBe(3);
    const amount = (values: Record<string, string>) => {
      const outcome = interpretRow(row(values), context);
      return outcome.ok ? outcome.deal.fields.amountMinor : outcome.errors.map((e) => e.field);
    };
    expect(amount({ amount: '1234.5', currency: 'KWD' })).toBe(1_234_500);
    expect(amount({ amount: '1234', currency: 'JPY' })).toBe(1_234);
    expect(amount({ amount: '7.5', currency: 'JPY' })).toEqual(['amount']);
    expect(amount({ amount_minor: '999' })).toBe(999);
    expect(amount({ amount: '-5' })).toEqual(['amount']);
  });

  it('finds the company by the most specific column given', () => {
    expect(interpretRow(row({ company_domain: 'initech.example', company: 'ignored' }), context)).toMatchObject({
      ok: true,
      deal: { fields: { companyId: 'c-1' } },
    });
    const unknown = interpretRow(row({ company_name: 'Nobody Inc' }), context);
    expect(unknown.ok ? [] : unknown.errors).toEqual([
      { field: 'company_name', description: '"Nobody Inc" is not a company of this tenant' },
    ]);
  });
});
