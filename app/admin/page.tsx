import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getPageIdentity } from '@/lib/auth/page-identity';
import { AdminClient } from './client';

export const metadata: Metadata = { title: 'Admin' };
export const dynamic = 'force-dynamic';

export default async function AdminPage() {
  const identity = await getPageIdentity();
  if (identity?.role !== 'admin') notFound();
  return <AdminClient />;
}
