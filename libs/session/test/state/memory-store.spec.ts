import { MemoryStore } from '../../src/sessions/stores/memory-store.js';
import { describeStoreContract } from './support/store-contract.js';
import { describeJwksCacheContract, describeServiceContract } from './support/service-contract.js';

describe('MemoryStore', () => {
  const store = new MemoryStore();
  const fixture = () => ({ store, newOwner: async () => crypto.randomUUID() });
  describeStoreContract(fixture);
  describeServiceContract(fixture);
  describeJwksCacheContract(fixture);
});
