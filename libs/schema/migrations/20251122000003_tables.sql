-- The Atoms tables: the 38 tables of reference-atoms-mcp.md §2.3 (columns, types, nullability as documented),
-- the extra tables of domain.md, foreign keys, checks, unique constraints and indexes. Embedding columns and
-- their indexes are added at the end, by backend (pgvector where available, an exact portable array otherwise).
-- Actor columns (created_by, updated_by, deleted_by) are attribution, not foreign keys: they survive a
-- profile's removal and cost no index on every write.

-- ---------------------------------------------------------------------------------------------------------
-- Identity
-- ---------------------------------------------------------------------------------------------------------
create table public.profiles (
  id uuid primary key default gen_random_uuid(),
  avatar_url text,
  created_at timestamptz default now(),
  current_organization_id uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  email text not null,
  full_name text,
  is_approved boolean not null default true,
  is_deleted boolean default false,
  job_title text,
  last_login_at timestamptz,
  login_count integer default 0,
  personal_organization_id uuid,
  pinned_organization_id uuid,
  preferences jsonb default '{}'::jsonb,
  status public.user_status default 'active',
  updated_at timestamptz default now(),
  constraint profiles_email_format check (email ~ '^[^@\s]+@[^@\s]+$' and char_length(email) <= 320),
  constraint profiles_full_name_length check (full_name is null or char_length(full_name) <= 255),
  constraint profiles_preferences_object check (preferences is null or jsonb_typeof(preferences) = 'object'),
  constraint profiles_login_count_nonnegative check (login_count is null or login_count >= 0)
);
create unique index profiles_email_key on public.profiles (lower(email));

create table public.user_id_mappings (
  id uuid primary key default gen_random_uuid(),
  provider text not null,
  subject text not null,
  profile_id uuid not null references public.profiles (id) on delete cascade,
  email text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz,
  constraint user_id_mappings_provider_subject_key unique (provider, subject),
  constraint user_id_mappings_provider_length check (char_length(provider) between 1 and 64),
  constraint user_id_mappings_subject_length check (char_length(subject) between 1 and 255)
);
create index user_id_mappings_profile_id_idx on public.user_id_mappings (profile_id);

-- ---------------------------------------------------------------------------------------------------------
-- Organizations and membership
-- ---------------------------------------------------------------------------------------------------------
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  billing_cycle public.pricing_plan_interval not null default 'none',
  billing_plan public.billing_plan not null default 'free',
  created_at timestamptz default now(),
  created_by uuid not null,
  deleted_at timestamptz,
  deleted_by uuid,
  description text,
  type public.organization_type not null default 'team',
  fts_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
  ) stored,
  is_deleted boolean default false,
  logo_url text,
  max_members integer not null default 5,
  max_monthly_requests integer not null default 1000,
  member_count integer default 0,
  metadata jsonb default '{}'::jsonb,
  name text not null,
  owner_id uuid references public.profiles (id) on delete set null,
  settings jsonb default '{}'::jsonb,
  slug text not null,
  status public.user_status default 'active',
  storage_used bigint default 0,
  updated_at timestamptz default now(),
  updated_by uuid not null,
  constraint organizations_slug_key unique (slug),
  constraint organizations_name_length check (char_length(name) between 2 and 255),
  constraint organizations_slug_format check (slug ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' and char_length(slug) <= 255),
  constraint organizations_metadata_object check (metadata is null or jsonb_typeof(metadata) = 'object'),
  constraint organizations_settings_object check (settings is null or jsonb_typeof(settings) = 'object'),
  constraint organizations_max_members_valid check (max_members = -1 or max_members > 0),
  constraint organizations_max_monthly_requests_nonnegative check (max_monthly_requests >= 0),
  constraint organizations_counts_nonnegative check (
    coalesce(member_count, 0) >= 0 and coalesce(storage_used, 0) >= 0)
);
create index organizations_owner_id_idx on public.organizations (owner_id);
create index organizations_created_by_idx on public.organizations (created_by);
create index organizations_type_idx on public.organizations (type);
create index organizations_fts_idx on public.organizations using gin (fts_vector);

alter table public.profiles
  add constraint profiles_current_organization_id_fkey foreign key (current_organization_id)
    references public.organizations (id) on delete set null,
  add constraint profiles_personal_organization_id_fkey foreign key (personal_organization_id)
    references public.organizations (id) on delete set null,
  add constraint profiles_pinned_organization_id_fkey foreign key (pinned_organization_id)
    references public.organizations (id) on delete set null;
create index profiles_current_organization_id_idx on public.profiles (current_organization_id);
create index profiles_personal_organization_id_idx on public.profiles (personal_organization_id);
create index profiles_pinned_organization_id_idx on public.profiles (pinned_organization_id);

