import { describe, expect, it } from '@jest/globals';
import { createEdgeLogger } from '../logging/edge-logger.js';
import { createHttpInstrumentation } from '../instrumentation/http-instrumentation.js';
import { createPromClientBackend } from '../node/prom-client-backend.js';
import { AtomsMetrics } from './atoms-metrics.js';
import { createInIsolateMetricsBackend } from './in-isolate-backend.js';
import { OPENMETRICS_CONTENT_TYPE } from './metric-types.js';

const TRACE = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
const OTHER = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };

function exercise(metrics: AtomsMetrics) {
  metrics.recordHttpRequest({ method: 'POST', route: '/api/mcp', status: 200, durationSeconds: 0.02, trace: TRACE });
  metrics.recordHttpRequest({ method: 'POST', route: '/api/mcp', status: 200, durationSeconds: 0.021, trace: OTHER });
  metrics.recordHttpRequest({ method: 'POST', route: '/api/mcp', status: 200, durationSeconds: 50, trace: TRACE });
  metrics.recordHttpRequest({ method: 'GET', route: '/health', status: 200, durationSeconds: 0.001 });
  metrics.recordMcpOperation({
    method: 'tools/call',
    tool: 'entity_tool',
    operation: 'read',
    outcome: 'success',
    durationSeconds: 0.3,
    trace: TRACE,
  });
  metrics.recordRateLimited({ tool: 'entity_tool', key: 'user' });
  metrics.setActiveSessions(3);
}

// Exemplar timestamps are taken at observation time by each implementation; everything else must match.
const withoutTimestamps = (text: string) => text.replace(/( # \{[^}]*\} \S+) \d+(\.\d+)?/g, '$1 <ts>');

describe('OpenMetrics exemplars', () => {
  it('in-isolate and prom-client render identical OpenMetrics text (timestamps aside)', async () => {
    const edge = new AtomsMetrics(createInIsolateMetricsBackend({ openMetrics: true }));
    const node = new AtomsMetrics(createPromClientBackend({ defaultMetrics: false, openMetrics: true }));
    exercise(edge);
    exercise(node);
    const edgeText = await edge.render();
    expect(withoutTimestamps(edgeText)).toBe(withoutTimestamps(await node.render()));
    expect(edge.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(node.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(edgeText.endsWith('# EOF\n')).toBe(true);
    expect(edgeText).toContain('# TYPE atoms_rate_limited_requests counter\n');
  });

  it('puts the latest exemplar on the bucket holding the value (+Inf for overflow), with the trace ids', async () => {
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend({ openMetrics: true }));
    exercise(metrics);
    const lines = (await metrics.render()).split('\n');
    const bucket = (le: string) =>
      lines.find((l) =>
        l.startsWith(`http_server_request_duration_seconds_bucket{le="${le}",http_request_method="POST"`),
      );
    expect(bucket('0.025')).toMatch(
      new RegExp(`} 2 # \\{trace_id="${OTHER.traceId}",span_id="${OTHER.spanId}"\\} 0\\.021 \\d+(\\.\\d+)?$`),
    );
    expect(bucket('0.01')).not.toContain('#');
    expect(bucket('+Inf')).toContain(`} 3 # {trace_id="${TRACE.traceId}",span_id="${TRACE.spanId}"} 50 `);
    expect(lines.find((l) => l.startsWith('mcp_server_operation_duration_seconds_bucket{le="0.5"'))).toContain(
      `trace_id="${TRACE.traceId}"`,
    );
    // Requests without a trace add no exemplar.
    expect(lines.filter((l) => l.includes('http_route="/health"') && l.includes('#'))).toEqual([]);
  });

  it('are ignored in Prometheus text mode, where the format has no place for them', async () => {
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
    exercise(metrics);
    const text = await metrics.render();
    expect(text).not.toContain('trace_id');
    expect(text).not.toContain('# EOF');
  });

  it('link the HTTP middleware metric to the trace echoed on the response', async () => {
    const metrics = new AtomsMetrics(createPromClientBackend({ defaultMetrics: false, openMetrics: true }));
    const http = createHttpInstrumentation({
      logger: createEdgeLogger({ service: 's', write: () => undefined }),
      metrics,
    });
    const response = await http(new Request('http://localhost/api/mcp', { method: 'POST' }), () => new Response('ok'));
    const [, traceId, spanId] = (response.headers.get('traceparent') ?? '').split('-');
    expect(await metrics.render()).toContain(`# {trace_id="${traceId}",span_id="${spanId}"}`);
  });

  it('refuses exemplar label sets over the OpenMetrics 128-character limit (the observation still counts)', async () => {
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend({ openMetrics: true }));
    metrics.recordHttpRequest({
      method: 'GET',
      route: '/x',
      status: 200,
      durationSeconds: 0.01,
      trace: { traceId: 'x'.repeat(200), spanId: 's' },
    });
    const text = await metrics.render();
    expect(text).not.toContain('trace_id');
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/x",http_response_status_class="2xx"} 1',
    );
  });
});
