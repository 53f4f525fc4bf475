/**
 * @atoms/tools — the five Atoms MCP tools and the domain services behind them.
 * Isomorphic entry. Its public API (`createAtomsMcpServer`) is filled in by the tools issue; until then it exports
 * nothing.
 */
export {};