create table public.organization_members (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  is_deleted boolean default false,
  last_active_at timestamptz,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  permissions jsonb,
  role public.user_role_type not null default 'member',
  status public.user_status default 'active',
  updated_at timestamptz default now(),
  updated_by uuid,
  user_id uuid not null references public.profiles (id) on delete cascade,
  constraint organization_members_organization_id_user_id_key unique (organization_id, user_id),
  constraint organization_members_permissions_valid check (
    permissions is null or jsonb_typeof(permissions) in ('object', 'array'))
);
create index organization_members_user_id_idx on public.organization_members (user_id, organization_id);
create index organization_members_role_idx on public.organization_members (organization_id, role);

create table public.organization_invitations (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid not null,
  deleted_at timestamptz,
  deleted_by uuid,
  email text not null,
  expires_at timestamptz not null default (now() + interval '7 days'),
  is_deleted boolean default false,
  metadata jsonb default '{}'::jsonb,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  role public.user_role_type not null default 'member',
  status public.invitation_status not null default 'pending',
  token uuid not null default gen_random_uuid(),
  updated_at timestamptz default now(),
  updated_by uuid not null,
  constraint organization_invitations_token_key unique (token),
  constraint organization_invitations_email_format check (email ~ '^[^@\s]+@[^@\s]+$'),
  constraint organization_invitations_metadata_object check (metadata is null or jsonb_typeof(metadata) = 'object')
);
create index organization_invitations_organization_id_idx on public.organization_invitations (organization_id);
create index organization_invitations_email_idx on public.organization_invitations (lower(email));
create unique index organization_invitations_pending_key on public.organization_invitations
  (organization_id, lower(email)) where status = 'pending' and is_deleted is not true;

-- ---------------------------------------------------------------------------------------------------------
-- Projects and membership
-- ---------------------------------------------------------------------------------------------------------
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid not null,
  deleted_at timestamptz,
  deleted_by uuid,
  description text,
  fts_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
  ) stored,
  is_deleted boolean default false,
  metadata jsonb default '{}'::jsonb,
  name text not null,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  owned_by uuid not null references public.profiles (id),
  settings jsonb default '{}'::jsonb,
  slug text not null,
  star_count integer default 0,
  status public.project_status not null default 'active',
  tags text[] default '{}'::text[],
  updated_at timestamptz default now(),
  updated_by uuid not null,
  version integer default 1,
  visibility public.visibility not null default 'organization',
  constraint projects_organization_id_slug_key unique (organization_id, slug),
  constraint projects_name_length check (char_length(name) between 2 and 255),
  constraint projects_slug_format check (slug ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' and char_length(slug) <= 255),
  constraint projects_metadata_object check (metadata is null or jsonb_typeof(metadata) = 'object'),
  constraint projects_settings_object check (settings is null or jsonb_typeof(settings) = 'object'),
  constraint projects_star_count_nonnegative check (star_count is null or star_count >= 0),
  constraint projects_version_positive check (version is null or version > 0)
);
create index projects_owned_by_idx on public.projects (owned_by);
create index projects_status_idx on public.projects (organization_id, status);
create index projects_fts_idx on public.projects using gin (fts_vector);

