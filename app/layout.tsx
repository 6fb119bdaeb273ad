import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { ViewerProvider } from '@/components/auth/viewer-context';
import { ViewerMenu } from '@/components/auth/viewer-menu';
import { SimulationBanner } from '@/components/layout/simulation-banner';
import { ThemeToggle, themeScript } from '@/components/layout/theme-toggle';
import { LiveIndicator } from '@/components/live/live-indicator';
import { FleetSearch } from '@/components/search/fleet-search';
import { NavLink } from '@/components/ui/nav-link';
import { TimeZoneSelect } from '@/components/ui/time-zone-select';
import { getAuthConfig } from '@/lib/auth/auth-config';
import { getPageIdentity } from '@/lib/auth/page-identity';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Leasetrail', template: '%s · Leasetrail' },
  description: 'Leader-election history for fleets of Kubernetes clusters',
};

// Only the simulated fleet is watched: say so on every page. A database that cannot answer hides the
// banner rather than the page; the page itself reports the database.
async function isSimulationOnly(): Promise<boolean> {
  try {
    const clusters = await listClusters(getStore());
    return clusters.length > 0 && clusters.every((cluster) => cluster.source === 'simulated');
  } catch {
    return false;
  }
}

// Every page is rendered per request (its CSP nonce and the viewer's role differ each time).
export default async function RootLayout({ children }: { children: ReactNode }) {
  const identity = await getPageIdentity();
  if (!identity) redirect(getAuthConfig().mode === 'oidc' ? '/api/auth/login' : '/api/auth/me');
  const viewer = { name: identity.name, role: identity.role, canSignOut: identity.source === 'oidc' };
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  const isSimulated = await isSimulationOnly();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen bg-white font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <ViewerProvider viewer={viewer}>
        <Providers>
          {isSimulated ? <SimulationBanner /> : null}
          <header className="border-b border-zinc-200 dark:border-zinc-800">
            <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-2 gap-y-2 px-3 py-2 text-sm sm:px-4">
              <nav aria-label="Main" className="flex flex-wrap items-center gap-1">
                <Link href="/" className="mr-2 font-semibold tracking-tight">
                  Leasetrail
                </Link>
                <Suspense>
                  <NavLink href="/">Fleet</NavLink>
                  <NavLink href="/timeline">Timeline</NavLink>
                  <NavLink href="/clusters">Clusters</NavLink>
                  <NavLink href="/nodes">Nodes</NavLink>
                  <NavLink href="/audit">Audit</NavLink>
                  <NavLink href="/alerts">Alerts</NavLink>
                  <NavLink href="/slos">SLOs</NavLink>
                  {identity.role === 'admin' ? <NavLink href="/admin">Admin</NavLink> : null}
                </Suspense>
              </nav>
              <span className="ml-auto flex min-w-0 flex-wrap items-center justify-end gap-2">
                <ViewerMenu />
                <LiveIndicator />
                <Suspense>
                  <TimeZoneSelect />
                </Suspense>
                <ThemeToggle />
              </span>
              <div className="w-full md:w-auto">
                <FleetSearch />
              </div>
            </div>
          </header>
          <main className="mx-auto max-w-7xl px-3 py-6 sm:px-4">{children}</main>
        </Providers>
        </ViewerProvider>
      </body>
    </html>
  );
}
