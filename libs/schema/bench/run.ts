/**
 * @atoms/schema benchmarks: `nx run schema:bench` (or
 * `node --import @swc-node/register/esm-register --conditions=@atoms/source libs/schema/bench/run.ts`).
 *
 * 1. Apply every migration to an empty PostgreSQL database (DATABASE_URL server) and to a fresh in-memory PGlite.
 * 2. An RLS-checked select of one requirement by id as a project member: the unit of work the database port runs
 *    (BEGIN; set_config role + request.jwt.claims; SELECT … WHERE id = $1; COMMIT), over a project
 *    of 2,000 requirements in an organization of 9 members among other organizations; the same SELECT as the
 *    table owner (no RLS) for comparison. Target: p99 < 2 ms on PostgreSQL.
 *
 * Environment: BENCH_ITERATIONS (default 5000), BENCH_MIGRATE_RUNS (default 5).
 */
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import {
  cloneMigratedDatabase,
  createEmptyDatabase,
  migrate,
  openMigratedPglite,
  openPglite,
  pgConnection,
  pgliteConnection,
  readMigrationFiles,
} from '../src/migrate/index.js';

interface Runner {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 5000);
const MIGRATE_RUNS = Number(process.env['BENCH_MIGRATE_RUNS'] ?? 5);
const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples: number[]): { n: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    p50: round(percentile(s, 50)),
    p90: round(percentile(s, 90)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function benchMigratePostgres(): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < MIGRATE_RUNS; i++) {
    const db = await createEmptyDatabase({ adminUrl: ADMIN_URL });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      samples.push(await time(() => migrate(pgConnection(client))));
    } finally {
      await client.end();
      await db.drop();
    }
  }
  return samples;
}

async function benchMigratePglite(): Promise<{ open: number[]; migrate: number[] }> {
  const open: number[] = [];
  const samples: number[] = [];
  for (let i = 0; i < Math.min(MIGRATE_RUNS, 3); i++) {
    const started = process.hrtime.bigint();
    const db: PGlite = await openPglite();
    open.push(Number(process.hrtime.bigint() - started) / 1e6);
    try {
      samples.push(await time(() => migrate(pgliteConnection(db))));
    } finally {
      await db.close();
    }
  }
  return { open, migrate: samples };
}

/** Seeds the dataset as the owner; returns a member's id and requirement ids to look up. */
async function seed(db: Runner): Promise<{ member: string; requirements: string[] }> {
  const profile = async (email: string) =>
    (await db.query(`insert into profiles (email, full_name) values ($1, $1) returning id`, [email])).rows[0]
      .id as string;
  const owner = await profile('owner@bench.test');
  const member = await profile('member@bench.test');
  // Noise: other organizations with their own projects.
  for (let o = 0; o < 20; o++) {
    const other = await profile(`other${o}@bench.test`);
    const org = (
      await db.query(`insert into organizations (name, created_by, updated_by) values ($1, $2, $2) returning id`, [
        `Other ${o}`,
        other,
      ])
    ).rows[0].id;
    const project = (
      await db.query(
        `insert into projects (name, organization_id, created_by, updated_by) values ('Project', $1, $2, $2) returning id`,
        [org, other],
      )
    ).rows[0].id;
    const doc = (await db.query(`insert into documents (name, project_id) values ('Doc', $1) returning id`, [project]))
      .rows[0].id;
    await db.query(
      `insert into requirements (document_id, name, description)
       select $1, 'Other ' || g, 'noise' from generate_series(1, 100) g`,
      [doc],
    );
  }
  const org = (
    await db.query(
      `insert into organizations (name, created_by, updated_by) values ('Bench Org', $1, $1) returning id`,
      [owner],
    )
  ).rows[0].id;
  await db.query(`update organizations set billing_plan = 'pro' where id = $1`, [org]);
  for (let i = 0; i < 7; i++) {
    const p = await profile(`m${i}@bench.test`);
    await db.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, p]);
  }
  await db.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, member]);
  const project = (
    await db.query(
      `insert into projects (name, organization_id, created_by, updated_by, visibility) values ('Bench', $1, $2, $2, 'private') returning id`,
      [org, owner],
    )
  ).rows[0].id;
  await db.query(`insert into project_members (project_id, user_id, role, org_id) values ($1, $2, 'editor', $3)`, [
    project,
    member,
    org,
  ]);
  const requirements: string[] = [];
  for (let d = 0; d < 20; d++) {
    const doc = (
      await db.query(`insert into documents (name, project_id) values ($1, $2) returning id`, [`Doc ${d}`, project])
    ).rows[0].id;
    const rows = await db.query(
      `insert into requirements (document_id, name, description, priority)
       select $1, 'Req ' || g, 'The system shall do thing ' || g, (array['low','medium','high','critical'])[1 + g % 4]::requirement_priority
       from generate_series(1, 100) g returning id`,
      [doc],
    );
    requirements.push(...rows.rows.map((r) => r.id as string));
  }
  await db.query('analyze');
  return { member, requirements };
}

