import { cloneMigratedDatabase } from '@atoms/schema/migrate';
import { pgDatabase } from '@atoms/schema/node';

/** A migrated PostgreSQL clone (`atoms_bench_t_…`) holding one owner's workspace with `requirements` rows. */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** The owner's profile id: the `sub` of the bench's tokens. */
  readonly profileId: string;
  readonly email: string;
  /** Requirement ids spread over every document, read round-robin by the entity-read scenario. */
  readonly sampleRequirementIds: readonly string[];
  readonly seedMs: number;
  drop(): Promise<void>;
}

const PER_IMPORT = 1000; // import_requirements refuses more than 1,000 rows per call
const SAMPLE_PER_DOCUMENT = 100;
const EMAIL = 'bench-owner@example.com';
const WORDS = (
  'login password reset email session token audit trail telemetry downlink orbit thermal power battery solar ' +
  'antenna attitude control payload camera storage encryption backup restore report dashboard export import ' +
  'latency throughput availability failover alarm sensor calibration firmware update safety hazard'
).split(' ');

/** Deterministic pseudo-random words, so two runs seed the same text. */
function words(seed: number, n: number): string {
  const out: string[] = [];
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length] as string);
  }
  return out.join(' ');
}

/**
 * Clones the migrated template and seeds it through the database port as the owner (RLS, triggers, audit and
 * versions on, as in production): an organization, a project, `requirements / 1000` documents and
 * `import_requirements` batches of 1,000.
 */
export async function prepareBenchDatabase(options: {
  readonly adminUrl: string;
  readonly requirements: number;
}): Promise<BenchDatabase> {
  if (!Number.isInteger(options.requirements) || options.requirements < PER_IMPORT) {
    throw new Error(`BENCH_REQUIREMENTS must be a whole number of at least ${PER_IMPORT}`);
  }
  const started = performance.now();
  const clone = await cloneMigratedDatabase({ adminUrl: options.adminUrl, prefix: 'atoms_bench' });
  const db = pgDatabase({ connectionString: clone.url, max: 2, applicationName: 'atoms-bench-seed' });
  try {
    const profileId = await db.asService((s) =>
      s.rpc<string>('resolve_profile', { p_provider: 'bench', p_subject: 'bench-owner', p_email: EMAIL }),
    );
    const user = { claims: { sub: profileId, email: EMAIL, role: 'authenticated' } };
    const documentCount = Math.ceil(options.requirements / PER_IMPORT);
    const documents = await db.asUser(user, async (s) => {
      const id = (rows: readonly Record<string, unknown>[], what: string): string => {
        const value = rows[0]?.['id'];
        if (typeof value !== 'string') throw new Error(`seeding: no id returned for the ${what}`);
        return value;
      };
      const org = id(await s.insert('organizations', { name: 'Bench Org' }), 'organization');
      const project = id(await s.insert('projects', { name: 'Bench Project', organization_id: org }), 'project');
      const ids: string[] = [];
      for (let d = 0; d < documentCount; d++) {
        ids.push(id(await s.insert('documents', { name: `Spec ${d}`, project_id: project }), 'document'));
      }
      return ids;
    });
    for (const [d, documentId] of documents.entries()) {
      const count = Math.min(PER_IMPORT, options.requirements - d * PER_IMPORT);
      const rows = Array.from({ length: count }, (_, i) => {
        const n = d * PER_IMPORT + i;
        return { name: `REQ ${n} ${words(n, 3)}`, description: `The system shall ${words(n + 7, 12)}.` };
      });
      await db.asUser(user, (s) => s.rpc('import_requirements', { p_document_id: documentId, p_requirements: rows }));
    }
    const sample: string[] = [];
    for (const documentId of documents) {
      const { rows } = await db.asUser(user, (s) =>
        s.select('requirements', {
          columns: ['id'],
          filters: [{ column: 'document_id', op: 'eq', value: documentId }],
          limit: SAMPLE_PER_DOCUMENT,
        }),
      );
      for (const row of rows) sample.push(row.id as string);
    }
    // Interleave documents so consecutive reads touch different pages of the table.
    sample.sort((a, b) => a.localeCompare(b));
    return {
      name: clone.name,
      url: clone.url,
      profileId,
      email: EMAIL,
      sampleRequirementIds: sample,
      seedMs: Math.round(performance.now() - started),
      drop: () => clone.drop(),
    };
  } catch (error) {
    await clone.drop().catch(() => undefined);
    throw error;
  } finally {
    await db.close();
  }
}
