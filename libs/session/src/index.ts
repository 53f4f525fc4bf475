/**
 * @atoms/session — token verification, sessions, refresh-token rotation, revocation, device risk and their stores.
 * Isomorphic entry (runs on Node and the Vercel Edge runtime). Its public API is filled in by the session issue;
 * until then this entry exports nothing.
 */
export {};
