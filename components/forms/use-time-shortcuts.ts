'use client';

import { useEffect, useRef } from 'react';

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

// Grafana's time shortcuts: `t z` zooms out, `t ←` / `t →` shift the window. Ignored while typing.
export function useTimeShortcuts(actions: { onZoomOut: () => void; onShift: (direction: -1 | 1) => void }): void {
  const latest = useRef(actions);
  useEffect(() => {
    latest.current = actions;
  });
  useEffect(() => {
    let prefixAt = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      const isPrefixed = event.timeStamp - prefixAt < 1_500;
      if (event.key === 't') {
        prefixAt = event.timeStamp;
        return;
      }
      if (!isPrefixed) return;
      prefixAt = 0;
      if (event.key === 'z') latest.current.onZoomOut();
      else if (event.key === 'ArrowLeft') latest.current.onShift(-1);
      else if (event.key === 'ArrowRight') latest.current.onShift(1);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