create table public.project_members (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  is_deleted boolean default false,
  last_accessed_at timestamptz,
  org_id uuid references public.organizations (id) on delete cascade,
  permissions jsonb,
  project_id uuid not null references public.projects (id) on delete cascade,
  role public.project_role not null default 'viewer',
  status public.user_status default 'active',
  updated_at timestamptz default now(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  constraint project_members_project_id_user_id_key unique (project_id, user_id),
  constraint project_members_permissions_valid check (
    permissions is null or jsonb_typeof(permissions) in ('object', 'array'))
);
create index project_members_user_id_idx on public.project_members (user_id, project_id);
create index project_members_org_id_idx on public.project_members (org_id);

create table public.project_invitations (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid not null,
  deleted_at timestamptz,
  deleted_by uuid,
  email text not null,
  expires_at timestamptz not null default (now() + interval '7 days'),
  is_deleted boolean default false,
  metadata jsonb default '{}'::jsonb,
  project_id uuid not null references public.projects (id) on delete cascade,
  role public.project_role not null default 'viewer',
  status public.invitation_status not null default 'pending',
  token uuid not null default gen_random_uuid(),
  updated_at timestamptz default now(),
  updated_by uuid not null,
  constraint project_invitations_token_key unique (token),
  constraint project_invitations_email_format check (email ~ '^[^@\s]+@[^@\s]+$'),
  constraint project_invitations_metadata_object check (metadata is null or jsonb_typeof(metadata) = 'object')
);
create index project_invitations_project_id_idx on public.project_invitations (project_id);
create index project_invitations_email_idx on public.project_invitations (lower(email));
create unique index project_invitations_pending_key on public.project_invitations
  (project_id, lower(email)) where status = 'pending' and is_deleted is not true;

-- ---------------------------------------------------------------------------------------------------------
-- Documents, blocks, requirements
-- ---------------------------------------------------------------------------------------------------------
create table public.documents (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  description text,
  fts_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
  ) stored,
  is_deleted boolean default false,
  name text not null,
  project_id uuid not null references public.projects (id) on delete cascade,
  slug text not null,
  tags text[] default '{}'::text[],
  updated_at timestamptz default now(),
  updated_by uuid,
  version integer not null default 1,
  constraint documents_project_id_slug_key unique (project_id, slug),
  constraint documents_name_length check (char_length(name) between 1 and 255),
  constraint documents_slug_format check (slug ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' and char_length(slug) <= 255),
  constraint documents_version_positive check (version > 0)
);
create index documents_fts_idx on public.documents using gin (fts_vector);

create table public.blocks (
  id uuid primary key default gen_random_uuid(),
  content jsonb,
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  document_id uuid not null references public.documents (id) on delete cascade,
  type text not null,
  is_deleted boolean default false,
  name text not null default '',
  org_id uuid references public.organizations (id) on delete cascade,
  position integer not null default 0,
  updated_at timestamptz default now(),
  updated_by uuid,
  version integer not null default 1,
  constraint blocks_type_length check (char_length(type) between 1 and 64),
  constraint blocks_name_length check (char_length(name) <= 255),
  constraint blocks_version_positive check (version > 0)
);
create index blocks_document_id_idx on public.blocks (document_id, position);
create index blocks_org_id_idx on public.blocks (org_id);

create table public.requirements (
  id uuid primary key default gen_random_uuid(),
  ai_analysis jsonb,
  block_id uuid not null references public.blocks (id) on delete cascade,
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  description text,
  document_id uuid not null references public.documents (id) on delete cascade,
  enchanced_requirement text,
  external_id text,
  format public.requirement_format not null default 'incose',
  type text,
  fts_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
  ) stored,
  is_deleted boolean default false,
  level public.requirement_level not null default 'component',
  name text not null,
  original_requirement text,
  position double precision not null default 0,
  priority public.requirement_priority not null default 'low',
  properties jsonb default '{}'::jsonb,
  status public.requirement_status not null default 'active',
  tags text[] default '{}'::text[],
  updated_at timestamptz default now(),
  updated_by uuid,
  version integer not null default 1,
  constraint requirements_name_length check (char_length(name) between 1 and 255),
  constraint requirements_external_id_length check (external_id is null or char_length(external_id) <= 64),
  constraint requirements_properties_object check (properties is null or jsonb_typeof(properties) = 'object'),
  constraint requirements_version_positive check (version > 0)
);
create index requirements_document_id_idx on public.requirements (document_id, position);
create index requirements_block_id_idx on public.requirements (block_id);
create index requirements_status_idx on public.requirements (document_id, status);
create index requirements_priority_idx on public.requirements (document_id, priority);
create index requirements_external_id_idx on public.requirements (external_id);
create index requirements_fts_idx on public.requirements using gin (fts_vector);

create table public.requirements_closure (
  ancestor_id uuid not null references public.requirements (id) on delete cascade,
  descendant_id uuid not null references public.requirements (id) on delete cascade,
  created_at timestamptz not null default now(),
  created_by uuid not null,
  depth integer not null,
  updated_at timestamptz default now(),
  updated_by uuid,
  primary key (ancestor_id, descendant_id),
  constraint requirements_closure_depth_nonnegative check (depth >= 0),
  constraint requirements_closure_self_depth check ((ancestor_id = descendant_id) = (depth = 0))
);
create index requirements_closure_descendant_id_idx on public.requirements_closure (descendant_id);

create table public.properties (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  document_id uuid references public.documents (id) on delete cascade,
  is_base boolean default false,
  is_deleted boolean not null default false,
  name text not null,
  options jsonb,
  org_id uuid not null references public.organizations (id) on delete cascade,
  project_id uuid references public.projects (id) on delete cascade,
  property_type text not null,
  scope text,
  updated_at timestamptz default now(),
  updated_by uuid,
  constraint properties_name_length check (char_length(name) between 1 and 255),
  constraint properties_property_type_length check (char_length(property_type) between 1 and 64)
);
create index properties_org_id_idx on public.properties (org_id);
create index properties_project_id_idx on public.properties (project_id);
create index properties_document_id_idx on public.properties (document_id);

create table public.columns (
  id uuid primary key default gen_random_uuid(),
  block_id uuid references public.blocks (id) on delete cascade,
  created_at timestamptz default now(),
  created_by uuid,
  default_value text,
  is_hidden boolean default false,
  is_pinned boolean default false,
  position double precision not null default 0,
  property_id uuid not null references public.properties (id) on delete cascade,
  updated_at timestamptz default now(),
  updated_by uuid,
  width integer,
  constraint columns_width_positive check (width is null or width > 0)
);
create index columns_block_id_idx on public.columns (block_id, position);
create index columns_property_id_idx on public.columns (property_id);

