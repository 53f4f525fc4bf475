import type { HealthStatus } from './health-types.js';

/**
 * Overall status: fail if a critical component fails; warn if a critical component warns or a non-critical one
 * warns or fails; pass otherwise (an empty set of checks passes: liveness needs no dependencies).
 */
export function aggregateStatus(components: readonly { status: HealthStatus; critical: boolean }[]): HealthStatus {
  let status: HealthStatus = 'pass';
  for (const component of components) {
    if (component.status === 'fail' && component.critical) return 'fail';
    if (component.status !== 'pass') status = 'warn';
  }
  return status;
}
