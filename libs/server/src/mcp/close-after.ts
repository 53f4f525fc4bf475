/**
 * Runs `cleanup` once the response body has been fully sent or cancelled by the client: a per-request server and
 * transport must live exactly as long as their SSE stream. Bodies that are already complete (JSON) clean up now.
 */
export function closeAfter(response: Response, cleanup: () => void): Response {
  const type = response.headers.get('content-type') ?? '';
  if (!response.body || !type.includes('text/event-stream')) {
    cleanup();
    return response;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  response.body
    .pipeTo(writable)
    .catch(() => undefined)
    .finally(cleanup);
  return new Response(readable, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
