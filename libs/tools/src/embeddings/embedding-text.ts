/** The text stored rows are embedded from: the same as the schema's queue trigger (name, blank line, description). */
export function embeddingText(row: { name?: string | null; description?: string | null }): string {
  return `${row.name ?? ''}\n\n${row.description ?? ''}`.trim();
}

/** Tables whose rows carry an embedding (and whose changes are queued). */
export const EMBEDDED_TABLES = ['organizations', 'projects', 'documents', 'requirements'] as const;
export type EmbeddedTable = (typeof EMBEDDED_TABLES)[number];
