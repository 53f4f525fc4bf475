import { healthResponse, type HealthService } from '@atoms/observability';

/** `/health` (every check), `/health/live` (no dependency calls), `/health/ready` (503 while draining). */
export function healthRoutes(health: HealthService) {
  const noStore = { headers: { 'cache-control': 'no-store' } };
  return {
    full: async () => healthResponse(await health.check(), noStore),
    live: async () => healthResponse(health.liveness(), noStore),
    ready: async () => healthResponse(await health.readiness(), noStore),
  };
}
