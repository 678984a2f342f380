-- Portfolio: customers, their contact points, card accounts, statements, payments, the card host's
-- own delinquency snapshots, account events and import audit. Money is bigint minor units of the
-- account's ISO 4217 currency. Every customer-owned table carries customer_id (Citus distribution key).

create table currencies (
  code text primary key check (code ~ '^[A-Z]{3}$'),
  minor_digits smallint not null check (minor_digits between 0 and 4)
);

create table customers (
  customer_id text primary key,
  name text not null,
  -- AES-256-GCM (iv ‖ tag ‖ ciphertext); never stored or logged in clear.
  national_id_encrypted bytea,
  -- HMAC-SHA256 keyed with the PII key: equality and re-import comparison without decrypting.
  national_id_hmac bytea,
  national_id_last4 text,
  time_zone text not null default 'Asia/Shanghai',
  language text not null default 'zh-CN' check (language in ('zh-CN', 'en')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table contact_points (
  customer_id text not null references customers (customer_id),
  kind text not null check (kind in ('phone', 'email', 'address')),
  position smallint not null,
  value text not null,
  details jsonb,
  party_role text not null check (party_role in ('debtor', 'guarantor', 'contact')),
  verified boolean not null default false,
  source text,
  primary key (customer_id, kind, position)
);

create table card_accounts (
  account_id text primary key,
  customer_id text not null references customers (customer_id),
  currency text not null references currencies (code),
  credit_limit_minor bigint not null check (credit_limit_minor >= 0),
  opened_on date not null,
  status text not null default 'open' check (status in ('open', 'frozen', 'restricted', 'closed', 'charged_off')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index card_accounts_customer on card_accounts (customer_id);

create table statements (
  account_id text not null references card_accounts (account_id),
  statement_date date not null,
  customer_id text not null,
  due_date date not null,
  minimum_due_minor bigint not null check (minimum_due_minor >= 0),
  closing_balance_minor bigint not null,
  principal_minor bigint,
  interest_minor bigint,
  fees_minor bigint,
  primary key (account_id, statement_date),
  check (due_date >= statement_date)
);

-- Append-only: a correction is a new payment (for instance a negative reversal posted by the host
-- under its own id), never an edit.
create table payments (
  payment_id text primary key,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  posted_on date not null,
  amount_minor bigint not null check (amount_minor > 0),
  channel text,
  recorded_at timestamptz not null default now()
);
create index payments_account on payments (account_id, posted_on);

create table host_delinquency_snapshots (
  account_id text not null references card_accounts (account_id),
  as_of date not null,
  customer_id text not null,
  cycles_delinquent integer not null,
  amount_due_minor bigint,
  balance_minor bigint,
  primary key (account_id, as_of)
);
create index host_delinquency_snapshots_as_of on host_delinquency_snapshots (as_of);

create table account_events (
  event_id bigint generated always as identity primary key,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  occurred_on date not null,
  kind text not null,
  data jsonb not null default '{}',
  recorded_at timestamptz not null default now()
);
create index account_events_account on account_events (account_id, event_id);

create table imports (
  import_id bigint generated always as identity primary key,
  source text not null,
  format text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  lines integer not null,
  rejected integer not null,
  counts jsonb not null
);

create function forbid_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
    using errcode = 'restrict_violation';
end $$;

create trigger payments_append_only before update or delete on payments
  for each row execute function forbid_change();
create trigger account_events_append_only before update or delete on account_events
  for each row execute function forbid_change();
