export * from './enums.js';
export { col, type ColumnMeta, type Json, type ScalarType, type ScalarValues } from './column.js';
export { relations, type RelationName, type TableName, type ViewName } from './tables.js';
export { metadata, relationNames, isRelationName, type ColumnName, type RelationMeta } from './metadata.js';
export { schemas, type Insert, type Row, type Update, type TableSchemas, type ViewSchemas } from './schemas.js';
export { EMBEDDING_DIMENSIONS, parseVector, valueSchema } from './values.js';
export { compareSchema, introspectSchema, schemaDrift, type Query, type SchemaSnapshot } from './drift.js';
