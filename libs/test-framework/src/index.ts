/**
 * @atoms/test-framework — harmful-state tracking, HOT/COLD/DRY modes, cascade flows, fixtures and an MCP test
 * client for Jest. Node only; imported from test files only. Its public API is filled in by the test-framework
 * issue; until then it exports nothing.
 */
export {};
