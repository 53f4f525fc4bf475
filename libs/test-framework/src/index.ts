/**
 * @atoms/test-framework — an MCP test client, HOT/COLD/DRY modes, cascade flows, `harmful` state tracking,
 * fixtures and a conformance fixture server, for Jest. Node only; imported from test files only.
 */
export { AtomsTestClient, type ToolCallEvent, type ToolCallListener } from './client/atoms-client.js';
export {
  connect,
  type ClientTarget,
  type ConnectableServer,
  type ConnectOptions,
  type Connection,
  type HttpTarget,
  type InProcessTarget,
  type ServerFactory,
  type TokenSource,
} from './client/connect.js';
export {
  OPERATION_PARAMETER,
  TOOL_OPERATIONS,
  operationOf,
  type AtomsToolName,
  type EntityOperation,
  type EntityRef,
  type JsonObject,
  type QueryType,
  type RelationshipOperation,
  type RelationshipType,
  type WorkflowName,
  type WorkspaceOperation,
} from './client/contract.js';
export {
  EntityToolHelpers,
  QueryToolHelpers,
  RelationshipToolHelpers,
  WorkflowToolHelpers,
  WorkspaceToolHelpers,
  type EntityRecord,
  type ToolCaller,
} from './client/tool-helpers.js';
export {
  McpToolError,
  TOOL_ERROR_CODES,
  parseToolError,
  type ContractErrorCode,
  type StructuredToolError,
  type ToolErrorCode,
} from './client/tool-error.js';
export { unwrapToolResult } from './client/unwrap.js';
export {
  acceptedValues,
  checkToolSurface,
  type SurfaceCheckOptions,
  type SurfaceProblem,
} from './client/tool-surface.js';

export { compileSchema, type JsonSchema, type SchemaCheck, type SchemaChecker } from './dry/json-schema.js';
export { sampleFromSchema, type SampleOptions } from './dry/sample-from-schema.js';
export { createSimulatedServer, type SimulatedCall, type SimulatedServerOptions } from './dry/simulated-server.js';
export { toolsFromZod, type ZodToolDefinition } from './dry/tool-definitions.js';

export {
  MODE_PROFILES,
  ModeConfigurationError,
  TEST_MODES,
  currentMode,
  durationLimitsEnforced,
  parseMode,
  strictModeEnabled,
  type ModeProfile,
  type TestMode,
} from './modes/mode.js';
export {
  DurationLimitError,
  ModeMarkConflictError,
  selectForMode,
  withDurationLimit,
  type Selection,
} from './modes/selection.js';
export { describeForModes, forModes, testForModes, timedTest, type ModeMarkOptions } from './modes/jest-marks.js';
export {
  createModeEnvironment,
  type Caller,
  type DatabaseLease,
  type DatabaseProvider,
  type ModeEnvironment,
  type ModeEnvironmentOptions,
  type ServerContext,
} from './modes/environment.js';
export { useModeEnvironment, type ModeEnvironmentHandle } from './modes/jest-environment.js';

export { FLOW_PATTERNS, type FlowPatternName, type StageOf } from './flows/patterns.js';
export { FlowResults, type StageOutcome, type StageStatus } from './flows/results.js';
export {
  StageBlockedError,
  compileFlow,
  formatFlowReport,
  runFlow,
  runStage,
  type CompiledFlow,
  type FlowOptions,
  type FlowReport,
  type StageContext,
  type StageDefinition,
  type StageRun,
} from './flows/flow.js';
export { cascadeFlow, customFlow, type JestFlowOptions } from './flows/jest-flow.js';

export { CLEANUP_ORDER, HarmfulStateTracker, createdEntities, type TrackedEntity } from './harmful/tracker.js';
export {
  CLEANUP_STRATEGIES,
  LeftoverEntitiesError,
  assertNoLeftovers,
  cleanupTracked,
  toolContractProbe,
  type CleanupFailure,
  type CleanupOptions,
  type CleanupReport,
  type CleanupStrategy,
  type LeftoverProbe,
} from './harmful/cleanup.js';
export { SqlRollbackScope, type RollbackScope, type SqlSession } from './harmful/rollback.js';
export {
  HarmfulSession,
  harmful,
  useHarmful,
  type HarmfulContext,
  type HarmfulHandle,
  type HarmfulOptions,
} from './harmful/jest-harmful.js';
