import { describe, expect, it } from '@jest/globals';
import { must } from '../../test/support/must.js';
import { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { createInIsolateMetricsBackend } from '../metrics/in-isolate-backend.js';
import { aggregateStatus } from './aggregate-status.js';
import { healthResponse, HealthService } from './health-service.js';
import type { HealthCheck, HealthStatus, HealthTransition } from './health-types.js';
import { percentile, PerformanceMonitor } from './performance-monitor.js';

const check = (name: string, status: HealthStatus, extra: Partial<HealthCheck> = {}): HealthCheck => ({
  name,
  check: async () => status,
  ...extra,
});

describe('aggregateStatus', () => {
  it.each([
    [[], 'pass'],
    [[{ status: 'pass', critical: true }], 'pass'],
    [[{ status: 'fail', critical: true }], 'fail'],
    [[{ status: 'warn', critical: true }], 'warn'],
    [[{ status: 'fail', critical: false }], 'warn'],
    [
      [
        { status: 'warn', critical: false },
        { status: 'pass', critical: true },
      ],
      'warn',
    ],
    [
      [
        { status: 'fail', critical: false },
        { status: 'fail', critical: true },
      ],
      'fail',
    ],
  ] as const)('%j -> %s', (components, expected) => expect(aggregateStatus(components)).toBe(expected));
});

describe('HealthService', () => {
  const service = (checks: HealthCheck[], extra = {}) =>
    new HealthService({ serviceId: 'atoms-mcp', version: '1.2.3', checks, defaultTimeoutMs: 200, ...extra });

  it('reports every component with its observed latency in application/health+json shape', async () => {
    const report = await service([
      check('database', 'pass', { componentType: 'database' }),
      {
        name: 'cache',
        critical: false,
        check: async () => ({ status: 'warn', output: 'hit ratio low', details: { ratio: 0.4 } }),
      },
    ]).check();
    expect(report).toMatchObject({ status: 'warn', version: '1.2.3', serviceId: 'atoms-mcp', output: 'cache: warn' });
    expect(report.uptime).toBeGreaterThanOrEqual(0);
    expect(report.checks['database:responseTime']).toEqual([
      expect.objectContaining({
        componentId: 'database',
        componentType: 'database',
        status: 'pass',
        critical: true,
        observedUnit: 'ms',
      }),
    ]);
    expect(must(report.checks['cache:responseTime'])[0]).toMatchObject({
      status: 'warn',
      output: 'hit ratio low',
      details: { ratio: 0.4 },
    });
    const response = healthResponse(report);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/health+json');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('fails a check that exceeds its timeout, aborts its signal, and does not wait for it', async () => {
    let aborted = false;
    const slow: HealthCheck = {
      name: 'slow',
      timeoutMs: 50,
      check: (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => (aborted = true));
          setTimeout(() => resolve('pass'), 10_000).unref();
        }),
    };
    const started = performance.now();
    const report = await service([slow, check('fast', 'pass')]).check();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(aborted).toBe(true);
    expect(must(report.checks['slow:responseTime'])[0]).toMatchObject({
      status: 'fail',
      output: 'timed out after 50 ms',
    });
    expect(report.status).toBe('fail');
    expect(healthResponse(report).status).toBe(503);
  });

  it('turns a throwing check into fail with a credential-free message', async () => {
    const report = await service([
      {
        name: 'database',
        check: async () => {
          throw new Error('connect ECONNREFUSED postgres://admin:s3cret-pw@db.internal:5432/atoms');
        },
      },
      { name: 'bad', critical: false, check: async () => ({ status: 'maybe' as never }) },
    ]).check();
    const db = must(report.checks['database:responseTime'])[0];
    expect(db?.status).toBe('fail');
    expect(db?.output).toContain('ECONNREFUSED');
    expect(JSON.stringify(report)).not.toContain('s3cret-pw');
    expect(must(report.checks['bad:responseTime'])[0]).toMatchObject({
      status: 'fail',
      output: expect.stringContaining('invalid status'),
    });
  });

  it('splits liveness (no dependency called) from readiness, and fails readiness while draining', async () => {
    let calls = 0;
    const health = service([
      { name: 'database', check: async () => void calls++ },
      check('perf', 'fail', { readiness: false }),
    ]);
    expect(health.liveness()).toMatchObject({ status: 'pass', checks: {} });
    expect(calls).toBe(0);
    const ready = await health.readiness();
    expect(ready.status).toBe('pass');
    expect(Object.keys(ready.checks)).toEqual(['database:responseTime']);
    expect(calls).toBe(1);
    health.startDraining();
    const draining = await health.readiness();
    expect(draining).toMatchObject({ status: 'fail', output: expect.stringContaining('draining') });
    expect(healthResponse(draining).status).toBe(503);
    expect(calls).toBe(1);
    expect(health.liveness().status).toBe('pass');
  });

  it('publishes per-component status metrics and reports transitions', async () => {
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
    let status: HealthStatus = 'pass';
    const transitions: HealthTransition[] = [];
    const health = service([{ name: 'database', check: async () => status }], {
      metrics,
      onTransition: (t: HealthTransition) => transitions.push(t),
    });
    await health.check();
    status = 'fail';
    await health.check();
    await health.check();
    status = 'pass';
    await health.check();
    expect(transitions.map((t) => [t.previous, t.current])).toEqual([
      [undefined, 'pass'],
      ['pass', 'fail'],
      ['fail', 'pass'],
    ]);
    expect(await metrics.render()).toContain('atoms_health_status{health_component="database"} 1');
  });

  it('refuses duplicate check names', () => {
    expect(() => service([check('a', 'pass'), check('a', 'pass')])).toThrow(/duplicate/);
  });
});

