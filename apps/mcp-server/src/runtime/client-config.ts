import { resolve } from 'node:path';

/** Ready-to-paste client configuration for a running HTTP server and a dev token. */
export function clientConfigBanner(input: {
  mcpUrl: string;
  token: string;
  expiresAt: number;
  email: string;
  mainScript: string;
  dataDir: string;
}): string {
  const { mcpUrl, token } = input;
  const auth = `Authorization: Bearer ${token}`;
  const desktop = {
    mcpServers: {
      atoms: {
        command: 'npx',
        args: ['-y', 'mcp-remote', mcpUrl, '--header', `Authorization:\${ATOMS_AUTH}`],
        env: { ATOMS_AUTH: `Bearer ${token}` },
      },
    },
  };
  const desktopStdio = {
    mcpServers: {
      atoms: {
        command: 'node',
        args: [resolve(input.mainScript), '--stdio'],
        env: { ATOMS_DATA_DIR: input.dataDir },
      },
    },
  };
  return [
    '',
    '================================================================================',
    ` Atoms MCP server ready at ${mcpUrl}`,
    '================================================================================',
    '',
    ` Access token for ${input.email} (expires ${new Date(input.expiresAt * 1000).toISOString()}):`,
    '',
    token,
    '',
    ' Claude Code:',
    `   claude mcp add --transport http atoms ${mcpUrl} --header "${auth}"`,
    '',
    ' MCP Inspector CLI:',
    `   npx @modelcontextprotocol/inspector --cli ${mcpUrl} --transport http --method tools/list --header "${auth}"`,
    '',
    ' Claude Desktop (claude_desktop_config.json), over HTTP through mcp-remote:',
    indent(JSON.stringify(desktop, null, 2)),
    '',
    ' Claude Desktop over stdio (stop this HTTP server first: PGlite has one writer):',
    indent(JSON.stringify(desktopStdio, null, 2)),
    '',
    ' A new token: npm run token -- --email you@example.com',
    '================================================================================',
    '',
  ].join('\n');
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `   ${l}`)
    .join('\n');
