import type { HealthTransition } from '../health/health-types.js';
import type { AlertDispatcher } from './alert-dispatcher.js';

/**
 * A `HealthService` `onTransition` handler that raises alerts: `health.degraded` when the service leaves pass,
 * `health.recovered` when it returns, and `performance.degraded` when the performance component leaves pass.
 * Sending is fire-and-forget (the dispatcher reports and logs its own failures).
 */
export function alertOnHealthTransitions(
  dispatcher: AlertDispatcher,
  options: { performanceComponent?: string } = {},
): (transition: HealthTransition) => void {
  const performanceKey = `${options.performanceComponent ?? 'performance'}:responseTime`;
  let performanceStatus = 'pass';
  return ({ previous, current, report }) => {
    const failing = Object.values(report.checks)
      .flat()
      .filter((c) => c.status !== 'pass')
      .map((c) => ({ component: c.componentId, status: c.status, output: c.output }));
    if (current !== 'pass' && previous !== current) {
      void dispatcher.send({
        type: 'health.degraded',
        severity: current === 'fail' ? 'critical' : 'warning',
        title: `${report.serviceId} health is ${current}`,
        message: report.output ?? '',
        metadata: { previous: previous ?? null, current, components: failing },
      });
    } else if (current === 'pass' && previous !== undefined && previous !== 'pass') {
      void dispatcher.send({
        type: 'health.recovered',
        title: `${report.serviceId} health recovered`,
        metadata: { previous, current },
      });
    }
    const perf = report.checks[performanceKey]?.[0];
    if (perf) {
      if (perf.status !== 'pass' && performanceStatus === 'pass') {
        void dispatcher.send({
          type: 'performance.degraded',
          severity: perf.status === 'fail' ? 'error' : 'warning',
          title: `${report.serviceId} performance is ${perf.status}`,
          message: perf.output ?? '',
          metadata: { details: perf.details ?? {} },
        });
      }
      performanceStatus = perf.status;
    }
  };
}