create table public.table_rows (
  id uuid primary key default gen_random_uuid(),
  block_id uuid not null references public.blocks (id) on delete cascade,
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  document_id uuid not null references public.documents (id) on delete cascade,
  is_deleted boolean default false,
  position double precision not null default 0,
  row_data jsonb default '{}'::jsonb,
  updated_at timestamptz default now(),
  updated_by uuid,
  version integer not null default 1,
  constraint table_rows_row_data_object check (row_data is null or jsonb_typeof(row_data) = 'object'),
  constraint table_rows_version_positive check (version > 0)
);
create index table_rows_block_id_idx on public.table_rows (block_id, position);
create index table_rows_document_id_idx on public.table_rows (document_id);

-- ---------------------------------------------------------------------------------------------------------
-- Tests and traceability
-- ---------------------------------------------------------------------------------------------------------
create table public.test_req (
  id uuid primary key default gen_random_uuid(),
  attachments jsonb,
  category text[],
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  description text,
  estimated_duration interval,
  expected_results text,
  fts_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
  ) stored,
  is_active boolean default true,
  is_deleted boolean not null default false,
  method public.test_method not null default 'manual',
  preconditions text,
  priority public.test_priority not null default 'medium',
  project_id uuid references public.projects (id) on delete cascade,
  result text,
  status public.test_status not null default 'draft',
  test_environment text,
  test_id text,
  test_steps jsonb,
  test_type public.test_type not null default 'other',
  title text not null,
  updated_at timestamptz default now(),
  updated_by uuid,
  version text,
  constraint test_req_title_length check (char_length(title) between 1 and 255),
  constraint test_req_estimated_duration_nonnegative check (
    estimated_duration is null or estimated_duration >= interval '0'),
  constraint test_req_test_steps_valid check (test_steps is null or jsonb_typeof(test_steps) in ('array', 'object'))
);
create index test_req_project_id_idx on public.test_req (project_id);
create index test_req_status_idx on public.test_req (project_id, status);
create index test_req_fts_idx on public.test_req using gin (fts_vector);

create table public.requirement_tests (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  defects jsonb,
  evidence_artifacts jsonb,
  executed_at timestamptz,
  executed_by uuid references public.profiles (id) on delete set null,
  execution_environment text,
  execution_status public.execution_status not null default 'not_executed',
  execution_version text,
  external_req_id text,
  external_test_id text,
  requirement_id uuid not null references public.requirements (id) on delete cascade,
  result_notes text,
  test_id uuid not null references public.test_req (id) on delete cascade,
  updated_at timestamptz default now(),
  constraint requirement_tests_requirement_id_test_id_key unique (requirement_id, test_id)
);
create index requirement_tests_test_id_idx on public.requirement_tests (test_id);
create index requirement_tests_executed_by_idx on public.requirement_tests (executed_by);

create table public.trace_links (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  description text,
  is_deleted boolean default false,
  link_type public.trace_link_type not null,
  source_id uuid not null,
  source_type public.entity_type not null,
  target_id uuid not null,
  target_type public.entity_type not null,
  updated_at timestamptz default now(),
  updated_by uuid,
  version integer not null default 1,
  constraint trace_links_not_self check (source_id <> target_id),
  constraint trace_links_version_positive check (version > 0)
);
create index trace_links_source_idx on public.trace_links (source_id, source_type);
create index trace_links_target_idx on public.trace_links (target_id, target_type);
create unique index trace_links_active_key on public.trace_links (source_id, target_id, link_type)
  where is_deleted is not true;

create table public.assignments (
  id uuid primary key default gen_random_uuid(),
  assignee_id uuid not null references public.profiles (id) on delete cascade,
  comment text,
  completed_at timestamptz,
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  due_date timestamptz,
  entity_id uuid not null,
  entity_type public.entity_type not null,
  is_deleted boolean default false,
  role public.assignment_role not null default 'assignee',
  status public.requirement_status not null default 'active',
  updated_at timestamptz default now(),
  updated_by uuid,
  version integer not null default 1,
  constraint assignments_version_positive check (version > 0)
);
create index assignments_assignee_id_idx on public.assignments (assignee_id);
create index assignments_entity_idx on public.assignments (entity_id, entity_type);
create unique index assignments_active_key on public.assignments (entity_id, assignee_id, role)
  where is_deleted is not true;

create table public.test_matrix_views (
  id uuid primary key default gen_random_uuid(),
  configuration jsonb not null default '{}'::jsonb,
  created_at timestamptz default now(),
  created_by uuid not null,
  is_active boolean default true,
  is_default boolean default false,
  name text not null,
  project_id uuid not null references public.projects (id) on delete cascade,
  updated_at timestamptz default now(),
  updated_by uuid not null,
  constraint test_matrix_views_name_length check (char_length(name) between 1 and 255),
  constraint test_matrix_views_configuration_object check (jsonb_typeof(configuration) = 'object')
);
create index test_matrix_views_project_id_idx on public.test_matrix_views (project_id);
create unique index test_matrix_views_default_key on public.test_matrix_views (project_id) where is_default;

