import { z } from 'zod';

/**
 * The 28 Postgres enums of the Atoms schema (reference §2.4), in the order Postgres declares their labels:
 * the parity test compares these lists, order included, with `pg_enum`.
 */
export const enumValues = {
  entity_type: ['document', 'requirement'],
  assignment_role: ['assignee', 'reviewer', 'approver'],
  requirement_status: ['active', 'archived', 'draft', 'deleted', 'in_review', 'in_progress', 'approved', 'rejected'],
  audit_event_type: [
    'login',
    'logout',
    'login_failed',
    'password_change',
    'mfa_enabled',
    'mfa_disabled',
    'permission_granted',
    'permission_denied',
    'role_assigned',
    'role_removed',
    'data_created',
    'data_read',
    'data_updated',
    'data_deleted',
    'data_exported',
    'system_config_changed',
    'backup_created',
    'backup_restored',
    'security_violation',
    'suspicious_activity',
    'rate_limit_exceeded',
    'compliance_report_generated',
    'audit_log_accessed',
    'data_retention_applied',
  ],
  audit_severity: ['low', 'medium', 'high', 'critical'],
  resource_type: [
    'organization',
    'project',
    'document',
    'requirement',
    'user',
    'member',
    'invitation',
    'role',
    'permission',
    'external_document',
    'diagram',
    'trace_link',
    'assignment',
    'audit_log',
    'security_event',
    'system_config',
    'compliance_report',
  ],
  user_role_type: ['member', 'admin', 'owner', 'super_admin'],
  invitation_status: ['pending', 'accepted', 'rejected', 'revoked'],
  user_status: ['active', 'inactive'],
  billing_plan: ['free', 'pro', 'enterprise'],
  pricing_plan_interval: ['none', 'month', 'year'],
  project_role: ['owner', 'admin', 'maintainer', 'editor', 'viewer'],
  visibility: ['private', 'team', 'organization', 'public'],
  project_status: ['active', 'archived', 'draft', 'deleted'],
  execution_status: ['not_executed', 'in_progress', 'passed', 'failed', 'blocked', 'skipped'],
  requirement_priority: ['low', 'medium', 'high', 'critical'],
  requirement_level: ['component', 'system', 'subsystem'],
  subscription_status: ['active', 'inactive', 'trialing', 'past_due', 'canceled', 'paused'],
  test_type: ['unit', 'integration', 'system', 'acceptance', 'performance', 'security', 'usability', 'other'],
  test_priority: ['critical', 'high', 'medium', 'low'],
  test_status: ['draft', 'ready', 'in_progress', 'blocked', 'completed', 'obsolete'],
  test_method: ['manual', 'automated', 'hybrid'],
  trace_link_type: [
    'derives_from',
    'implements',
    'relates_to',
    'conflicts_with',
    'is_related_to',
    'parent_of',
    'child_of',
  ],
  action_type: [
    'create',
    'read',
    'update',
    'delete',
    'manage',
    'assign',
    'invite',
    'approve',
    'reject',
    'export',
    'import',
    'share',
    'archive',
    'restore',
    'audit',
    'monitor',
    'configure',
    'admin',
  ],
  notification_type: ['invitation', 'mention', 'system'],
  // `business` is a legacy value that exists in production.
  organization_type: ['personal', 'team', 'enterprise', 'business'],
  property_type: [
    'text',
    'number',
    'boolean',
    'date',
    'url',
    'array',
    'enum',
    'entity_reference',
    'select',
    'multi_select',
    'file',
  ],
  requirement_format: ['incose', 'ears', 'other'],
} as const satisfies Record<string, readonly [string, ...string[]]>;

export type EnumName = keyof typeof enumValues;
export const enumNames = Object.keys(enumValues) as EnumName[];

/** The TypeScript union of one enum's values, e.g. `EnumValue<'test_status'>`. */
export type EnumValue<E extends EnumName> = (typeof enumValues)[E][number];

type EnumSchemas = { readonly [E in EnumName]: z.ZodEnum<{ [V in EnumValue<E>]: V }> };

/** A zod enum per Postgres enum, keyed by the Postgres name. */
export const enumSchemas = Object.fromEntries(
  enumNames.map((name) => [name, z.enum(enumValues[name])]),
) as unknown as EnumSchemas;

export type EntityType = EnumValue<'entity_type'>;
export type AssignmentRole = EnumValue<'assignment_role'>;
export type RequirementStatus = EnumValue<'requirement_status'>;
export type AuditEventType = EnumValue<'audit_event_type'>;
export type AuditSeverity = EnumValue<'audit_severity'>;
export type ResourceType = EnumValue<'resource_type'>;
export type UserRoleType = EnumValue<'user_role_type'>;
export type InvitationStatus = EnumValue<'invitation_status'>;
export type UserStatus = EnumValue<'user_status'>;
export type BillingPlan = EnumValue<'billing_plan'>;
export type PricingPlanInterval = EnumValue<'pricing_plan_interval'>;
export type ProjectRole = EnumValue<'project_role'>;
export type Visibility = EnumValue<'visibility'>;
export type ProjectStatus = EnumValue<'project_status'>;
export type ExecutionStatus = EnumValue<'execution_status'>;
export type RequirementPriority = EnumValue<'requirement_priority'>;
export type RequirementLevel = EnumValue<'requirement_level'>;
export type SubscriptionStatus = EnumValue<'subscription_status'>;
export type TestType = EnumValue<'test_type'>;
export type TestPriority = EnumValue<'test_priority'>;
export type TestStatus = EnumValue<'test_status'>;
export type TestMethod = EnumValue<'test_method'>;
export type TraceLinkType = EnumValue<'trace_link_type'>;
export type ActionType = EnumValue<'action_type'>;
export type NotificationType = EnumValue<'notification_type'>;
export type OrganizationType = EnumValue<'organization_type'>;
export type PropertyType = EnumValue<'property_type'>;
export type RequirementFormat = EnumValue<'requirement_format'>;
