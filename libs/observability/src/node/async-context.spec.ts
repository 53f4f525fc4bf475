import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureLines } from '../../test/support/capture.js';
import { extractCorrelation } from '../correlation/correlation-context.js';
import { createAsyncContextCarrier } from './async-context-carrier.js';
import { createNodeLogger } from './pino-logger.js';
import { must } from '../../test/support/must.js';

describe('AsyncLocalStorage carrier', () => {
  it('keeps the context across awaits, timers and promise chains', async () => {
    const carrier = createAsyncContextCarrier();
    const ctx = extractCorrelation({ 'x-correlation-id': 'keep-me' });
    const seen = await carrier.run(ctx, async () => {
      const ids: (string | undefined)[] = [carrier.current()?.correlationId];
      await sleep(5);
      ids.push(carrier.current()?.correlationId);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      ids.push(carrier.current()?.correlationId);
      ids.push(await Promise.resolve().then(() => carrier.current()?.correlationId));
      return ids;
    });
    expect(seen).toEqual(['keep-me', 'keep-me', 'keep-me', 'keep-me']);
    expect(carrier.current()).toBeUndefined();
  });

  it('does not bleed between 50 concurrent requests with interleaved awaits', async () => {
    const carrier = createAsyncContextCarrier();
    const sink = captureLines();
    const logger = createNodeLogger({ service: 's', destination: sink.stream, carrier });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        carrier.run(extractCorrelation({ 'x-correlation-id': `req-${i}` }), async () => {
          const observed: string[] = [];
          for (let step = 0; step < 3; step++) {
            await sleep((i * 7 + step * 3) % 5);
            observed.push(must(carrier.current()).correlationId);
            logger.info({ i, step }, 'step');
          }
          return observed;
        }),
      ),
    );
    results.forEach((observed, i) => expect(observed).toEqual([`req-${i}`, `req-${i}`, `req-${i}`]));
    const lines = sink.parsed();
    expect(lines).toHaveLength(150);
    for (const line of lines) expect(line['correlationId']).toBe(`req-${line['i']}`);
    // Lines really interleaved, so the check above is about isolation, not ordering.
    expect(lines.slice(0, 50).some((l) => l['step'] !== 0 || l['i'] !== must(lines[0])['i'])).toBe(true);
  });

  it('mixes the context into every pino line, and nothing outside a request', () => {
    const carrier = createAsyncContextCarrier();
    const sink = captureLines();
    const logger = createNodeLogger({ service: 's', destination: sink.stream, carrier });
    logger.info('outside');
    carrier.run({ ...extractCorrelation({ 'x-correlation-id': 'c-9' }), userId: 'u-1', tool: 'query_tool' }, () =>
      logger.info('inside'),
    );
    const [outside, inside] = sink.parsed();
    expect(outside).not.toHaveProperty('correlationId');
    expect(inside).toMatchObject({ correlationId: 'c-9', userId: 'u-1', tool: 'query_tool', message: 'inside' });
    expect(must(inside)['traceId']).toMatch(/^[0-9a-f]{32}$/);
  });
});