-- ---------------------------------------------------------------------------------------------------------
-- Diagrams
-- ---------------------------------------------------------------------------------------------------------
create table public.excalidraw_diagrams (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid,
  diagram_data jsonb,
  name text,
  organization_id uuid references public.organizations (id) on delete cascade,
  project_id uuid references public.projects (id) on delete cascade,
  thumbnail_url text,
  updated_at timestamptz default now(),
  updated_by uuid,
  constraint excalidraw_diagrams_name_length check (name is null or char_length(name) <= 255)
);
create index excalidraw_diagrams_organization_id_idx on public.excalidraw_diagrams (organization_id);
create index excalidraw_diagrams_project_id_idx on public.excalidraw_diagrams (project_id);

create table public.react_flow_diagrams (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid,
  description text,
  diagram_type text,
  edges jsonb not null default '[]'::jsonb,
  layout_algorithm text,
  metadata jsonb,
  name text not null,
  nodes jsonb not null default '[]'::jsonb,
  project_id uuid not null references public.projects (id) on delete cascade,
  settings jsonb,
  theme text,
  updated_at timestamptz default now(),
  updated_by uuid,
  viewport jsonb,
  constraint react_flow_diagrams_name_length check (char_length(name) between 1 and 255),
  constraint react_flow_diagrams_graph_arrays check (jsonb_typeof(nodes) = 'array' and jsonb_typeof(edges) = 'array')
);
create index react_flow_diagrams_project_id_idx on public.react_flow_diagrams (project_id);

create table public.diagram_element_links (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid,
  diagram_id uuid not null references public.excalidraw_diagrams (id) on delete cascade,
  element_id text not null,
  link_type text,
  metadata jsonb,
  requirement_id uuid not null references public.requirements (id) on delete cascade,
  updated_at timestamptz default now(),
  constraint diagram_element_links_key unique (diagram_id, element_id, requirement_id)
);
create index diagram_element_links_requirement_id_idx on public.diagram_element_links (requirement_id);

create table public.excalidraw_element_links (
  id uuid primary key default gen_random_uuid(),
  create_by uuid,
  created_at timestamptz not null default now(),
  element_id text,
  excalidraw_canvas_id uuid references public.excalidraw_diagrams (id) on delete cascade,
  requirement_id uuid references public.requirements (id) on delete cascade
);
create index excalidraw_element_links_canvas_idx on public.excalidraw_element_links (excalidraw_canvas_id);
create index excalidraw_element_links_requirement_id_idx on public.excalidraw_element_links (requirement_id);

-- The view runs with the caller's rights (security_invoker), so the links' RLS applies through it.
create view public.diagram_element_links_with_details with (security_invoker = true) as
  select
    l.id, l.created_at, l.created_by, l.diagram_id, l.element_id, l.link_type, l.metadata, l.requirement_id,
    l.updated_at,
    p.avatar_url as created_by_avatar,
    p.full_name as created_by_name,
    d.name as diagram_name,
    r.description as requirement_description,
    r.name as requirement_name
  from public.diagram_element_links l
  left join public.profiles p on p.id = l.created_by
  left join public.excalidraw_diagrams d on d.id = l.diagram_id
  left join public.requirements r on r.id = l.requirement_id;

-- ---------------------------------------------------------------------------------------------------------
-- Collaboration, audit, billing
-- ---------------------------------------------------------------------------------------------------------
create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  type public.notification_type not null,
  message text,
  metadata jsonb,
  read_at timestamptz,
  title text not null,
  unread boolean default true,
  user_id uuid not null references public.profiles (id) on delete cascade,
  constraint notifications_title_length check (char_length(title) between 1 and 255),
  constraint notifications_metadata_object check (metadata is null or jsonb_typeof(metadata) = 'object')
);
create index notifications_user_id_idx on public.notifications (user_id, created_at desc);

create table public.audit_logs (
  id uuid primary key default gen_random_uuid(),
  action text not null,
  actor_id uuid,
  compliance_category text,
  correlation_id text,
  created_at timestamptz not null default now(),
  description text,
  details jsonb,
  entity_id uuid not null,
  entity_type text not null,
  event_type public.audit_event_type,
  ip_address inet,
  metadata jsonb,
  new_data jsonb,
  old_data jsonb,
  organization_id uuid,
  project_id uuid,
  resource_id uuid,
  resource_type public.resource_type,
  risk_level text,
  session_id text,
  severity public.audit_severity default 'low',
  soc2_control text,
  source_system text,
  threat_indicators text[],
  timestamp timestamptz default now(),
  updated_at timestamptz default now(),
  user_agent text,
  user_id uuid
);
-- No foreign keys on purpose: audit rows outlive what they describe.
create index audit_logs_organization_id_idx on public.audit_logs (organization_id, created_at desc);
create index audit_logs_project_id_idx on public.audit_logs (project_id, created_at desc);
create index audit_logs_entity_idx on public.audit_logs (entity_type, entity_id, created_at desc);
create index audit_logs_actor_id_idx on public.audit_logs (actor_id, created_at desc);
create index audit_logs_created_at_idx on public.audit_logs (created_at desc);

