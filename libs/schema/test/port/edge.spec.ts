/** @jest-environment @edge-runtime/jest-environment */
import { describe, expect, it } from '@jest/globals';
import { DatabaseError, metadata, schemas, supabaseDatabase } from '../../src/index.js';

// Runs inside the Vercel Edge runtime (V8 isolate, web APIs only): the isomorphic entry must work there.
describe('isomorphic entry in the edge runtime', () => {
  it('runs in the edge runtime', () => {
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string');
  });

  it('validates rows and lists columns', () => {
    expect(metadata.requirements.columnNames).toContain('external_id');
    expect(schemas.requirements.update.safeParse({ status: 'approved' }).success).toBe(true);
  });

  it('queries PostgREST through supabase-js with the user token (fake PostgREST, request level)', async () => {
    const requests: Request[] = [];
    const fakeFetch: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      requests.push(request);
      if (request.url.includes('/rpc/')) {
        return new Response(JSON.stringify({ code: '42501', message: 'permission denied for function x' }), {
          status: 403,
          headers: { 'content-type': 'application/json' },
        });
      }
      return new Response(JSON.stringify([{ id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01' }]), {
        status: 200,
        headers: { 'content-type': 'application/json', 'content-range': '0-0/1' },
      });
    };
    const db = supabaseDatabase({
      url: 'https://project.supabase.example',
      anonKey: 'anon',
      fetch: fakeFetch,
      retry: false,
    });
    const user = { claims: { sub: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01' }, accessToken: 'user-jwt' };
    const { rows, count } = await db.asUser(user, (s) =>
      s.select('projects', {
        columns: ['id'],
        filters: [{ column: 'name', op: 'eq', value: 'Apollo' }],
        count: 'exact',
      }),
    );
    expect(rows).toEqual([{ id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01' }]);
    expect(count).toBe(1);
    const url = new URL(requests[0]?.url ?? '');
    expect(url.pathname).toBe('/rest/v1/projects');
    expect(url.searchParams.get('name')).toBe('eq.Apollo');
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer user-jwt');

    const error = await db.asUser(user, (s) => s.rpc('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe('permission_denied');
  });
});
