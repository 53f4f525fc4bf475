/**
 * @atoms/observability — logging, correlation, metrics, health, tool instrumentation, webhooks and the dashboard.
 * Isomorphic entry. Its public API is filled in by the observability issue; until then it exports nothing.
 */
export {};
