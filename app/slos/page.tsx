import type { Metadata } from 'next';
import { SlosClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'SLOs' };

// The figures take a rollup read per SLO: the page shell comes at once, the figures follow.
export default function SlosPage() {
  return <SlosClient />;
}
