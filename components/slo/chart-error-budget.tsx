'use client';

import { useEffect, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';

export type BudgetPoint = { at: string; budgetRemainingPercent: number | null; burnRate: number | null };

// Error budget remaining over the SLO window: it only falls, and ends at the window's figure.
export function ChartErrorBudget({ points }: { points: BudgetPoint[] }) {
  const wrapper = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number>();
  useEffect(() => {
    const element = wrapper.current;
    if (!element) return;
    setWidth(Math.floor(element.getBoundingClientRect().width));
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? 0)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const data = points.map((point) => ({ at: Date.parse(point.at), budget: point.budgetRemainingPercent, burn: point.burnRate }));
  return (
    <div ref={wrapper} className="w-full" role="img" aria-label="Error budget remaining over the SLO window">
      {width ? (
        <LineChart width={width} height={220} data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis dataKey="at" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={(value: number) => new Date(value).toLocaleDateString()} fontSize={11} />
          <YAxis domain={[(min: number) => Math.min(0, Math.floor(min)), 100]} unit=" %" fontSize={11} width={56} />
          <ReferenceLine y={0} stroke="#d92d20" strokeDasharray="4 4" />
          <Tooltip
            labelFormatter={(value) => new Date(Number(value)).toLocaleString()}
            formatter={(value, name) => (name === 'budget' ? [`${Number(value).toFixed(2)} %`, 'budget remaining'] : [String(value), String(name)])}
          />
          <Line type="stepAfter" dataKey="budget" stroke="#1570ef" dot={false} isAnimationActive={false} />
        </LineChart>
      ) : null}
    </div>
  );
}
