/**
 * atoms-token — mints an access token from the local development issuer (the keys in ATOMS_DATA_DIR that the
 * server uses), for the given e-mail. The server provisions the profile on the token's first use.
 *
 *   npm run token -- --email alice@example.com [--ttl 3600] [--json]
 *
 * Exit codes: 0 printed, 2 usage error, 78 configuration unusable (e.g. PRODUCTION=true: no dev issuer there).
 */
import { parseArgs } from 'node:util';
import { loadConfig, problemsReport } from '../config/index.js';
import { mintDevToken, openDevIssuer } from '../runtime/dev-issuer.js';

const USAGE = 'usage: npm run token -- --email <address> [--ttl <seconds>] [--json]';

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        ttl: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const email = values.email?.trim();
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
    process.stderr.write(`--email must be an e-mail address\n${USAGE}\n`);
    return 2;
  }
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > 86_400)) {
    process.stderr.write(`--ttl must be a whole number of seconds between 60 and 86400\n${USAGE}\n`);
    return 2;
  }
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${problemsReport(result.problems)}\n`);
    return 78;
  }
  const config = result.config;
  if (!config.auth.providers.includes('dev')) {
    process.stderr.write('the development issuer is off (ATOMS_FASTMCP_AUTH_MODE does not include dev)\n');
    return 78;
  }
  const issuer = await openDevIssuer(config);
  const minted = await mintDevToken(issuer, config, email, ttl);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ access_token: minted.token, token_type: 'Bearer', expires_at: minted.expiresAt, subject: minted.subject, mcp_url: config.mcpEndpoint })}\n`,
    );
  } else {
    process.stdout.write(`${minted.token}\n`);
    process.stderr.write(
      `token for ${email} (subject ${minted.subject}), expires ${new Date(minted.expiresAt * 1000).toISOString()}; ` +
        `valid for ${config.mcpEndpoint}\n`,
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`atoms-token: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
