// The forecast as stacked bars per owner or team (recharts, loaded with this screen only).
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { CATEGORY_LABELS, FORECAST_CATEGORIES, toMajor, type ForecastRow } from '../../domain/forecast';
import { formatMoney, minorDigits } from '../../domain/money';

const COLORS: Record<(typeof FORECAST_CATEGORIES)[number], string> = {
  closedWon: '#059669',
  commit: '#4f46e5',
  bestCase: '#818cf8',
  pipeline: '#c7d2fe',
};

export function ForecastChart({
  rows,
  currency,
  label,
}: {
  rows: ForecastRow[];
  currency: string;
  label: (key: string) => string;
}) {
  const data = rows.map((row) => ({
    name: label(row.key),
    ...Object.fromEntries(FORECAST_CATEGORIES.map((c) => [c, toMajor(row[c], currency)])),
  }));
  const scale = 10 ** minorDigits(currency);
  const asMoney = (value: unknown) => ({ amountMinor: Math.round(Number(value) * scale), currency });
  const compact = (value: number) => formatMoney(asMoney(value), { compact: true });
  return (
    <figure style={{ margin: 0 }} aria-label="Forecast chart by category">
      <ResponsiveContainer width="100%" height={Math.max(240, rows.length * 48 + 80)}>
        <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="var(--border)" />
          <XAxis type="number" tickFormatter={compact} stroke="var(--text-subtle)" fontSize={12} />
          <YAxis type="category" dataKey="name" width={120} stroke="var(--text-subtle)" fontSize={12} />
          <Tooltip
            formatter={(value) => formatMoney(asMoney(value))}
            contentStyle={{ background: 'var(--bg-elevated)', border: '1px solid var(--border)', borderRadius: 8 }}
          />
          <Legend />
          {FORECAST_CATEGORIES.map((category) => (
            <Bar
              key={category}
              dataKey={category}
              name={CATEGORY_LABELS[category]}
              stackId="forecast"
              fill={COLORS[category]}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
