-- The dashboards' read paths (issue 8): a delinquency vintage per account for the recovery curves, and
-- indexes so that the period reports read only the period's rows.
--
-- delinquency_vintages: the first time an aging run saw the account leave the first bucket (its first
-- delinquency episode), with the date its oldest unpaid statement fell due (the vintage), its balance
-- then and its currency. Written by the aging run from the rows it changes (never a pass over every
-- account); derived data like account_delinquency, so no foreign key.
create table delinquency_vintages (
  account_id text primary key,
  customer_id text not null,
  currency text not null,
  delinquent_since date not null,
  entered_on date not null,
  balance_at_entry_minor bigint not null
);
create index delinquency_vintages_since on delinquency_vintages (delinquent_since);

create index payments_posted_on on payments (posted_on);
create index contact_attempts_attempted_at on contact_attempts (attempted_at);
create index promises_to_pay_created_on on promises_to_pay (created_on);
