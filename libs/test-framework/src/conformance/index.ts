/**
 * @atoms/test-framework/conformance — a server factory implementing every fixture the MCP conformance suite
 * (`@modelcontextprotocol/conformance`) calls, for running the suite against the real HTTP pipeline.
 */
export { createConformanceServer, type ConformanceServerOptions } from './server.js';
export {
  CONFORMANCE_FIXTURES,
  ELICITATION_DEFAULTS_SCHEMA,
  ELICITATION_ENUMS_SCHEMA,
  JSON_SCHEMA_2020_12_INPUT_SCHEMA,
  TEST_AUDIO_BASE64,
  TEST_IMAGE_BASE64,
} from './fixtures.js';
