/** Node-only: the file-backed signing key store of the development issuer (`@atoms/session/file-key-store`). */
export { FileSigningKeyStore } from './file-signing-key-store.js';
