/**
 * @atoms/server — the web-standard (Request -> Response) MCP HTTP handler composing session, observability, schema
 * and tools. Isomorphic entry. Its public API is filled in by the server issue; until then it exports nothing.
 */
export {};
