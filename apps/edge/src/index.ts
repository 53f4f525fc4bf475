/**
 * The Vercel app: the @atoms/server handler as Vercel functions plus edge middleware. Its handlers are added by the
 * server issue; until then this module exports nothing.
 */
export {};
