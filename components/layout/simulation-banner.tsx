// On every page while only the built-in simulated fleet is watched: nothing on screen is a real cluster.
export function SimulationBanner() {
  return (
    <div role="note" aria-label="Simulation" className="border-b border-sky-300 bg-sky-50 px-4 py-1.5 text-center text-sm text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100">
      This is a <strong>simulation</strong>: the built-in simulated fleet, with failovers and outages staged on purpose. Set <code className="font-mono">KUBECONFIG</code> to
      watch your own clusters.
    </div>
  );
}
