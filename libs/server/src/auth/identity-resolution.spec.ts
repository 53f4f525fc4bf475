import { createIdentityResolution, IdentityResolutionError } from './identity-resolution.js';

const uuid = '0b9f4f3e-6a3c-4d2e-9a51-3f1c2b7d8e90';

describe('createIdentityResolution', () => {
  it('takes UUID subjects as profile ids without calling the resolver', async () => {
    const resolve = createIdentityResolution({
      resolveExternal: () => Promise.reject(new Error('must not be called')),
    });
    expect(await resolve({ issuer: 'i', subject: uuid.toUpperCase(), claims: {} })).toBe(uuid);
  });

  it('maps other subjects once (single-flight, cached) through the injected resolver', async () => {
    let calls = 0;
    const resolve = createIdentityResolution({
      resolveExternal: async ({ subject, email }) => {
        calls++;
        expect([subject, email]).toEqual(['user_01H', 'a@example.com']);
        return uuid;
      },
    });
    const identity = { issuer: 'https://authkit', subject: 'user_01H', email: 'a@example.com', claims: {} };
    const answers = await Promise.all([resolve(identity), resolve(identity), resolve(identity)]);
    expect(answers).toEqual([uuid, uuid, uuid]);
    expect(await resolve(identity)).toBe(uuid);
    expect(calls).toBe(1);
  });

  it('refuses non-UUID subjects without a resolver, and resolvers that return something else', async () => {
    await expect(createIdentityResolution()({ issuer: 'i', subject: 'user_1', claims: {} })).rejects.toBeInstanceOf(
      IdentityResolutionError,
    );
    const bad = createIdentityResolution({ resolveExternal: async () => 'not-a-uuid' });
    await expect(bad({ issuer: 'i', subject: 'user_1', claims: {} })).rejects.toThrow('profile UUID');
  });
});
