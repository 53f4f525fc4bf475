/** Collects JSON log lines written by either logger. */
export function captureLines() {
  const lines: string[] = [];
  return {
    lines,
    /** pino DestinationStream */
    stream: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) },
    /** edge logger sink */
    write: (line: string) => void lines.push(line),
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}
