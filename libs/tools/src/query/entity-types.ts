import { z } from 'zod';

/** query_tool entity names -> tables. `test` is the `test_req` table. */
export const QUERY_ENTITY_TABLES = {
  organization: 'organizations',
  project: 'projects',
  document: 'documents',
  requirement: 'requirements',
  test: 'test_req',
} as const;
export type QueryEntity = keyof typeof QUERY_ENTITY_TABLES;
export const QUERY_ENTITIES = Object.keys(QUERY_ENTITY_TABLES) as QueryEntity[];

/** Entities that carry an embedding (semantic search, similarity). */
export const EMBEDDED_ENTITIES = ['organization', 'project', 'document', 'requirement'] as const;
export type EmbeddedEntity = (typeof EMBEDDED_ENTITIES)[number];

export const entityName = z.enum(QUERY_ENTITIES as [QueryEntity, ...QueryEntity[]]);
export const embeddedEntityName = z.enum(EMBEDDED_ENTITIES);
export const uuid = z.string().uuid();

/** A list of entity types, duplicates removed, order kept. */
export const entitiesParam = z
  .array(entityName)
  .min(1)
  .max(5)
  .transform((list) => [...new Set(list)])
  .describe('Entity types to query: organization, project, document, requirement, test.');

export const embeddedEntitiesParam = z
  .array(embeddedEntityName)
  .min(1)
  .max(4)
  .transform((list) => [...new Set(list)])
  .describe('Entity types with embeddings: organization, project, document, requirement.');
