// Bars of one or more metrics of one unit per group (recharts, loaded with the dashboards only). Each bar is labelled
// with the API's figure and opens the records behind it; the table below the chart offers the same by keyboard.
import { Bar, BarChart, CartesianGrid, LabelList, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartPoint } from '../../domain/dashboard';

const PALETTE = ['#4f46e5', '#059669', '#d97706', '#db2777', '#0891b2', '#7c3aed'];

/** Won is green and lost red wherever they appear; the rest take the palette in order. */
const METRIC_COLORS: Record<string, string> = {
  won_deals: '#059669',
  won_amount: '#059669',
  lost_deals: '#dc2626',
  open_deals: '#4f46e5',
  weighted_pipeline: '#4f46e5',
  tickets_created: '#4f46e5',
  tickets_solved: '#059669',
};

export interface ChartMetric {
  key: string;
  title: string;
}

export function DashboardChart({
  label,
  points,
  metrics,
  format,
  integers = false,
  onDrill,
}: {
  /** The figure's accessible name, e.g. "Won amount in EUR by owner". */
  label: string;
  points: ChartPoint[];
  metrics: ChartMetric[];
  format: (value: number) => string;
  /** Counts: no ticks at 0.75. */
  integers?: boolean;
  onDrill: (apiUrl: string) => void;
}) {
  const data = points.map((p) => ({ name: p.label, ...p.values, drillDown: p.drillDown }));
  return (
    <figure className="dashboard-chart" aria-label={label} data-chart={label}>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 20, left: 4, right: 8, bottom: 4 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--border)" />
          <XAxis dataKey="name" stroke="var(--text-subtle)" fontSize={12} interval={0} />
          <YAxis
            allowDecimals={!integers}
            tickFormatter={format}
            stroke="var(--text-subtle)"
            fontSize={12}
            width={72}
          />
          <Tooltip
            formatter={(value) => format(Number(value))}
            contentStyle={{ background: 'var(--bg-elevated)', border: '1px solid var(--border)', borderRadius: 8 }}
            cursor={{ fill: 'var(--bg-hover)' }}
          />
          {metrics.length > 1 ? <Legend /> : null}
          {metrics.map((metric, i) => (
            <Bar
              key={metric.key}
              dataKey={metric.key}
              name={metric.title}
              fill={METRIC_COLORS[metric.key] ?? PALETTE[i % PALETTE.length]}
              cursor="pointer"
              isAnimationActive={false}
              onClick={(entry: { payload?: { drillDown?: Record<string, string> } }) => {
                const url = entry.payload?.drillDown?.[metric.key];
                if (url) onDrill(url);
              }}
            >
              <LabelList
                dataKey={metric.key}
                position="top"
                className="chart-figure"
                fill="var(--text)"
                fontSize={12}
                formatter={(value: unknown) => (typeof value === 'number' ? format(value) : '')}
              />
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
