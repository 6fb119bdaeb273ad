'use client';

import { createContext, useContext, type ReactNode } from 'react';
import type { Role } from '@/lib/auth/roles';

export type Viewer = { name: string; role: Role; canSignOut: boolean };

const order: Role[] = ['viewer', 'editor', 'admin'];

const ViewerContext = createContext<Viewer>({ name: 'local', role: 'viewer', canSignOut: false });

export function ViewerProvider({ viewer, children }: { viewer: Viewer; children: ReactNode }) {
  return <ViewerContext.Provider value={viewer}>{children}</ViewerContext.Provider>;
}

export function useViewer(): Viewer {
  return useContext(ViewerContext);
}

// Hides what the role cannot do; the server checks again on every request.
export function useCan(needed: Role): boolean {
  return order.indexOf(useViewer().role) >= order.indexOf(needed);
}
