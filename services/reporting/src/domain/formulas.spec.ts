import {
  averageAmount,
  csat,
  meanDays,
  meanHours,
  perRep,
  pipelineVelocity,
  roundMinor,
  slaAttainment,
  weightedAmount,
  winRate,
} from './formulas';

describe('metric formulas', () => {
  it('win rate is won over closed, undefined without a closed deal', () => {
    expect(winRate(3, 1)).toBe(0.75);
    expect(winRate(0, 4)).toBe(0);
    expect(winRate(0, 0)).toBeNull();
  });

  it('SLA attainment and CSAT leave out what has no outcome', () => {
    expect(slaAttainment(9, 1)).toBe(0.9);
    expect(slaAttainment(0, 0)).toBeNull();
    expect(csat(4, 1)).toBe(0.8);
    expect(csat(0, 0)).toBeNull();
  });

  it('means in days and hours', () => {
    expect(meanDays(3 * 86_400, 2)).toBe(1.5);
    expect(meanHours(7_200, 1)).toBe(2);
    expect(meanDays(0, 0)).toBeNull();
  });

  it('money rounds to the minor unit, half away from zero', () => {
    expect(roundMinor(2.5)).toBe(3);
    expect(roundMinor(-2.5)).toBe(-3);
    expect(averageAmount(1001, 2)).toBe(501);
    expect(averageAmount(0, 0)).toBeNull();
    expect(weightedAmount(12_345 * 30)).toBe(3704);
  });

  it('pipeline velocity is open × average won amount × win rate ÷ cycle days', () => {
    expect(pipelineVelocity({ openDeals: 10, avgWonAmount: 1000, winRate: 0.5, avgCycleDays: 20 })).toBe(250);
    expect(pipelineVelocity({ openDeals: 10, avgWonAmount: null, winRate: 0.5, avgCycleDays: 20 })).toBeNull();
    expect(pipelineVelocity({ openDeals: 10, avgWonAmount: 1000, winRate: 0.5, avgCycleDays: 0 })).toBeNull();
  });

  it('activities per rep', () => {
    expect(perRep(9, 3)).toBe(3);
    expect(perRep(0, 0)).toBeNull();
  });
});
