import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { AtomsTestClient } from '../client/atoms-client.js';
import { connect, type ServerFactory, type TokenSource } from '../client/connect.js';
import type { RollbackScope } from '../harmful/rollback.js';
import { createSimulatedServer, type SimulatedCall } from '../dry/simulated-server.js';
import { MODE_PROFILES, ModeConfigurationError, currentMode, type ModeProfile, type TestMode } from './mode.js';

/** What the server factory receives: the COLD database, or nothing in DRY (the factory is only asked for tools/list). */
export type ServerContext<Db> = { mode: 'COLD'; database: Db } | { mode: 'DRY'; database?: undefined };

/** A database for one environment, e.g. a clone of the migrated template; released when the environment closes. */
export interface DatabaseLease<Db> {
  database: Db;
  /** Present where the database allows a transaction around a test (the `transaction_rollback` strategy). */
  rollback?: RollbackScope;
  release(): Promise<void>;
}

export interface DatabaseProvider<Db> {
  acquire(): Promise<DatabaseLease<Db>>;
}

/** Who the in-process (COLD) server sees as the caller, or which bearer token (HOT) is sent. */
export interface Caller {
  /** HOT: sent as `Authorization: Bearer`. COLD: `authInfo.token` when `authInfo` is not given. */
  token?: TokenSource;
  /** COLD: what handlers see as `extra.authInfo` (the verified claims). */
  authInfo?: AuthInfo;
}

export interface ModeEnvironmentOptions<Db> {
  /** Defaults to `ATOMS_TEST_MODE` (COLD when unset). */
  mode?: TestMode;
  /** Builds the server for COLD, and for DRY when `tools` is not given (only its tools/list is used then). */
  server?: ServerFactory<ServerContext<Db>>;
  /** COLD: where the database comes from. */
  database?: DatabaseProvider<Db>;
  /** DRY: the tool definitions to validate against, instead of asking the factory's server. */
  tools?: Tool[];
  /** HOT: the endpoint; defaults to `MCP_ENDPOINT`. */
  endpoint?: string;
  /** The default caller. HOT defaults to the token in `ATOMS_TEST_AUTH_TOKEN`. */
  caller?: Caller;
  /** DRY: sees every simulated call. */
  onSimulatedCall?: (call: SimulatedCall) => void;
  env?: Record<string, string | undefined>;
}

/** A connected test target for one mode: the default client, the COLD database, more clients per caller. */
export interface ModeEnvironment<Db> {
  readonly mode: TestMode;
  readonly profile: ModeProfile;
  readonly client: AtomsTestClient;
  /** COLD only: the database the in-process server runs on. */
  readonly database: Db | undefined;
  /** COLD only, where the database allows it: a transaction around a test, for `transaction_rollback`. */
  readonly rollback: RollbackScope | undefined;
  /** DRY only: the tools the simulator validates against. */
  readonly tools: Tool[] | undefined;
  /** Another client for another caller (another user) against the same target. */
  connect(caller?: Caller): Promise<AtomsTestClient>;
  close(): Promise<void>;
}

function requireOption<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new ModeConfigurationError(message);
  return value;
}

async function toolsFromFactory<Db>(factory: ServerFactory<ServerContext<Db>>): Promise<Tool[]> {
  const connection = await connect({ kind: 'in-process', server: () => factory({ mode: 'DRY' }) });
  try {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await connection.client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  } finally {
    await connection.close();
  }
}

/**
 * Builds the target for a mode:
 * - HOT: the SDK client over Streamable HTTP to `MCP_ENDPOINT` with a real bearer token (both required);
 * - COLD: the server factory in-process on a database from the provider (a clone of the migrated template);
 * - DRY: a simulator advertising the factory's (or the given) tools, validating every call, simulating results.
 * Missing configuration is an error naming what is missing, never a silent switch to another mode.
 */
export async function createModeEnvironment<Db = unknown>(
  options: ModeEnvironmentOptions<Db>,
): Promise<ModeEnvironment<Db>> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? currentMode(env);
  const profile = MODE_PROFILES[mode];
  const clients = new Set<AtomsTestClient>();
  let lease: DatabaseLease<Db> | undefined;
  let tools: Tool[] | undefined;
  let open: (caller: Caller) => Promise<AtomsTestClient>;

  if (mode === 'HOT') {
    const endpoint = requireOption(
      options.endpoint ?? env['MCP_ENDPOINT'],
      'HOT mode needs the server URL: set MCP_ENDPOINT (e.g. http://127.0.0.1:8000/api/mcp)',
    );
    const defaultToken = options.caller?.token ?? env['ATOMS_TEST_AUTH_TOKEN'];
    open = (caller) =>
      AtomsTestClient.connect(
        {
          kind: 'http',
          url: endpoint,
          token: requireOption(
            caller.token ?? defaultToken,
            'HOT mode needs a real access token: set ATOMS_TEST_AUTH_TOKEN or pass caller.token',
          ),
        },
        { label: 'HOT' },
      );
  } else if (mode === 'COLD') {
    const factory = requireOption(options.server, 'COLD mode needs the server factory (options.server)');
    const provider = requireOption(
      options.database,
      'COLD mode needs a database provider (options.database), e.g. atomsDatabaseProvider() from @atoms/test-framework/database',
    );
    lease = await provider.acquire();
    const database = lease.database;
    open = (caller) => {
      const token = caller.token ?? options.caller?.token;
      const authInfo =
        caller.authInfo ??
        options.caller?.authInfo ??
        (typeof token === 'string' ? { token, clientId: 'atoms-test-framework', scopes: [] } : undefined);
      return AtomsTestClient.connect(
        { kind: 'in-process', server: () => factory({ mode: 'COLD', database }), ...(authInfo ? { authInfo } : {}) },
        { label: 'COLD' },
      );
    };
  } else {
    tools =
      options.tools ??
      (await toolsFromFactory(
        requireOption(options.server, 'DRY mode needs the tool definitions: pass options.tools or options.server'),
      ));
    const simulated = tools;
    open = () =>
      AtomsTestClient.connect(
        {
          kind: 'in-process',
          server: () => createSimulatedServer(simulated, { onCall: options.onSimulatedCall }),
        },
        { label: 'DRY' },
      );
  }

  const connectCaller = async (caller: Caller = {}) => {
    const client = await open(caller);
    clients.add(client);
    return client;
  };

  let client: AtomsTestClient;
  try {
    client = await connectCaller(options.caller);
  } catch (error) {
    await lease?.release();
    throw error;
  }

  return {
    mode,
    profile,
    client,
    database: lease?.database,
    rollback: lease?.rollback,
    tools,
    connect: connectCaller,
    async close() {
      const failures: unknown[] = [];
      for (const c of clients) await c.close().catch((error: unknown) => failures.push(error));
      clients.clear();
      if (lease) await lease.release().catch((error: unknown) => failures.push(error));
      if (failures.length > 0) throw new AggregateError(failures, 'closing the test environment failed');
    },
  };
}
