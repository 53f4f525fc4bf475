/**
 * @atoms/session — token verification, sessions, refresh-token rotation, revocation, device risk and their stores.
 * Isomorphic entry: runs on Node and on the Vercel Edge runtime. Node-only stores have their own entry points.
 */
export * from './tokens/index.js';
export * from './sessions/index.js';
