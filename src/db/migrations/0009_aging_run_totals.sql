-- What each aging run saw, aggregated while it ran (no extra pass over the accounts): accounts,
-- balance and amount past due per bucket and currency (the bucket distribution over time), and the
-- accounts and balance that moved from each bucket at the previous run to each bucket at this one (the
-- run-over-run roll-rate matrix). A few dozen rows per run; dashboards read them instead of re-aging
-- a million accounts.

create table aging_run_totals (
  as_of date not null,
  bucket text not null,
  currency text not null,
  accounts integer not null,
  balance_minor bigint not null,
  overdue_minor bigint not null,
  primary key (as_of, bucket, currency)
);

create table aging_run_moves (
  from_as_of date not null,
  to_as_of date not null,
  from_bucket text not null,
  to_bucket text not null,
  currency text not null,
  accounts integer not null,
  balance_minor bigint not null,
  primary key (to_as_of, from_bucket, to_bucket, currency)
);
