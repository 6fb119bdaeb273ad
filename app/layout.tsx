import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { ViewerProvider } from '@/components/auth/viewer-context';
import { ViewerMenu } from '@/components/auth/viewer-menu';
import { LiveIndicator } from '@/components/live/live-indicator';
import { NavLink } from '@/components/ui/nav-link';
import { TimeZoneToggle } from '@/components/ui/time-zone-toggle';
import { redirect } from 'next/navigation';
import { getAuthConfig } from '@/lib/auth/auth-config';
import { getPageIdentity } from '@/lib/auth/page-identity';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Leasetrail', template: '%s · Leasetrail' },
  description: 'Leader-election history for fleets of Kubernetes clusters',
};

// Every page is rendered per request (its CSP nonce and the viewer's role differ each time).
export default async function RootLayout({ children }: { children: ReactNode }) {
  const identity = await getPageIdentity();
  if (!identity) redirect(getAuthConfig().mode === 'oidc' ? '/api/auth/login' : '/api/auth/me');
  const viewer = { name: identity.name, role: identity.role, canSignOut: identity.source === 'oidc' };
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen bg-white font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <ViewerProvider viewer={viewer}>
        <Providers>
          <header className="border-b border-zinc-200 dark:border-zinc-800">
            <nav className="mx-auto flex max-w-7xl items-center gap-2 px-4 py-2 text-sm" aria-label="Main">
              <Link href="/" className="mr-4 font-semibold tracking-tight">
                Leasetrail
              </Link>
              <Suspense>
                <NavLink href="/">Fleet</NavLink>
                <NavLink href="/timeline">Timeline</NavLink>
                <NavLink href="/clusters">Clusters</NavLink>
                <NavLink href="/audit">Audit</NavLink>
                <NavLink href="/alerts">Alerts</NavLink>
                {identity.role === 'admin' ? <NavLink href="/admin">Admin</NavLink> : null}
              </Suspense>
              <span className="ml-auto flex items-center gap-3">
                <ViewerMenu />
                <LiveIndicator />
                <Suspense>
                  <TimeZoneToggle />
                </Suspense>
              </span>
            </nav>
          </header>
          <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
        </Providers>
        </ViewerProvider>
      </body>
    </html>
  );
}
