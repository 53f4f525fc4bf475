import { describe, expect, it } from '@jest/globals';
import { captureLines } from '../../test/support/capture.js';
import { createNodeLogger } from '../node/pino-logger.js';
import { createEdgeLogger } from './edge-logger.js';
import type { Logger } from './logger.js';
import { must } from '../../test/support/must.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJyb2xlIjoiYWRtaW4ifQ.c2lnbmF0dXJlLXZhbHVlLXNlY3JldA';
const SECRETS = [JWT, 'sk-live-abcdef123456', 'hunter2-password', 'session=abc123cookie', 'refresh-xyz-987'];

type Factory = (sink: ReturnType<typeof captureLines>) => Logger;
const loggers: [string, Factory][] = [
  [
    'pino (node)',
    (sink) => createNodeLogger({ service: 'svc', destination: sink.stream, carrier: false, level: 'trace' }),
  ],
  ['edge', (sink) => createEdgeLogger({ service: 'svc', write: sink.write, level: 'trace' })],
];

describe.each(loggers)('%s logger', (_name, make) => {
  it('writes the documented fields: level label, ISO timestamp, service, bindings, fields, message', () => {
    const sink = captureLines();
    const logger = make(sink).child({ correlationId: 'c-1' });
    logger.info({ route: '/api/mcp', durationMs: 1.5 }, 'request completed');
    const [line] = sink.parsed();
    expect(line).toEqual({
      level: 'info',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'svc',
      correlationId: 'c-1',
      route: '/api/mcp',
      durationMs: 1.5,
      message: 'request completed',
    });
    expect(Object.keys(line as object)).toEqual([
      'level',
      'timestamp',
      'service',
      'correlationId',
      'route',
      'durationMs',
      'message',
    ]);
  });

  it('never writes a token from a header, nested field, child binding, message or error', () => {
    const sink = captureLines();
    const logger = make(sink);
    logger.info(
      {
        headers: {
          authorization: `Bearer ${JWT}`,
          cookie: 'session=abc123cookie',
          'x-api-key': 'sk-live-abcdef123456',
        },
      },
      'incoming',
    );
    logger.info({ req: { headers: { Authorization: `Bearer ${JWT}` } } }, 'nested');
    logger.info({ user: { password: 'hunter2-password', profile: { refresh_token: 'refresh-xyz-987' } } }, 'deep');
    logger.child({ accessToken: JWT }).warn('bound');
    logger.info(`user sent Authorization: Bearer ${JWT}`);
    logger.error(new Error(`upstream rejected token ${JWT}`));
    logger.info({ list: [{ clientSecret: 'sk-live-abcdef123456' }] }, 'array');
    logger.info({ headers: new Headers({ authorization: `Bearer ${JWT}` }) }, 'web headers');
    const text = sink.text();
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
    expect(sink.lines).toHaveLength(8);
    // Redaction keeps the structure: the key is there, its value is not.
    expect(sink.parsed()[0]).toMatchObject({ headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' } });
  });

  it('does not redact ordinary fields that merely contain sensitive words', () => {
    const sink = captureLines();
    make(sink).info({ tokenCount: 12, maxTokens: 100, passwordPolicy: 'strong' }, 'fine');
    expect(sink.parsed()[0]).toMatchObject({ tokenCount: 12, maxTokens: 100, passwordPolicy: 'strong' });
  });

  it('serialises errors as type, message and stack', () => {
    const sink = captureLines();
    const error = Object.assign(new TypeError('boom'), { code: 'E_BOOM' });
    make(sink).error({ err: error }, 'failed');
    expect(sink.parsed()[0]).toMatchObject({
      err: { type: 'TypeError', message: 'boom', code: 'E_BOOM', stack: expect.stringContaining('TypeError: boom') },
      message: 'failed',
    });
  });

  it('child loggers inherit bindings and add their own, without touching the parent', () => {
    const sink = captureLines();
    const root = make(sink);
    const request = root.child({ requestId: 'r-1' });
    request.child({ tool: 'entity_tool' }).debug('in tool');
    root.info('root');
    const [inTool, atRoot] = sink.parsed();
    expect(inTool).toMatchObject({ level: 'debug', requestId: 'r-1', tool: 'entity_tool', message: 'in tool' });
    expect(atRoot).not.toHaveProperty('requestId');
  });
});

describe('line shape parity', () => {
  it('pino and edge loggers produce the same keys in the same order for the same call', () => {
    const node = captureLines();
    const edge = captureLines();
    const call = (logger: Logger) =>
      logger.child({ requestId: 'r' }).warn({ tool: 'entity_tool', headers: { cookie: 'x' } }, 'hello');
    call(createNodeLogger({ service: 's', destination: node.stream, carrier: false }));
    call(createEdgeLogger({ service: 's', write: edge.write }));
    const a = must(node.parsed()[0]);
    const b = must(edge.parsed()[0]);
    delete a['timestamp'];
    delete b['timestamp'];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it.each([
    [
      'pino',
      (sink: ReturnType<typeof captureLines>) =>
        createNodeLogger({ service: 's', destination: sink.stream, carrier: false, level: 'warn' }),
    ],
    [
      'edge',
      (sink: ReturnType<typeof captureLines>) => createEdgeLogger({ service: 's', write: sink.write, level: 'warn' }),
    ],
  ])('%s logger drops lines below its level', (_name, make) => {
    const sink = captureLines();
    const logger = make(sink);
    logger.info('dropped');
    logger.error('kept');
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(logger.isLevelEnabled('error')).toBe(true);
    expect(sink.parsed().map((l) => l['message'])).toEqual(['kept']);
  });

  it('edge logger rejects unknown levels', () => {
    expect(() => createEdgeLogger({ service: 's', level: 'loud' as never })).toThrow(/unknown log level/);
  });
});
