import { describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { captureLines } from '../../test/support/capture.js';
import { extractCorrelation } from '../correlation/correlation-context.js';
import { PerformanceMonitor } from '../health/performance-monitor.js';
import { createEdgeLogger } from '../logging/edge-logger.js';
import { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { createInIsolateMetricsBackend } from '../metrics/in-isolate-backend.js';
import { createAsyncContextCarrier } from '../node/async-context-carrier.js';
import { createNodeLogger } from '../node/pino-logger.js';
import { instrumentTool } from './tool-instrumentation.js';

const TRACE = 'a1a2a3a4a5a6a7a8a9a0b1b2b3b4b5b6';

async function connect(server: McpServer) {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return client;
}

describe('instrumentTool on a real McpServer', () => {
  it('records duration, outcome and operation; logs tool and operation; keeps argument values out of logs', async () => {
    const sink = captureLines();
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
    const performance = new PerformanceMonitor();
    const logger = createEdgeLogger({ service: 's', write: sink.write });
    const server = new McpServer({ name: 'atoms', version: '1' });
    server.registerTool(
      'entity_tool',
      {
        inputSchema: {
          operation: z.string(),
          api_key: z.string().optional(),
          data: z.record(z.string(), z.unknown()).optional(),
        },
      },
      instrumentTool(
        'entity_tool',
        async (args, _extra, call) => {
          call.logger.debug('handler ran');
          if (args.operation === 'explode') throw Object.assign(new Error('db down'), { code: 'DB_UNAVAILABLE' });
          if (args.operation === 'missing') {
            return {
              isError: true,
              content: [{ type: 'text' as const, text: 'not found' }],
              structuredContent: { error: { code: 'NOT_FOUND' } },
            };
          }
          return { content: [{ type: 'text' as const, text: `ok ${call.correlation.traceId}` }] };
        },
        { logger, metrics, performance },
      ),
    );
    const client = await connect(server);

    const ok = await client.callTool({
      name: 'entity_tool',
      arguments: {
        operation: 'create',
        api_key: 'sk-live-DO-NOT-LOG',
        data: { title: 'Private requirement text', password: 'pw-123' },
      },
      _meta: { traceparent: `00-${TRACE}-b7b6b5b4b3b2b1b0-01`, correlationId: 'from-meta' },
    });
    expect(JSON.stringify(ok.content)).toContain(`ok ${TRACE}`);
    const missing = await client.callTool({ name: 'entity_tool', arguments: { operation: 'missing' } });
    expect(missing.isError).toBe(true);
    const exploded = await client.callTool({ name: 'entity_tool', arguments: { operation: 'explode' } });
    expect(exploded.isError).toBe(true); // the SDK turns the rethrown error into an error result

    const lines = sink.parsed();
    expect(
      lines.map((l) => [l['level'], l['message'], l['tool'], l['operation'], l['outcome'], l['errorType']]),
    ).toEqual([
      ['info', 'tool call completed', 'entity_tool', 'create', 'success', undefined],
      ['warn', 'tool call returned an error', 'entity_tool', 'missing', 'tool_error', 'NOT_FOUND'],
      ['error', 'tool call failed', 'entity_tool', 'explode', 'error', 'DB_UNAVAILABLE'],
    ]);
    expect(lines[0]).toMatchObject({
      correlationId: 'from-meta',
      traceId: TRACE,
      argKeys: ['operation', 'api_key', 'data'],
    });
    expect(lines[2]).toMatchObject({ err: { message: 'db down', code: 'DB_UNAVAILABLE' } });
    const text = sink.text();
    for (const secret of ['sk-live-DO-NOT-LOG', 'Private requirement text', 'pw-123'])
      expect(text).not.toContain(secret);

    const exposition = await metrics.render();
    expect(exposition).toContain(
      'mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call",gen_ai_tool_name="entity_tool",atoms_operation="create",outcome="success",error_type=""} 1',
    );
    expect(exposition).toContain('atoms_operation="missing",outcome="tool_error",error_type="NOT_FOUND"} 1');
    expect(exposition).toContain('atoms_operation="explode",outcome="error",error_type="DB_UNAVAILABLE"} 1');
    expect(performance.stats().map((s) => [s.operation, s.errors])).toEqual([
      ['tool:entity_tool.create', 0],
      ['tool:entity_tool.explode', 1],
      ['tool:entity_tool.missing', 0],
    ]);
    await client.close();
  });

  it("'redacted' argument logging keeps structure but never credentials", async () => {
    const sink = captureLines();
    const tool = instrumentTool('query_tool', async () => ({ content: [] }), {
      logger: createEdgeLogger({ service: 's', write: sink.write }),
      logArguments: 'redacted',
    });
    await tool(
      { operation: 'search', token: 'tok-SECRET-1', filters: { client_secret: 'cs-SECRET-2', q: 'x' } },
      undefined,
    );
    const [line] = sink.parsed();
    expect(line).toMatchObject({
      args: { operation: 'search', token: '[REDACTED]', filters: { client_secret: '[REDACTED]', q: 'x' } },
    });
    expect(sink.text()).not.toMatch(/SECRET-\d/);
  });

  it('on Node, nests the call under the ambient request context (same trace, parent = request span)', async () => {
    const sink = captureLines();
    const carrier = createAsyncContextCarrier();
    const logger = createNodeLogger({ service: 's', destination: sink.stream, carrier });
    const tool = instrumentTool(
      'workflow_tool',
      async (_args: { operation: string }, _extra, call) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        logger.info('deep inside');
        return call.correlation;
      },
      { logger, carrier },
    );
    const request = extractCorrelation({ 'x-correlation-id': 'req-corr' });
    const callContext = await carrier.run(request, () => tool({ operation: 'run' }, undefined));
    expect(callContext).toMatchObject({
      correlationId: 'req-corr',
      traceId: request.traceId,
      parentSpanId: request.spanId,
    });
    expect(callContext.spanId).not.toBe(request.spanId);
    const lines = sink.parsed();
    expect(lines.map((l) => l['message'])).toEqual(['deep inside', 'tool call completed']);
    for (const line of lines)
      expect(line).toMatchObject({
        correlationId: 'req-corr',
        tool: 'workflow_tool',
        operation: 'run',
        spanId: callContext.spanId,
      });
    for (const raw of sink.lines) expect((raw.match(/"tool"/g) ?? []).length).toBe(1);
  });
});