create table public.external_documents (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  created_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  type text,
  gumloop_name text,
  is_deleted boolean default false,
  name text not null,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  owned_by uuid references public.profiles (id) on delete set null,
  size bigint,
  updated_at timestamptz default now(),
  updated_by uuid,
  url text,
  constraint external_documents_name_length check (char_length(name) between 1 and 255),
  constraint external_documents_size_nonnegative check (size is null or size >= 0)
);
create index external_documents_organization_id_idx on public.external_documents (organization_id);
create index external_documents_owned_by_idx on public.external_documents (owned_by);

create table public.billing_cache (
  organization_id uuid primary key references public.organizations (id) on delete cascade,
  billing_status jsonb not null default '{}'::jsonb,
  current_period_usage jsonb not null default '{}'::jsonb,
  period_end timestamptz not null,
  period_start timestamptz not null,
  synced_at timestamptz not null default now(),
  constraint billing_cache_period_order check (period_end >= period_start),
  constraint billing_cache_json_objects check (
    jsonb_typeof(billing_status) = 'object' and jsonb_typeof(current_period_usage) = 'object')
);

create table public.stripe_customers (
  id uuid primary key default gen_random_uuid(),
  cancel_at_period_end boolean default false,
  created_at timestamptz default now(),
  current_period_end timestamptz,
  current_period_start timestamptz,
  organization_id uuid references public.organizations (id) on delete cascade,
  payment_method_brand text,
  payment_method_last4 text,
  price_id text,
  stripe_customer_id text,
  stripe_subscription_id text,
  subscription_status public.subscription_status not null default 'inactive',
  updated_at timestamptz default now(),
  constraint stripe_customers_stripe_customer_id_key unique (stripe_customer_id),
  constraint stripe_customers_last4_format check (payment_method_last4 is null or payment_method_last4 ~ '^[0-9]{4}$')
);
create index stripe_customers_organization_id_idx on public.stripe_customers (organization_id);

create table public.usage_logs (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default now(),
  feature text not null,
  metadata jsonb,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  quantity integer not null default 1,
  unit_type text not null,
  user_id uuid not null references public.profiles (id) on delete cascade,
  constraint usage_logs_quantity_nonnegative check (quantity >= 0)
);
create index usage_logs_organization_id_idx on public.usage_logs (organization_id, created_at desc);
create index usage_logs_user_id_idx on public.usage_logs (user_id);

create table public.user_roles (
  id uuid primary key default gen_random_uuid(),
  admin_role public.user_role_type,
  created_at timestamptz not null default now(),
  document_id uuid references public.documents (id) on delete cascade,
  document_role public.project_role,
  org_id uuid references public.organizations (id) on delete cascade,
  project_id uuid references public.projects (id) on delete cascade,
  project_role public.project_role,
  updated_at timestamptz not null default now(),
  user_id uuid not null references public.profiles (id) on delete cascade
);
create index user_roles_user_id_idx on public.user_roles (user_id);
create index user_roles_org_id_idx on public.user_roles (org_id);
create index user_roles_project_id_idx on public.user_roles (project_id);
create index user_roles_document_id_idx on public.user_roles (document_id);

-- ---------------------------------------------------------------------------------------------------------
-- Sessions and OAuth
-- ---------------------------------------------------------------------------------------------------------
-- The seed checklist's session table, column for column (uuid_generate_v4() there; gen_random_uuid() here is
-- the same random v4 UUID without the uuid-ossp extension). Its user is a profile; removing a profile removes
-- its sessions (with a plain reference the profile could not be deleted while it has sessions).
create table public.atoms_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references public.profiles (id) on delete cascade,
  token_hash text not null,
  expires_at timestamp with time zone not null,
  created_at timestamp with time zone default now(),
  last_activity timestamp with time zone default now(),
  metadata jsonb default '{}'
);
create index idx_sessions_user_id on public.atoms_sessions (user_id);
create index idx_sessions_token_hash on public.atoms_sessions (token_hash);
create index idx_sessions_expires_at on public.atoms_sessions (expires_at);

