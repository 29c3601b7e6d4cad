// The checked-in Grafana dashboard and Prometheus configuration agree with the metrics the code
// defines: a renamed metric or a new scrape target cannot leave a panel silently empty.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsRegistry } from './metrics.ts';
import { projectDir } from './project-dir.ts';

const dashboard = JSON.parse(
  readFileSync(path.join(projectDir, 'observability/grafana/dashboards/alliance.json'), 'utf8'),
) as { panels: { title: string; targets: { expr: string }[] }[] };

describe('the observability files', () => {
  it('queries in the dashboard only metrics the registry defines', async () => {
    const defined = new Set<string>();
    for (const metric of await metricsRegistry.getMetricsAsJSON()) {
      defined.add(metric.name);
      if (String(metric.type) === 'histogram')
        for (const suffix of ['_bucket', '_count', '_sum']) defined.add(metric.name + suffix);
    }
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => target.expr.match(/alliance_\w+/g) ?? []),
    );
    expect(queried.length).toBeGreaterThanOrEqual(10);
    expect(queried.filter((name) => !defined.has(name))).toEqual([]);
  });

  it('has Prometheus scrape the gateway and the worker with the metrics token', () => {
    const config = parse(readFileSync(path.join(projectDir, 'observability/prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        authorization: { credentials_file: string };
        static_configs: { targets: string[] }[];
      }[];
    };
    const targets = Object.fromEntries(
      config.scrape_configs.map((job) => [job.job_name, job.static_configs[0]?.targets]),
    );
    expect(targets).toEqual({ gateway: ['gateway:3000'], worker: ['worker:9464'] });
    for (const job of config.scrape_configs)
      expect(job.authorization.credentials_file).toBe('/run/secrets/metrics-token');
  });
});
