import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The shipped alert rules and dashboard: valid for Prometheus, unit-tested, and naming only metrics Leasetrail exports.
const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '..', '..', '..');
const monitoring = path.join(root, 'deploy', 'monitoring');

async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of ['controller-metrics.ts', 'lease-signals.ts']) {
    const source = await readFile(path.join(root, 'lib', 'metrics', file), 'utf8');
    // prom-client's metrics take an options object; CompactHistogram (many label sets) takes the name first.
    for (const [, type, name] of source.matchAll(/new (\w+)\((?:\{ name: )?'(leasetrail_\w+)'/g)) {
      names.add(name!);
      if (type === 'Histogram' || type === 'CompactHistogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

function referencedMetricNames(text: string): string[] {
  return [...new Set(text.match(/leasetrail_[a-z_]+/g) ?? [])];
}

describe('the Prometheus alert rules', () => {
  it('pass promtool check rules and their unit tests', async () => {
    const check = await execFileAsync('promtool', ['check', 'rules', 'alerts.yaml'], { cwd: monitoring });
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const test = await execFileAsync('promtool', ['test', 'rules', 'alerts.test.yaml'], { cwd: monitoring });
    expect(test.stdout).toContain('SUCCESS');
  });

  it('and the Grafana dashboard use only metrics Leasetrail exports', async () => {
    const exported = await exportedMetricNames();
    expect(exported.size).toBeGreaterThan(15);
    const rules = await readFile(path.join(monitoring, 'alerts.yaml'), 'utf8');
    const dashboard = JSON.parse(await readFile(path.join(monitoring, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const expressions = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join('\n');
    for (const name of [...referencedMetricNames(rules), ...referencedMetricNames(expressions)]) expect(exported, name).toContain(name);
  });
});