create table public.mcp_sessions (
  session_id text primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  oauth_data jsonb not null default '{}'::jsonb,
  mcp_state jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  expires_at timestamptz not null,
  constraint mcp_sessions_session_id_not_empty check (char_length(session_id) between 1 and 255),
  constraint mcp_sessions_oauth_data_object check (jsonb_typeof(oauth_data) = 'object'),
  constraint mcp_sessions_mcp_state_object check (mcp_state is null or jsonb_typeof(mcp_state) = 'object'),
  constraint mcp_sessions_expiry_after_creation check (expires_at > created_at)
);
create index mcp_sessions_user_id_idx on public.mcp_sessions (user_id, expires_at desc);
create index mcp_sessions_expires_at_idx on public.mcp_sessions (expires_at);
create index mcp_sessions_created_at_idx on public.mcp_sessions (created_at);

create table public.oauth_clients (
  id uuid primary key default gen_random_uuid(),
  client_id text not null,
  client_name text not null,
  client_secret text,
  created_at timestamptz default now(),
  grant_types jsonb not null default '["authorization_code", "refresh_token"]'::jsonb,
  is_public boolean default true,
  redirect_uris jsonb not null,
  response_types jsonb not null default '["code"]'::jsonb,
  scope text,
  updated_at timestamptz default now(),
  constraint oauth_clients_client_id_key unique (client_id),
  constraint oauth_clients_arrays check (
    jsonb_typeof(grant_types) = 'array' and jsonb_typeof(redirect_uris) = 'array'
    and jsonb_typeof(response_types) = 'array')
);

create table public.oauth_authorization_codes (
  id uuid primary key default gen_random_uuid(),
  client_id text not null references public.oauth_clients (client_id) on delete cascade,
  code text not null,
  code_challenge text not null,
  code_challenge_method text not null,
  created_at timestamptz default now(),
  expires_at timestamptz not null,
  redirect_uri text not null,
  scope text,
  state text,
  user_id uuid references public.profiles (id) on delete cascade,
  constraint oauth_authorization_codes_code_key unique (code),
  constraint oauth_authorization_codes_method check (code_challenge_method in ('S256', 'plain'))
);
create index oauth_authorization_codes_client_id_idx on public.oauth_authorization_codes (client_id);
create index oauth_authorization_codes_user_id_idx on public.oauth_authorization_codes (user_id);
create index oauth_authorization_codes_expires_at_idx on public.oauth_authorization_codes (expires_at);

create table public.oauth_access_tokens (
  id uuid primary key default gen_random_uuid(),
  client_id text not null references public.oauth_clients (client_id) on delete cascade,
  created_at timestamptz default now(),
  expires_at timestamptz not null,
  last_used_at timestamptz,
  scope text,
  token_hash text not null,
  user_id uuid references public.profiles (id) on delete cascade,
  constraint oauth_access_tokens_token_hash_key unique (token_hash)
);
create index oauth_access_tokens_client_id_idx on public.oauth_access_tokens (client_id);
create index oauth_access_tokens_user_id_idx on public.oauth_access_tokens (user_id);
create index oauth_access_tokens_expires_at_idx on public.oauth_access_tokens (expires_at);

create table public.oauth_refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  client_id text not null references public.oauth_clients (client_id) on delete cascade,
  created_at timestamptz default now(),
  expires_at timestamptz not null,
  last_used_at timestamptz,
  scope text,
  token text not null,
  user_id uuid not null references public.profiles (id) on delete cascade,
  constraint oauth_refresh_tokens_token_key unique (token)
);
create index oauth_refresh_tokens_client_id_idx on public.oauth_refresh_tokens (client_id);
create index oauth_refresh_tokens_user_id_idx on public.oauth_refresh_tokens (user_id);
create index oauth_refresh_tokens_expires_at_idx on public.oauth_refresh_tokens (expires_at);

-- ---------------------------------------------------------------------------------------------------------
-- Context, versions, RAG
-- ---------------------------------------------------------------------------------------------------------
create table public.workspace_contexts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  -- null: the user's default context; otherwise the context of one MCP session.
  session_id text,
  organization_id uuid references public.organizations (id) on delete set null,
  project_id uuid references public.projects (id) on delete set null,
  document_id uuid references public.documents (id) on delete set null,
  recent_organizations uuid[] not null default '{}'::uuid[],
  recent_projects uuid[] not null default '{}'::uuid[],
  recent_documents uuid[] not null default '{}'::uuid[],
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint workspace_contexts_user_session_key unique nulls not distinct (user_id, session_id),
  constraint workspace_contexts_recent_bounded check (
    cardinality(recent_organizations) <= 50 and cardinality(recent_projects) <= 50
    and cardinality(recent_documents) <= 50)
);
create index workspace_contexts_organization_id_idx on public.workspace_contexts (organization_id);
create index workspace_contexts_project_id_idx on public.workspace_contexts (project_id);
create index workspace_contexts_document_id_idx on public.workspace_contexts (document_id);

