-- Delinquency: the latest aging result per account (written by `recourse age`, only rows that
-- changed) and one row per aging run. Bucket moves are recorded as account_events.

create table account_delinquency (
  account_id text primary key references card_accounts (account_id),
  customer_id text not null,
  as_of date not null,
  days_past_due integer not null check (days_past_due >= 0),
  bucket text not null,
  overdue_minor bigint not null,
  balance_minor bigint not null,
  late_count_cumulative integer not null,
  late_count_consecutive integer not null,
  oldest_unpaid_due_on date
);
create index account_delinquency_bucket on account_delinquency (bucket, account_id);

create table aging_runs (
  run_id bigint generated always as identity primary key,
  as_of date not null,
  policy_id text not null,
  policy_version integer not null,
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  accounts integer not null,
  changed integer not null,
  bucket_moves integer not null
);
create index aging_runs_as_of on aging_runs (as_of);
