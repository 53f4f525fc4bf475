import { Router } from './router.js';

const ok = async (): Promise<Response> => new Response('ok');

describe('Router', () => {
  const router = new Router().add('/api/sessions', { GET: ok, DELETE: ok }).add('/api/sessions/:id', { DELETE: ok });

  it('matches exact and parameterised paths, with trailing slashes ignored', () => {
    expect(router.match('GET', '/api/sessions/')?.pattern).toBe('/api/sessions');
    expect(router.match('DELETE', '/api/sessions/abc%20d')?.params).toEqual({ id: 'abc d' });
  });

  it('reports the allowed methods when the method does not match, and nothing for unknown paths', () => {
    const match = router.match('POST', '/api/sessions');
    expect(match?.handler).toBeUndefined();
    expect(match?.allowed).toEqual(['GET', 'DELETE', 'HEAD']);
    expect(router.match('GET', '/nope')).toBeUndefined();
  });
});
