// Draining is process-wide: the run script starts it, route handlers (another module graph in the same
// process) read it, so it lives on globalThis.
type Lifecycle = { isDraining: boolean; listeners: Set<() => void> };

const key = Symbol.for('leasetrail.lifecycle');

function getLifecycle(): Lifecycle {
  const holder = globalThis as { [key]?: Lifecycle };
  holder[key] ??= { isDraining: false, listeners: new Set() };
  return holder[key];
}

export function isDraining(): boolean {
  return getLifecycle().isDraining;
}

export function onDrain(listener: () => void): () => void {
  const lifecycle = getLifecycle();
  lifecycle.listeners.add(listener);
  return () => {
    lifecycle.listeners.delete(listener);
  };
}

export function startDrain(): void {
  const lifecycle = getLifecycle();
  if (lifecycle.isDraining) return;
  lifecycle.isDraining = true;
  for (const listener of [...lifecycle.listeners]) listener();
  lifecycle.listeners.clear();
}