describe('PerformanceMonitor', () => {
  it('computes nearest-rank p50/p95/p99 per operation', () => {
    const monitor = new PerformanceMonitor();
    for (let i = 1; i <= 100; i++) monitor.record('op', i);
    for (let i = 1; i <= 10; i++) monitor.record('other', i * 10, i !== 10);
    const [op, other] = monitor.stats();
    expect(op).toMatchObject({
      operation: 'op',
      count: 100,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      maxMs: 100,
      meanMs: 50.5,
    });
    expect(other).toMatchObject({ operation: 'other', count: 10, p50Ms: 50, p95Ms: 100, errors: 1, errorRate: 0.1 });
    expect(percentile([], 50)).toBe(0);
  });

  it('forgets samples outside the window and beyond the per-operation capacity', () => {
    let now = 0;
    const monitor = new PerformanceMonitor({ windowMs: 1000, maxSamples: 5, now: () => now });
    for (let i = 0; i < 3; i++) monitor.record('op', 5000);
    now = 2000;
    for (let i = 0; i < 7; i++) monitor.record('op', i);
    expect(must(monitor.stats()[0])).toMatchObject({ count: 5, maxMs: 6, p50Ms: 4 });
  });

  it('degrades to warn then fail as p95 crosses thresholds, with per-operation overrides and a minimum sample count', async () => {
    const monitor = new PerformanceMonitor({
      thresholds: { warnP95Ms: 100, failP95Ms: 500 },
      operations: { strict: { warnP95Ms: 10, failP95Ms: 20 } },
      minSamples: 5,
    });
    const check = monitor.asHealthCheck();
    for (let i = 0; i < 4; i++) monitor.record('slow', 10_000);
    expect(monitor.status().status).toBe('pass');
    monitor.record('slow', 10_000);
    expect(monitor.status().status).toBe('fail');
    const result = await check.check(new AbortController().signal);
    expect(result).toMatchObject({
      status: 'fail',
      output: expect.stringContaining('slow p95 10000.0 ms (threshold 500 ms)'),
    });

    const other = new PerformanceMonitor({ minSamples: 1, operations: { strict: { warnP95Ms: 10, failP95Ms: 20 } } });
    other.record('strict', 15);
    other.record('lenient', 15);
    expect(other.stats().map((s) => [s.operation, s.status])).toEqual([
      ['lenient', 'pass'],
      ['strict', 'warn'],
    ]);
    expect(() => new PerformanceMonitor({ thresholds: { warnP95Ms: 10, failP95Ms: 5 } })).toThrow(RangeError);
  });

  it('as a non-critical check, slowness warns the service instead of failing it', async () => {
    const monitor = new PerformanceMonitor({ minSamples: 1 });
    monitor.record('tool:entity_tool.create', 60_000);
    const health = new HealthService({ serviceId: 's', version: '1', checks: [monitor.asHealthCheck()] });
    expect((await health.check()).status).toBe('warn');
    expect((await health.readiness()).status).toBe('pass');
  });
});
