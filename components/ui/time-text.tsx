'use client';

import { formatTime } from '@/lib/ui/format';
import { useTimeZone } from './time-zone-select';

export function TimeText({ value, seconds, date }: { value: string | null; seconds?: boolean; date?: boolean }) {
  const mode = useTimeZone();
  if (!value) return <span>—</span>;
  return (
    <time dateTime={value} suppressHydrationWarning>
      {formatTime(value, mode, { seconds, date })}
    </time>
  );
}
