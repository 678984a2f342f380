-- Identity and access: staff users (argon2id hashes, optional TOTP), cookie sessions, API tokens
-- with scopes, the access audit trail (logins, unmasking, exports), and the minimal account
-- assignments that data scopes need (team, agency placement, legal stage) until the worklist,
-- agencies and legal modules own them. Also: phone numbers leave clear text (encrypted with a
-- blind index and a masked form), and PII ciphertexts carry the id of the key that sealed them.

-- Users are reference data (not customer-owned): small, replicated to every node under Citus.
create table staff_users (
  user_id bigint generated always as identity primary key,
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  role text not null check (role in ('admin', 'strategy_manager', 'compliance_officer', 'supervisor',
                                     'collector', 'agency_user', 'legal', 'auditor')),
  team_id text check (team_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  agency_id text check (agency_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  -- argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
  password_hash text not null check (password_hash like '$argon2id$%'),
  must_change_password boolean not null default false,
  -- The TOTP secret, sealed like other PII (key id ‖ iv ‖ tag ‖ ciphertext).
  totp_secret_encrypted bytea,
  totp_enabled boolean not null default false,
  -- The last accepted TOTP time step: a code is never accepted twice.
  totp_last_step bigint,
  failed_login_count integer not null default 0 check (failed_login_count >= 0),
  locked_until timestamptz,
  disabled_at timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (role <> 'agency_user' or agency_id is not null),
  check (agency_id is null or role = 'agency_user'),
  check (role <> 'collector' or team_id is not null),
  check (not totp_enabled or totp_secret_encrypted is not null),
  -- A second factor is required for admins.
  check (role <> 'admin' or totp_enabled)
);

-- Sessions: only a SHA-256 of the cookie value and of the CSRF token is stored.
create table staff_sessions (
  session_hash bytea primary key,
  user_id bigint not null references staff_users (user_id),
  csrf_hash bytea not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  ended_at timestamptz,
  ip text
);
create index staff_sessions_user on staff_sessions (user_id) where ended_at is null;

-- API tokens for machine clients: "rct_<token_id>_<secret>"; only a SHA-256 of the secret is stored.
create table api_tokens (
  token_id bigint generated always as identity primary key,
  name text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$'),
  secret_hash bytea not null unique,
  scopes text[] not null check (cardinality(scopes) > 0),
  created_by text not null,
  created_at timestamptz not null,
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);

-- Who did what, why: logins, logouts, lockouts, PII unmasking, exports, user and token changes,
-- key rotations. Append-only like payments. Never holds a full national id or phone number.
create table access_audit (
  audit_id bigint generated always as identity primary key,
  occurred_at timestamptz not null,
  actor_kind text not null check (actor_kind in ('user', 'token', 'operator', 'anonymous')),
  actor_id text,
  actor_name text not null,
  action text not null,
  subject_kind text,
  subject_id text,
  reason text,
  details jsonb not null default '{}',
  ip text
);
create index access_audit_action on access_audit (action, audit_id);
create index access_audit_subject on access_audit (subject_kind, subject_id, audit_id);
create trigger access_audit_append_only before update or delete on access_audit
  for each row execute function forbid_change();

-- Minimal case assignment for data scopes: which collection team works the account, which agency it
-- is placed with, and its legal stage. The worklist, agencies and legal modules will take these over.
create table account_assignments (
  account_id text primary key references card_accounts (account_id),
  customer_id text not null,
  team_id text check (team_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  agency_id text check (agency_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  legal_stage text check (legal_stage in ('mediation', 'payment_order', 'arbitration', 'litigation', 'enforcement')),
  updated_at timestamptz not null default now()
);
create index account_assignments_team on account_assignments (team_id, account_id) where team_id is not null;
create index account_assignments_agency on account_assignments (agency_id, account_id) where agency_id is not null;
create index account_assignments_legal on account_assignments (account_id) where legal_stage is not null;

-- Phones are encrypted like national ids: ciphertext, a blind index (HMAC) for equality and lookup,
-- and the masked form shown to callers without the unmask permission. The clear `value` stays for
-- emails and addresses. Existing clear phones are sealed by the application right after this
-- migration (it holds the key); the check below is NOT VALID until then, but binds every new row.
alter table contact_points alter column value drop not null;
alter table contact_points add column value_encrypted bytea, add column value_hmac bytea, add column value_masked text;
alter table contact_points add constraint contact_points_value_present check (kind = 'phone' or value is not null);
alter table contact_points add constraint contact_points_phone_protected
  check (kind <> 'phone' or (value is null and value_encrypted is not null and value_hmac is not null and value_masked is not null)) not valid;
create index contact_points_value_hmac on contact_points (value_hmac) where value_hmac is not null;

-- Ciphertexts now start with a header naming their key: a format byte, the key id's length, the key
-- id. Everything sealed before was sealed with the single configured key, whose id is "default";
-- it gets format 1 (header not authenticated); the application seals new values as format 2.
update customers set national_id_encrypted = '\x0107'::bytea || convert_to('default', 'UTF8') || national_id_encrypted
  where national_id_encrypted is not null;
alter table customers add constraint customers_national_id_sealed
  check (national_id_encrypted is null or (get_byte(national_id_encrypted, 0) in (1, 2) and national_id_hmac is not null));
