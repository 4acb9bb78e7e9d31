import { isServiceError } from '@crm/service-kit';
import { isoWeekOf, isoWeekStart } from './calendar';
import { resolveNamedPeriod, resolvePeriod } from './period';

const TODAY = '2025-05-14'; // a Wednesday

function violationOf(run: () => unknown): { field: string; description: string }[] {
  try {
    run();
  } catch (error) {
    if (isServiceError(error)) return error.violations;
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('resolvePeriod', () => {
  it('takes from and to as inclusive calendar dates', () => {
    expect(resolvePeriod({ from: '2025-01-01', to: '2025-03-31', period: '' }, TODAY)).toEqual({
      from: '2025-01-01',
      to: '2025-03-31',
    });
  });

  it('is the current month without from, to or period, and runs to today with from alone', () => {
    expect(resolvePeriod({ from: '', to: '', period: '' }, TODAY)).toEqual({ from: '2025-05-01', to: '2025-05-31' });
    expect(resolvePeriod({ from: '2025-05-01', to: '', period: '' }, TODAY)).toEqual({ from: '2025-05-01', to: TODAY });
  });

  it('names the field that is wrong', () => {
    expect(violationOf(() => resolvePeriod({ from: '2025-02-30', to: '', period: '' }, TODAY))[0]?.field).toBe('from');
    expect(
      violationOf(() => resolvePeriod({ from: '2025-01-01', to: '31/03/2025', period: '' }, TODAY))[0]?.field,
    ).toBe('to');
    expect(violationOf(() => resolvePeriod({ from: '', to: '2025-03-01', period: '' }, TODAY))[0]?.field).toBe('from');
    expect(violationOf(() => resolvePeriod({ from: '2025-04-01', to: '2025-03-01', period: '' }, TODAY))[0]).toEqual({
      field: 'from',
      description: 'must not be after to',
    });
    expect(violationOf(() => resolvePeriod({ from: '', to: '', period: 'fortnight' }, TODAY))[0]?.field).toBe('period');
    expect(violationOf(() => resolvePeriod({ from: '2025-01-01', to: '', period: '2025' }, TODAY))[0]?.field).toBe(
      'period',
    );
  });

  it('allows at most five years', () => {
    expect(resolvePeriod({ from: '2020-01-01', to: '2024-12-31', period: '' }, TODAY).to).toBe('2024-12-31');
    expect(
      violationOf(() => resolvePeriod({ from: '2020-01-01', to: '2025-01-01', period: '' }, TODAY))[0]?.field,
    ).toBe('to');
  });
});

describe('named periods', () => {
  it.each([
    ['2024', '2024-01-01', '2024-12-31'],
    ['2024-Q1', '2024-01-01', '2024-03-31'],
    ['2024-Q4', '2024-10-01', '2024-12-31'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2025-W01', '2024-12-30', '2025-01-05'],
    ['2020-W53', '2020-12-28', '2021-01-03'],
    ['this_week', '2025-05-12', '2025-05-18'],
    ['last_week', '2025-05-05', '2025-05-11'],
    ['this_month', '2025-05-01', '2025-05-31'],
    ['last_month', '2025-04-01', '2025-04-30'],
    ['this_quarter', '2025-04-01', '2025-06-30'],
    ['last_quarter', '2025-01-01', '2025-03-31'],
    ['this_year', '2025-01-01', '2025-12-31'],
    ['last_year', '2024-01-01', '2024-12-31'],
  ])('%s is %s to %s', (name, from, to) => {
    expect(resolveNamedPeriod(name, TODAY)).toEqual({ from, to });
  });

  it('rejects weeks a year does not have and months that do not exist', () => {
    expect(resolveNamedPeriod('2025-W53', TODAY)).toBeUndefined();
    expect(resolveNamedPeriod('2025-13', TODAY)).toBeUndefined();
    expect(resolveNamedPeriod('2025-Q5', TODAY)).toBeUndefined();
  });
});

describe('ISO weeks', () => {
  it('puts the first days of January in the last week of the year before when ISO says so', () => {
    expect(isoWeekOf('2021-01-01')).toBe('2020-W53');
    expect(isoWeekOf('2024-12-30')).toBe('2025-W01');
    expect(isoWeekOf('2025-05-14')).toBe('2025-W20');
    expect(isoWeekStart('2025-W20')).toBe('2025-05-12');
  });
});
