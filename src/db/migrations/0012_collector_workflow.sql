-- Collector workflow (issue 7).
--
-- worklist: collection teams, collectors' skills (language, bucket, region), queue locks on the
--           work items the daily cycle hands over (migration 0006), contact sessions with the
--           right-party check (核身), contact outcomes with the delinquency reason, collector notes.
-- payments: payments posted by API or file go into portfolio's append-only `payments` table (so aging,
--           the account histories and arrangement evaluation see them); the payments module keeps its
--           own posting record (idempotency hash, allocation at posting). Reversals are new negative
--           rows naming the payment they reverse (once).
--
-- Every customer-owned table carries customer_id (Citus distribution key).

-- Worklist ---------------------------------------------------------------------------------------

-- Teams are reference data (like users). A collector's team is staff_users.team_id (identity); this
-- table names the teams and gives supervisors a list.
create table worklist_teams (
  team_id text primary key check (team_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  name text not null check (length(name) between 1 and 100),
  created_by text not null,
  created_at timestamptz not null default now()
);

-- What a collector can work: an empty list means any. Reference data keyed by the staff user.
create table collector_skills (
  username text primary key references staff_users (username),
  languages text[] not null default '{}',
  buckets text[] not null default '{}',
  regions text[] not null default '{}',
  -- A collector who is not taking work gets nothing from `next`.
  available boolean not null default true,
  updated_by text not null,
  updated_at timestamptz not null default now()
);

-- Queue state on the hand-over table: who holds an item and until when (a lock times out by itself),
-- when the compliance gate last refused it (not offered again before held_until), the number a
-- callback is to dial, and the region an item needs (else the debtor's address region).
alter table work_items
  add column locked_by text,
  add column locked_until timestamptz,
  add column claimed_at timestamptz,
  add column held_until timestamptz,
  add column last_gate jsonb,
  add column destination_ref text check (destination_ref ~ '^phone:[0-9]{1,3}$'),
  add column region text,
  add column completed_at timestamptz,
  add column completed_by text,
  add constraint work_items_lock_pair check ((locked_by is null) = (locked_until is null)),
  add constraint work_items_in_progress_locked check (status <> 'in_progress' or locked_by is not null);
create index work_items_claimable on work_items (priority desc, not_before) where status in ('open', 'in_progress');
create index work_items_assigned on work_items (assigned_to) where status in ('open', 'in_progress') and assigned_to is not null;

-- One contact a collector makes (a call, a visit): the gate's verdict that allowed it, the
-- right-party check, and the token that releases debt details for this contact only (SHA-256 stored).
create table contact_sessions (
  contact_id bigint generated always as identity primary key,
  token_hash bytea not null unique,
  customer_id text not null references customers (customer_id),
  account_id text references card_accounts (account_id),
  work_item_id bigint references work_items (work_item_id),
  collector text not null,
  actor text not null,
  channel text not null check (channel in ('voice_agent', 'field_visit')),
  party text not null check (party in ('debtor', 'guarantor', 'contact')),
  destination_ref text not null,
  destination_key text not null,
  destination_masked text,
  verdict_ref text,
  started_at timestamptz not null,
  expires_at timestamptz not null,
  rpc_attempts smallint not null default 0 check (rpc_attempts >= 0),
  rpc_verified_at timestamptz,
  rpc_factors text[],
  closed_at timestamptz,
  check (expires_at > started_at)
);
create index contact_sessions_customer on contact_sessions (customer_id, contact_id);

-- What came of a contact: the ledger row (compliance contact_attempts), the collector's disposition,
-- the delinquency reason (subjective / objective, DOMAIN.md §1) for reporting. Append-only.
create table contact_outcomes (
  contact_id bigint primary key references contact_sessions (contact_id),
  customer_id text not null,
  account_id text references card_accounts (account_id),
  attempt_id bigint not null references contact_attempts (attempt_id),
  outcome text not null,
  disposition text check (disposition in ('promise_to_pay', 'paid_already', 'will_pay_no_date', 'refused_to_pay', 'dispute_raised',
    'hardship_claimed', 'callback_requested', 'message_left', 'wrong_party', 'no_contact')),
  delinquency_reason text check (delinquency_reason in ('worse_finances', 'unstable_income', 'overspending', 'forgot',
    'economic_shock', 'disaster', 'illness', 'accident')),
  reason_category text check (reason_category in ('subjective', 'objective')),
  note_id bigint,
  recorded_by text not null,
  recorded_at timestamptz not null default now(),
  check ((delinquency_reason is null) = (reason_category is null))
);
create index contact_outcomes_reason on contact_outcomes (recorded_at) where delinquency_reason is not null;

-- Collector notes (催记): free text that passed the compliance language check. Append-only.
create table collector_notes (
  note_id bigint generated always as identity primary key,
  customer_id text not null references customers (customer_id),
  account_id text references card_accounts (account_id),
  contact_id bigint references contact_sessions (contact_id),
  text text not null check (length(text) between 1 and 4000),
  checked_under text not null,
  author text not null,
  created_at timestamptz not null default now()
);
create index collector_notes_customer on collector_notes (customer_id, note_id);

create trigger contact_outcomes_append_only before update or delete on contact_outcomes
  for each row execute function forbid_change();
create trigger collector_notes_append_only before update or delete on collector_notes
  for each row execute function forbid_change();

-- Payments ---------------------------------------------------------------------------------------

-- A reversal is a new payment with the negated amount, naming the payment it reverses (at most once);
-- nothing else may be negative.
alter table payments drop constraint payments_amount_minor_check;
alter table payments add column reverses text references payments (payment_id);
alter table payments add constraint payments_amount_sign
  check (amount_minor <> 0 and (reverses is null) = (amount_minor > 0));
create unique index payments_reversed_once on payments (reverses) where reverses is not null;

-- The payments module's record of what it posted: the input's hash (same id + same content → the
-- same result; different content → an error), where it came from, and the allocation it answered.
create table payment_postings (
  payment_id text primary key references payments (payment_id),
  customer_id text not null,
  account_id text not null,
  source text not null check (source in ('api', 'file', 'cli')),
  input_hash text not null,
  reference text,
  file_name text,
  file_line integer,
  reason text,
  posted_by text not null,
  policy text not null,
  allocation jsonb not null,
  recorded_at timestamptz not null default now()
);
create index payment_postings_account on payment_postings (account_id);
create trigger payment_postings_append_only before update or delete on payment_postings
  for each row execute function forbid_change();

-- Arrangements ------------------------------------------------------------------------------------

-- Hardship evidence (a hospital certificate, an income statement): PDF or image, typed by its magic
-- bytes, stored in the database with its SHA-256 (transactional with the rest, backed up and
-- distributed by customer with it). Append-only: a wrong file is superseded, not replaced.
create table hardship_evidence (
  evidence_id bigint generated always as identity primary key,
  customer_id text not null references customers (customer_id),
  account_id text references card_accounts (account_id),
  media_type text not null check (media_type in ('application/pdf', 'image/png', 'image/jpeg', 'image/webp')),
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea not null,
  description text check (length(description) <= 500),
  uploaded_by text not null,
  uploaded_at timestamptz not null default now(),
  check (octet_length(content) = size_bytes)
);
create index hardship_evidence_customer on hardship_evidence (customer_id, evidence_id);
create trigger hardship_evidence_append_only before update or delete on hardship_evidence
  for each row execute function forbid_change();
