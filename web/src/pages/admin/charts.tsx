/**
 * Our own small charts: inline SVG sized to their box (ResizeObserver), each with a
 * <title>/<desc> for screen readers, a <title> per bar or point (hover tooltip), a legend,
 * and the same numbers as a table under "표로 보기".
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type RefObject } from 'react';

export interface Series {
  name: string;
  /** A CSS colour (our palette variables work). */
  color: string;
  values: number[];
}

interface ChartProps {
  title: string;
  /** One sentence for screen readers, e.g. the latest value and the trend. */
  summary: string;
  /** Category labels (months), oldest first. */
  labels: string[];
  /** The same labels in full, for the table and tooltips. */
  longLabels?: string[];
  series: Series[];
  /** Exact value ("29,000원"). */
  format(v: number): string;
  /** Axis value ("2.9만"). */
  axisFormat(v: number): string;
  height?: number;
  /** Counts: axis steps of whole numbers. */
  integer?: boolean;
}

function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) setWidth(Math.floor(el.getBoundingClientRect().width));
  }, []);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0].contentRect.width);
      setWidth((old) => (old === w ? old : w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** 1, 2, 2.5, 5 × 10^k at or above `raw`. */
function niceStep(raw: number): number {
  if (raw <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function scale(values: number[], integer = false, ticks = 4): { min: number; max: number; step: number } {
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const raw = niceStep((hi - lo) / ticks || 1);
  const step = integer ? Math.max(1, Math.ceil(raw)) : raw;
  const min = Math.floor(lo / step) * step;
  let max = Math.ceil(hi / step) * step;
  if (max === min) max = min + step;
  return { min, max, step };
}

const M = { top: 14, right: 12, bottom: 30, left: 58 };

function Frame({
  width,
  height,
  labels,
  min,
  max,
  step,
  axisFormat,
  x,
}: {
  width: number;
  height: number;
  labels: string[];
  min: number;
  max: number;
  step: number;
  axisFormat(v: number): string;
  x(i: number): number;
}) {
  const y = (v: number) => M.top + ((max - v) / (max - min)) * (height - M.top - M.bottom);
  const ticks: number[] = [];
  for (let v = min; v <= max + step / 1000; v += step) ticks.push(v);
  const band = (width - M.left - M.right) / Math.max(labels.length, 1);
  const every = Math.max(1, Math.ceil(40 / band));
  return (
    <g className="chart-frame" aria-hidden="true">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={M.left} x2={width - M.right} y1={y(t)} y2={y(t)} className={t === 0 ? 'chart-zero' : 'chart-gridline'} />
          <text x={M.left - 8} y={y(t)} dy="0.35em" textAnchor="end" className="chart-tick">
            {axisFormat(t)}
          </text>
        </g>
      ))}
      {labels.map((l, i) =>
        (labels.length - 1 - i) % every === 0 ? (
          <text key={i} x={x(i)} y={height - M.bottom + 18} textAnchor="middle" className="chart-tick">
            {l}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.name}>
          <span className="chart-swatch" style={{ background: s.color }} />
          {s.name}
        </li>
      ))}
    </ul>
  );
}

function DataTable({ title, labels, series, format }: { title: string; labels: string[]; series: Series[]; format(v: number): string }) {
  return (
    <details className="chart-table">
      <summary>표로 보기</summary>
      <div className="table-scroll">
        <table className="data-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">월</th>
              {series.map((s) => (
                <th key={s.name} scope="col" className="num">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((l, i) => (
              <tr key={l}>
                <th scope="row">{l}</th>
                {series.map((s) => (
                  <td key={s.name} className="num">
                    {format(s.values[i] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Grouped vertical bars, one group per label. */
export function BarChart({ title, summary, labels, longLabels, series, format, axisFormat, height = 240, integer }: ChartProps) {
  const id = useId();
  const [box, width] = useWidth<HTMLDivElement>();
  const full = longLabels ?? labels;
  const { min, max, step } = scale(
    series.flatMap((s) => s.values),
    integer,
  );
  const plotW = Math.max(0, width - M.left - M.right);
  const band = plotW / Math.max(labels.length, 1);
  const groupW = band * 0.72;
  const barW = Math.max(2, groupW / Math.max(series.length, 1) - 2);
  const x = (i: number) => M.left + band * i + band / 2;
  const y = (v: number) => M.top + ((max - v) / (max - min)) * (height - M.top - M.bottom);
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`} className="chart-title">
        {title}
      </figcaption>
      <div ref={box} className="chart-box" style={{ height }}>
        {width > 0 && (
          <svg width={width} height={height} role="img" aria-labelledby={`${id}-t ${id}-d`}>
            <title id={`${id}-t`}>{title}</title>
            <desc id={`${id}-d`}>{summary}</desc>
            <Frame width={width} height={height} labels={labels} min={min} max={max} step={step} axisFormat={axisFormat} x={x} />
            {labels.map((_, i) => (
              <g key={i}>
                {series.map((s, k) => {
                  const v = s.values[i] ?? 0;
                  const top = y(Math.max(v, 0));
                  const h = Math.max(v === 0 ? 0 : 1, Math.abs(y(v) - y(0)));
                  const left = x(i) - groupW / 2 + k * (groupW / series.length) + 1;
                  return (
                    <rect key={s.name} x={left} y={v >= 0 ? top : y(0)} width={barW} height={h} rx={2} fill={s.color} className="chart-bar">
                      <title>{`${full[i]} ${s.name} ${format(v)}`}</title>
                    </rect>
                  );
                })}
              </g>
            ))}
          </svg>
        )}
      </div>
      <Legend series={series} />
      <DataTable title={title} labels={full} series={series} format={format} />
    </figure>
  );
}

/** One line per series with a dot (and tooltip) per label. */
export function LineChart({ title, summary, labels, longLabels, series, format, axisFormat, height = 200, integer }: ChartProps) {
  const id = useId();
  const [box, width] = useWidth<HTMLDivElement>();
  const full = longLabels ?? labels;
  const { min, max, step } = scale(
    series.flatMap((s) => s.values),
    integer,
  );
  const plotW = Math.max(0, width - M.left - M.right);
  const band = plotW / Math.max(labels.length, 1);
  const x = (i: number) => M.left + band * i + band / 2;
  const y = (v: number) => M.top + ((max - v) / (max - min)) * (height - M.top - M.bottom);
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`} className="chart-title">
        {title}
      </figcaption>
      <div ref={box} className="chart-box" style={{ height }}>
        {width > 0 && (
          <svg width={width} height={height} role="img" aria-labelledby={`${id}-t ${id}-d`}>
            <title id={`${id}-t`}>{title}</title>
            <desc id={`${id}-d`}>{summary}</desc>
            <Frame width={width} height={height} labels={labels} min={min} max={max} step={step} axisFormat={axisFormat} x={x} />
            {series.map((s) => (
              <g key={s.name}>
                <polyline
                  points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}
                  fill="none"
                  stroke={s.color}
                  strokeWidth={2.5}
                  strokeLinejoin="round"
                  strokeLinecap="round"
                />
                {s.values.map((v, i) => (
                  <circle key={i} cx={x(i)} cy={y(v)} r={labels.length > 16 ? 2.5 : 4} fill="#fff" stroke={s.color} strokeWidth={2}>
                    <title>{`${full[i]} ${s.name} ${format(v)}`}</title>
                  </circle>
                ))}
              </g>
            ))}
          </svg>
        )}
      </div>
      {series.length > 1 && <Legend series={series} />}
      <DataTable title={title} labels={full} series={series} format={format} />
    </figure>
  );
}