async function benchSelect(db: Runner, member: string, requirements: string[]) {
  const claims = JSON.stringify({ sub: member, role: 'authenticated', email: 'member@bench.test' });
  // As the database port runs a unit of work: BEGIN; one statement setting role and claims; the query; COMMIT.
  const enter = (c: string) =>
    db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [c]);
  const asMember = async (id: string) => {
    await db.query('begin');
    await enter(claims);
    const { rows } = await db.query('select * from requirements where id = $1', [id]);
    await db.query('commit');
    if (rows.length !== 1) throw new Error('RLS refused the member: benchmark dataset is wrong');
  };
  const selectOnly: number[] = [];
  const unit: number[] = [];
  const owner: number[] = [];
  for (let i = 0; i < 200; i++) await asMember(requirements[i % requirements.length]);
  for (let i = 0; i < ITERATIONS; i++) {
    const id = requirements[(i * 7919) % requirements.length];
    unit.push(await time(() => asMember(id)));
    // The SELECT alone, inside an open member transaction (what RLS itself costs per statement).
    await db.query('begin');
    await enter(claims);
    selectOnly.push(await time(() => db.query('select * from requirements where id = $1', [id])));
    await db.query('commit');
    owner.push(await time(() => db.query('select * from requirements where id = $1', [id])));
  }
  // A stranger sees nothing (the benchmark measures a real RLS check, not a bypass).
  await db.query('begin');
  await db.query('set local role authenticated');
  await db.query(`select set_config('request.jwt.claims', $1, true)`, [
    JSON.stringify({ sub: '00000000-0000-4000-8000-000000000000' }),
  ]);
  const hidden = (await db.query('select 1 from requirements where id = $1', [requirements[0]])).rows.length;
  await db.query('commit');
  if (hidden !== 0) throw new Error('a stranger could read a requirement: RLS is not applied');
  return { unitOfWork: summary(unit), selectAsMember: summary(selectOnly), selectAsOwnerNoRls: summary(owner) };
}

async function main(): Promise<void> {
  const files = await readMigrationFiles();
  const out: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    migrations: files.length,
    iterations: ITERATIONS,
  };
  process.stderr.write('applying migrations to empty PostgreSQL databases…\n');
  out['migratePostgresMs'] = summary(await benchMigratePostgres());
  process.stderr.write('applying migrations to fresh PGlite instances…\n');
  const pgl = await benchMigratePglite();
  out['pgliteOpenMs'] = summary(pgl.open);
  out['migratePgliteMs'] = summary(pgl.migrate);

  process.stderr.write('RLS-checked select on PostgreSQL…\n');
  const clone = await cloneMigratedDatabase({ adminUrl: ADMIN_URL });
  const client = new pg.Client({ connectionString: clone.url });
  await client.connect();
  try {
    const data = await seed(client);
    out['postgresSelectRequirementByIdMs'] = await benchSelect(client, data.member, data.requirements);
  } finally {
    await client.end();
    await clone.drop();
  }

  process.stderr.write('RLS-checked select on PGlite…\n');
  const lite = await openMigratedPglite();
  try {
    const data = await seed(lite);
    out['pgliteSelectRequirementByIdMs'] = await benchSelect(lite, data.member, data.requirements);
  } finally {
    await lite.close();
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
