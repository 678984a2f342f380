-- Strategy engine, arrangements core and the daily collection cycle (issue 5).
--
-- strategy:     published strategy versions (immutable documents), the per-account strategy state the
--               daily cycle keeps (segment, stage, treatments done), its transitions (append-only), the
--               contacts the compliance gate dropped, collector-recorded circumstances (delinquency
--               reason, suspected evasion, risk score), and the recommendations that need approval:
--               placement proposals (agency, legal) and account-action requests (freeze, restrict).
-- arrangements: promises to pay and repayment plans with instalments (the minimal core the cycle needs;
--               quotes, approvals, waivers, settlements and payment allocation come later).
-- cycle:        one row per prepared business date (aging and arrangement evaluation done) and one per
--               cycle invocation (shard, status, summary).
--
-- Every customer-owned table carries customer_id (Citus distribution key).

create table strategy_versions (
  strategy_id text not null check (strategy_id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  version integer not null check (version >= 1),
  effective_from date not null,
  document jsonb not null,
  -- SHA-256 of the canonical document: publishing the same version again with the same content is a no-op.
  digest text not null,
  published_at timestamptz not null default now(),
  published_by text not null,
  primary key (strategy_id, version)
);
create index strategy_versions_effective on strategy_versions (effective_from, published_at);

-- Derived data written only by the daily cycle: no foreign key (like account_delinquency), one row per
-- account the strategy has seen. `state` is the packed strategy state as of `changed_on`; `prev_state`
-- the state before that day, so re-deciding a date that was already (partly) applied starts from the
-- same input and produces the same actions (src/modules/strategy/domain/state.ts).
create table strategy_account_states (
  account_id text primary key,
  customer_id text not null,
  strategy_id text not null,
  strategy_version integer not null,
  variant text not null,
  status text not null check (status in ('active', 'paused', 'plan', 'current')),
  segment text,
  ladder text,
  stage text,
  changed_on date not null,
  state text not null,
  prev_state text,
  updated_at timestamptz not null default now()
);

create table strategy_account_events (
  account_id text not null,
  customer_id text not null,
  occurred_on date not null,
  -- Order of the transitions decided for this account on this date (re-deciding gives the same seq).
  seq smallint not null,
  kind text not null check (kind in ('entered', 'segment_changed', 'escalated', 'paused', 'plan_monitoring', 'resumed', 'cured')),
  strategy_id text not null,
  strategy_version integer not null,
  variant text not null,
  segment text,
  stage text,
  recorded_at timestamptz not null default now(),
  primary key (account_id, occurred_on, seq)
);
-- Only cures are counted by date (the champion/challenger report); other transitions are read per account.
create index strategy_account_events_cured on strategy_account_events (strategy_id, occurred_on) where kind = 'cured';

-- A treatment the cycle decided but the compliance gate blocked (or deferred beyond the strategy's
-- limit): not an action, but recorded with its reason so that re-running the date changes nothing and
-- the champion/challenger report can count blocks.
create table strategy_dropped_actions (
  idempotency_key text primary key,
  as_of date not null,
  account_id text not null,
  customer_id text not null,
  stage text not null,
  treatment text not null,
  channel text not null,
  strategy_id text not null,
  strategy_version integer not null,
  strategy_variant text not null,
  reason text not null check (reason in ('compliance_block', 'deferred_too_far', 'no_contact_point')),
  rules jsonb not null,
  audit_ref text,
  created_at timestamptz not null default now()
);
create index strategy_dropped_actions_as_of on strategy_dropped_actions (as_of);

-- What collectors learn about an account and the strategy segments on: the delinquency reason
-- (subjective or objective, DOMAIN.md §1), suspected deliberate evasion, and an optional risk score
-- from the bank's model. The latest value per field is in the row; every change is an event.
create table strategy_account_markers (
  account_id text primary key references card_accounts (account_id),
  customer_id text not null,
  delinquency_reason text check (delinquency_reason in ('worse_finances', 'unstable_income', 'overspending', 'forgot',
    'economic_shock', 'disaster', 'illness', 'accident')),
  suspected_evasion boolean not null default false,
  risk_score numeric(9, 3),
  updated_at timestamptz not null default now(),
  updated_by text not null
);

create table strategy_marker_events (
  event_id bigint generated always as identity primary key,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  field text not null check (field in ('delinquency_reason', 'suspected_evasion', 'risk_score')),
  value text,
  note text,
  recorded_by text not null,
  recorded_at timestamptz not null default now()
);
create index strategy_marker_events_account on strategy_marker_events (account_id, event_id);

-- Recommendations that need a person's approval (the approval flow is the collector workflow's).
create table placement_proposals (
  proposal_id bigint generated always as identity primary key,
  idempotency_key text not null unique,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  kind text not null check (kind in ('agency', 'legal')),
  -- Null: any agency (allocation rules choose).
  agency_id text check (agency_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  legal_stage text check (legal_stage in ('mediation', 'payment_order', 'arbitration', 'litigation', 'enforcement')),
  status text not null default 'proposed' check (status in ('proposed', 'approved', 'rejected', 'withdrawn')),
  proposed_on date not null,
  origin text not null check (origin in ('cycle', 'staff', 'api', 'cli')),
  strategy_id text,
  strategy_version integer,
  strategy_variant text,
  stage text,
  decision jsonb,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  created_at timestamptz not null default now(),
  check ((kind = 'legal') = (legal_stage is not null)),
  check ((status = 'proposed') = (decided_at is null))
);
-- At most one open proposal of each kind per account.
create unique index placement_proposals_open on placement_proposals (account_id, kind) where status = 'proposed';
create index placement_proposals_status on placement_proposals (status, proposed_on);

create table account_action_requests (
  request_id bigint generated always as identity primary key,
  idempotency_key text not null unique,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  action text not null check (action in ('freeze', 'restrict', 'lift')),
  status text not null default 'proposed' check (status in ('proposed', 'approved', 'rejected', 'withdrawn')),
  requested_on date not null,
  origin text not null check (origin in ('cycle', 'staff', 'api', 'cli')),
  reason text,
  strategy_id text,
  strategy_version integer,
  strategy_variant text,
  stage text,
  decision jsonb,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  created_at timestamptz not null default now(),
  check ((status = 'proposed') = (decided_at is null))
);
create unique index account_action_requests_open on account_action_requests (account_id, action) where status = 'proposed';
create index account_action_requests_status on account_action_requests (status, requested_on);

-- Arrangements ---------------------------------------------------------------------------------

create table promises_to_pay (
  promise_id bigint generated always as identity primary key,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  currency text not null references currencies (code),
  amount_minor bigint not null check (amount_minor > 0),
  -- The business date the promise was made on and the date the debtor promised to pay by.
  created_on date not null,
  promised_on date not null,
  channel text,
  status text not null default 'active' check (status in ('active', 'kept', 'broken', 'cancelled')),
  resolved_on date,
  -- Paid toward the promise when it was resolved (payments posted from created_on to the judging day).
  paid_minor bigint,
  note text,
  recorded_by text not null,
  idempotency_key text unique,
  input_hash text,
  recorded_at timestamptz not null default now(),
  check (promised_on >= created_on),
  check ((status = 'active') = (resolved_on is null))
);
create unique index promises_to_pay_one_active on promises_to_pay (account_id) where status = 'active';
create index promises_to_pay_account on promises_to_pay (account_id, promise_id);

create table repayment_plans (
  plan_id bigint generated always as identity primary key,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  currency text not null references currencies (code),
  -- 'installments' (分期) for now; extensions, settlements and waivers come with the collector workflow.
  kind text not null default 'installments' check (kind in ('installments')),
  total_minor bigint not null check (total_minor > 0),
  instalments integer not null check (instalments between 1 and 600),
  starts_on date not null,
  interest_reduction_percent numeric(5, 2) check (interest_reduction_percent between 0 and 100),
  terms jsonb not null default '{}',
  status text not null default 'active' check (status in ('active', 'completed', 'broken', 'cancelled')),
  resolved_on date,
  note text,
  recorded_by text not null,
  idempotency_key text unique,
  input_hash text,
  recorded_at timestamptz not null default now(),
  check ((status = 'active') = (resolved_on is null))
);
create unique index repayment_plans_one_active on repayment_plans (account_id) where status = 'active';
create index repayment_plans_account on repayment_plans (account_id, plan_id);

create table plan_instalments (
  plan_id bigint not null references repayment_plans (plan_id),
  seq integer not null check (seq >= 1),
  customer_id text not null,
  due_on date not null,
  amount_minor bigint not null check (amount_minor > 0),
  status text not null default 'pending' check (status in ('pending', 'met', 'missed')),
  resolved_on date,
  primary key (plan_id, seq),
  check ((status = 'pending') = (resolved_on is null))
);

-- The daily cycle ----------------------------------------------------------------------------

-- A business date whose shared steps (aging, arrangement evaluation) are done: every later invocation
-- for the date (a resume, a re-run, another shard) reuses them, so all shards decide on the same data.
create table cycle_days (
  as_of date primary key,
  prepared_at timestamptz not null default now(),
  aging jsonb not null,
  arrangements jsonb not null
);

create table cycle_runs (
  run_id bigint generated always as identity primary key,
  as_of date not null,
  shard_index integer not null,
  shard_count integer not null check (shard_count >= 1 and shard_index >= 0 and shard_index < shard_count),
  status text not null check (status in ('running', 'completed', 'failed')),
  strategy_id text,
  strategy_version integer,
  started_at timestamptz not null,
  finished_at timestamptz,
  summary jsonb,
  error text
);
create index cycle_runs_as_of on cycle_runs (as_of, run_id);

create trigger strategy_versions_append_only before update or delete on strategy_versions
  for each row execute function forbid_change();
create trigger strategy_account_events_append_only before update or delete on strategy_account_events
  for each row execute function forbid_change();
create trigger strategy_marker_events_append_only before update or delete on strategy_marker_events
  for each row execute function forbid_change();
create trigger strategy_dropped_actions_append_only before update or delete on strategy_dropped_actions
  for each row execute function forbid_change();
