/**
 * The Node entry point of the Atoms MCP server: configuration -> dependencies -> @atoms/server handler -> HTTP
 * listener (or stdio). The server itself arrives with the server issue; until then `npm start` says so plainly
 * and exits cleanly instead of failing with a stack trace.
 */
const lines = [
  'Atoms MCP server: not available yet.',
  '',
  'This workspace has its libraries registered (schema, session, observability, tools, server,',
  'test-framework) but the HTTP server is not built yet. `npm test` runs the workspace checks.',
];
process.stdout.write(lines.join('\n') + '\n');