create table public.entity_versions (
  id uuid primary key default gen_random_uuid(),
  entity_type text not null,
  entity_id uuid not null,
  version integer not null,
  operation text not null default 'update',
  data jsonb not null,
  changed_by uuid,
  changed_at timestamptz not null default now(),
  constraint entity_versions_entity_version_key unique (entity_type, entity_id, version),
  constraint entity_versions_version_positive check (version > 0),
  constraint entity_versions_operation_valid check (operation in ('insert', 'update')),
  constraint entity_versions_data_object check (jsonb_typeof(data) = 'object')
);
create index entity_versions_changed_by_idx on public.entity_versions (changed_by);

create table public.embedding_queue (
  id uuid primary key default gen_random_uuid(),
  table_name text not null,
  row_id uuid not null,
  text text not null,
  status text not null default 'pending',
  retry_count integer not null default 0,
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint embedding_queue_table_name_valid check (
    table_name in ('organizations', 'projects', 'documents', 'requirements')),
  constraint embedding_queue_status_valid check (status in ('pending', 'processing', 'completed', 'failed')),
  constraint embedding_queue_retry_count_nonnegative check (retry_count >= 0)
);
create unique index embedding_queue_pending_key on public.embedding_queue (table_name, row_id)
  where status = 'pending';
create index embedding_queue_status_idx on public.embedding_queue (status, created_at);

create table public.rag_embeddings (
  id uuid primary key default gen_random_uuid(),
  content_hash text,
  created_at timestamptz default now(),
  entity_id text not null,
  entity_type text not null,
  metadata jsonb,
  quality_score double precision
);
create index rag_embeddings_entity_idx on public.rag_embeddings (entity_type, entity_id);
create index rag_embeddings_content_hash_idx on public.rag_embeddings (content_hash);

create table public.rag_search_analytics (
  id uuid primary key default gen_random_uuid(),
  cache_hit boolean not null default false,
  created_at timestamptz default now(),
  execution_time_ms integer not null,
  organization_id uuid references public.organizations (id) on delete set null,
  query_hash text not null,
  query_text text not null,
  result_count integer not null,
  search_type text not null,
  user_id uuid references public.profiles (id) on delete set null,
  constraint rag_search_analytics_nonnegative check (execution_time_ms >= 0 and result_count >= 0)
);
create index rag_search_analytics_organization_id_idx on public.rag_search_analytics (organization_id);
create index rag_search_analytics_user_id_idx on public.rag_search_analytics (user_id);

create table public.embedding_cache (
  id uuid primary key default gen_random_uuid(),
  access_count integer default 0,
  accessed_at timestamptz default now(),
  cache_key text not null,
  created_at timestamptz default now(),
  model text not null,
  tokens_used integer not null default 0,
  constraint embedding_cache_cache_key_key unique (cache_key)
);

-- ---------------------------------------------------------------------------------------------------------
-- Embeddings (768 dimensions). pgvector: vector(768) with HNSW cosine indexes (m=16, ef_construction=64).
-- Without pgvector: double precision[] constrained to exactly 768 finite values; semantic search then ranks
-- by exact cosine distance (atoms_private.cosine_distance) over every candidate row.
-- ---------------------------------------------------------------------------------------------------------
do $$
declare
  has_vector boolean := exists (select 1 from pg_extension where extname = 'vector');
  vector_schema text := (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
                          where e.extname = 'vector');
  t record;
begin
  for t in select * from (values
      ('organizations', false), ('projects', false), ('documents', false), ('requirements', false),
      ('rag_embeddings', true), ('embedding_cache', false)) as x(name, required)
  loop
    if has_vector then
      execute format('alter table public.%I add column embedding %I.vector(768)%s',
        t.name, vector_schema, case when t.required then ' not null' else '' end);
      execute format('create index %I on public.%I using hnsw (embedding %I.vector_cosine_ops) '
        'with (m = 16, ef_construction = 64)', t.name || '_embedding_idx', t.name, vector_schema);
    else
      execute format('alter table public.%I add column embedding double precision[]%s',
        t.name, case when t.required then ' not null' else '' end);
      execute format('alter table public.%I add constraint %I check (embedding is null or '
        '(array_ndims(embedding) = 1 and cardinality(embedding) = 768 and array_position(embedding, null) is null))',
        t.name, t.name || '_embedding_dimensions');
    end if;
  end loop;
end $$;

-- Trigram indexes for fuzzy name resolution ("names or ids"), where pg_trgm is available.
do $$
declare
  trgm_schema text := (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
                        where e.extname = 'pg_trgm');
  t record;
begin
  if trgm_schema is null then
    return;
  end if;
  for t in select * from (values ('organizations', 'name'), ('projects', 'name'), ('documents', 'name'),
                                 ('requirements', 'name'), ('test_req', 'title')) as x(tbl, col)
  loop
    execute format('create index %I on public.%I using gin (%I %I.gin_trgm_ops)',
      t.tbl || '_' || t.col || '_trgm_idx', t.tbl, t.col, trgm_schema);
  end loop;
end $$;
