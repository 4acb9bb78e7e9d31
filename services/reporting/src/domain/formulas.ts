// The arithmetic of the metric catalogue (metrics.ts), from the counts and sums the store aggregates. null means
// "undefined" (no closed deal, no answer), which is not 0. Pure.

const SECONDS_PER_DAY = 86_400;
const SECONDS_PER_HOUR = 3_600;

/** part ÷ whole, or null without a whole. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** win_rate = won ÷ (won + lost). */
export function winRate(won: number, lost: number): number | null {
  return ratio(won, won + lost);
}

/** sla_attainment = met ÷ (met + breached). */
export function slaAttainment(met: number, breached: number): number | null {
  return ratio(met, met + breached);
}

/** csat = good ÷ (good + bad); surveys without an answer are not passed in. */
export function csat(good: number, bad: number): number | null {
  return ratio(good, good + bad);
}

export function meanDays(totalSeconds: number, count: number): number | null {
  return count > 0 ? totalSeconds / count / SECONDS_PER_DAY : null;
}

export function meanHours(totalSeconds: number, count: number): number | null {
  return count > 0 ? totalSeconds / count / SECONDS_PER_HOUR : null;
}

/** Money in minor units, rounded half away from zero (amounts are integers in the currency's minor unit). */
export function roundMinor(amount: number): number {
  return Math.sign(amount) * Math.round(Math.abs(amount));
}

export function averageAmount(total: number, count: number): number | null {
  return count > 0 ? roundMinor(total / count) : null;
}

/** Σ amount × probability, as the store sums it, to weighted minor units. */
export function weightedAmount(amountTimesProbability: number): number {
  return roundMinor(amountTimesProbability / 100);
}

export interface VelocityInputs {
  openDeals: number;
  /** avg_won_amount as shown (rounded to the minor unit). */
  avgWonAmount: number | null;
  winRate: number | null;
  avgCycleDays: number | null;
}

/** pipeline_velocity = open deals × average won amount × win rate ÷ average won cycle (days), in minor units/day. */
export function pipelineVelocity(inputs: VelocityInputs): number | null {
  const { openDeals, avgWonAmount, winRate: rate, avgCycleDays } = inputs;
  if (avgWonAmount === null || rate === null || avgCycleDays === null || avgCycleDays <= 0) return null;
  return roundMinor((openDeals * avgWonAmount * rate) / avgCycleDays);
}

/** activities_per_rep = activities ÷ the people owning them. */
export function perRep(activities: number, reps: number): number | null {
  return ratio(activities, reps);
}
