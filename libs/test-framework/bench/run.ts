/**
 * Costs of the framework's moving parts, so test authors know what a mode or a strategy costs:
 *   node --import @swc-node/register/esm-register --conditions=@atoms/source libs/test-framework/bench/run.ts
 * Reports medians and p95 over N runs; the machine is shared, so compare ratios rather than absolutes.
 */
import { AtomsTestClient } from '../src/client/atoms-client.js';
import { openAtomsTestDatabase } from '../src/database/test-database.js';
import { createModeEnvironment } from '../src/modes/environment.js';
import { createFixtureDatabase, fixtureServerFactory } from '../test/support/fixture-server.js';

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms (n=${samples.length})`;
}

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

const db = await createFixtureDatabase();
const factory = fixtureServerFactory(db);
const cold = await AtomsTestClient.connect({ kind: 'in-process', server: factory });
await time(20, () => cold.entity.list('organization'));
console.log(
  `COLD in-process entity create (fixture server, PGlite): ${stats(await time(300, () => cold.entity.create('organization', { name: 'bench' })))}`,
);
console.log(
  `COLD in-process entity read: ${stats(await time(300, () => cold.entity.read('organization', '00000000-0000-4000-8000-000000000000').catch(() => undefined)))}`,
);

const dry = await createModeEnvironment({ mode: 'DRY', server: () => factory() });
await time(20, () => dry.client.entity.create('project', { name: 'warm' }));
console.log(
  `DRY validated + simulated create: ${stats(await time(300, () => dry.client.entity.create('project', { name: 'bench' })))}`,
);
console.log(
  `DRY refused call: ${stats(await time(300, () => dry.client.callTool('entity_tool', { entity_type: 'x' }).catch(() => undefined)))}`,
);
await dry.close();

console.log(
  `rollback scope begin + 1 create + rollback: ${stats(
    await time(200, async () => {
      await db.scope.begin();
      await cold.entity.create('organization', { name: 'rolled back' });
      await db.scope.rollback();
    }),
  )}`,
);
console.log(
  `cascade_delete of 1 entity through the tool contract (delete + probe read): ${stats(
    await time(200, async () => {
      const created = await cold.entity.create('organization', { name: 'deleted' });
      await cold.entity.delete('organization', created.id, { soft_delete: false });
      await cold.entity.read('organization', created.id, { include_deleted: true }).catch(() => undefined);
    }),
  )}`,
);
await cold.close();
await db.pg.close();

for (const backend of ['pglite', 'postgres'] as const) {
  const samples = await time(3, async () => (await openAtomsTestDatabase({ backend })).close());
  console.log(`openAtomsTestDatabase(${backend}) + close, template/snapshot already built: ${stats(samples)}`);
}
