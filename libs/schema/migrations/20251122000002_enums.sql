-- The 28 enums of the Atoms data model (reference-atoms-mcp.md §2.4), values in their documented order.
create type public.entity_type as enum ('document', 'requirement');
create type public.assignment_role as enum ('assignee', 'reviewer', 'approver');
create type public.requirement_status as enum
  ('active', 'archived', 'draft', 'deleted', 'in_review', 'in_progress', 'approved', 'rejected');
create type public.audit_event_type as enum (
  'login', 'logout', 'login_failed', 'password_change', 'mfa_enabled', 'mfa_disabled', 'permission_granted',
  'permission_denied', 'role_assigned', 'role_removed', 'data_created', 'data_read', 'data_updated',
  'data_deleted', 'data_exported', 'system_config_changed', 'backup_created', 'backup_restored',
  'security_violation', 'suspicious_activity', 'rate_limit_exceeded', 'compliance_report_generated',
  'audit_log_accessed', 'data_retention_applied');
create type public.audit_severity as enum ('low', 'medium', 'high', 'critical');
create type public.resource_type as enum (
  'organization', 'project', 'document', 'requirement', 'user', 'member', 'invitation', 'role', 'permission',
  'external_document', 'diagram', 'trace_link', 'assignment', 'audit_log', 'security_event', 'system_config',
  'compliance_report');
create type public.user_role_type as enum ('member', 'admin', 'owner', 'super_admin');
create type public.invitation_status as enum ('pending', 'accepted', 'rejected', 'revoked');
create type public.user_status as enum ('active', 'inactive');
create type public.billing_plan as enum ('free', 'pro', 'enterprise');
create type public.pricing_plan_interval as enum ('none', 'month', 'year');
create type public.project_role as enum ('owner', 'admin', 'maintainer', 'editor', 'viewer');
create type public.visibility as enum ('private', 'team', 'organization', 'public');
create type public.project_status as enum ('active', 'archived', 'draft', 'deleted');
create type public.execution_status as enum
  ('not_executed', 'in_progress', 'passed', 'failed', 'blocked', 'skipped');
create type public.requirement_priority as enum ('low', 'medium', 'high', 'critical');
create type public.requirement_level as enum ('component', 'system', 'subsystem');
create type public.subscription_status as enum
  ('active', 'inactive', 'trialing', 'past_due', 'canceled', 'paused');
create type public.test_type as enum
  ('unit', 'integration', 'system', 'acceptance', 'performance', 'security', 'usability', 'other');
create type public.test_priority as enum ('critical', 'high', 'medium', 'low');
create type public.test_status as enum ('draft', 'ready', 'in_progress', 'blocked', 'completed', 'obsolete');
create type public.test_method as enum ('manual', 'automated', 'hybrid');
create type public.trace_link_type as enum
  ('derives_from', 'implements', 'relates_to', 'conflicts_with', 'is_related_to', 'parent_of', 'child_of');
create type public.action_type as enum (
  'create', 'read', 'update', 'delete', 'manage', 'assign', 'invite', 'approve', 'reject', 'export', 'import',
  'share', 'archive', 'restore', 'audit', 'monitor', 'configure', 'admin');
create type public.notification_type as enum ('invitation', 'mention', 'system');
create type public.organization_type as enum ('personal', 'team', 'enterprise', 'business');
create type public.property_type as enum (
  'text', 'number', 'boolean', 'date', 'url', 'array', 'enum', 'entity_reference', 'select', 'multi_select',
  'file');
create type public.requirement_format as enum ('incose', 'ears', 'other');
