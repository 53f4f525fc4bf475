/**
 * Port overhead benchmark (not a test): an RLS-checked select of one requirement by id as its owner, through the
 * pg and PGlite adapters, against the same four statements written by hand (interleaved, so machine load hits
 * both alike). Run from the workspace root:
 *
 *   node --import @swc-node/register/esm-register --conditions=@atoms/source libs/schema/test/port/port-bench.ts
 *
 * N (default 3000) sets the iterations; DATABASE_URL the server (a migrated clone is created and dropped).
 */
import pg from 'pg';
import { cloneMigratedDatabase, openMigratedPglite } from '../../src/migrate/index.js';
import { pgDatabase, pgliteDatabase } from '../../src/node/index.js';
import type { Database } from '../../src/index.js';

const N = Number(process.env.N ?? 3000);
function first<T>(list: T[]): T {
  const item = list[0];
  if (item === undefined) throw new Error('expected a row');
  return item;
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
function report(name: string, xs: number[]) {
  xs.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(58)} p50 ${pct(xs, 50).toFixed(3)} ms  p95 ${pct(xs, 95).toFixed(3)} ms  p99 ${pct(xs, 99).toFixed(3)} ms`,
  );
}

async function seed(db: Database, profile: string, org: string) {
  const user = { claims: { sub: profile } };
  const setup = await db.asUser(user, (s) =>
    s.rpc<{ documents: { id: string }[] }>('setup_project', {
      p_organization_id: org,
      p_name: 'Bench',
      p_initial_documents: ['Spec'],
    }),
  );
  const imported = await db.asUser(user, (s) =>
    s.rpc<{ requirements: { id: string }[] }>('import_requirements', {
      p_document_id: first(setup.documents).id,
      p_requirements: Array.from({ length: 200 }, (_, i) => ({ name: `R${i}`, description: 'bench' })),
    }),
  );
  return { user, ids: imported.requirements.map((r) => r.id) };
}

async function measure(name: string, db: Database, user: { claims: { sub: string } }, ids: string[]) {
  for (let i = 0; i < 300; i++)
    await db.asUser(user, (s) =>
      s.select('requirements', {
        columns: ['id', 'name'],
        filters: [{ column: 'id', op: 'eq', value: ids[i % ids.length] }],
      }),
    );
  const xs: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const { rows } = await db.asUser(user, (s) =>
      s.select('requirements', {
        columns: ['id', 'name', 'status'],
        filters: [{ column: 'id', op: 'eq', value: ids[i % ids.length] }],
      }),
    );
    xs.push(performance.now() - t);
    if (rows.length !== 1) throw new Error('RLS hid the row');
  }
  report(name, xs);
}

const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const clone = await cloneMigratedDatabase({ adminUrl: admin, prefix: 'atoms_schema_port_bench' });
console.log(`N=${N}; ${new Date().toISOString()}`);
try {
  const raw = new pg.Client({ connectionString: clone.url });
  await raw.connect();
  const { rows } = await raw.query(
    `insert into public.profiles (email, full_name) values ('bench@example.test', 'Bench') returning id`,
  );
  const profile = rows[0].id as string;
  const org = (await raw.query('select personal_organization_id as id from public.profiles where id = $1', [profile]))
    .rows[0].id as string;
  const db = pgDatabase({ connectionString: clone.url, max: 1 });
  const { user, ids } = await seed(db, profile, org);
  const claims = JSON.stringify({ sub: profile, role: 'authenticated' });
  const viaPort: number[] = [];
  const byHand: number[] = [];
  for (let i = -300; i < N; i++) {
    const id = ids[(i + 300) % ids.length];
    let t = performance.now();
    const { rows } = await db.asUser(user, (s) =>
      s.select('requirements', { columns: ['id', 'name', 'status'], filters: [{ column: 'id', op: 'eq', value: id }] }),
    );
    if (i >= 0) viaPort.push(performance.now() - t);
    if (rows.length !== 1) throw new Error('RLS hid the row');
    // The floor: the same work by hand on one connection (BEGIN, claims, select, COMMIT: 4 round trips).
    t = performance.now();
    await raw.query('BEGIN');
    await raw.query(`select set_config('role','authenticated',true), set_config('request.jwt.claims',$1,true)`, [
      claims,
    ]);
    await raw.query('select id, name, status from public.requirements where id = $1', [id]);
    await raw.query('COMMIT');
    if (i >= 0) byHand.push(performance.now() - t);
  }
  report('pg adapter: asUser + select requirement by id (RLS)', viaPort);
  report('raw pg by hand: BEGIN + set_config + select + COMMIT', byHand);
  await db.close();
  await raw.end();
} finally {
  await clone.drop();
}

const lite = await openMigratedPglite();
const { rows } = await lite.query<{ id: string }>(
  `insert into public.profiles (email, full_name) values ('bench@example.test', 'Bench') returning id`,
);
const orgRows = (
  await lite.query<{ id: string }>('select personal_organization_id as id from public.profiles where id = $1', [
    first(rows).id,
  ])
).rows;
const org = first(orgRows).id;
const ldb = pgliteDatabase(lite);
const seeded = await seed(ldb, first(rows).id, org);
await measure('pglite adapter: asUser + select requirement by id (RLS)', ldb, seeded.user, seeded.ids);
await ldb.close();
