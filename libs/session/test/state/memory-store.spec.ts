import { MemoryStore } from '../../src/sessions/stores/memory-store.js';
import { describeStoreContract } from './support/store-contract.js';

describe('MemoryStore', () => {
  const store = new MemoryStore();
  describeStoreContract(() => ({ store, newOwner: async () => crypto.randomUUID() }));
});
