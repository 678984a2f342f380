-- The daily aging pass reads one row per account in one scan: account_histories holds, per card
-- account, what aging needs (customer, currency, opened on) and its statements and payments packed
-- into two text columns, instead of grouping every statement and payment of the portfolio each day.
--
-- Derived data owned by the portfolio module. Statement-level triggers on card_accounts, statements
-- and payments only note which accounts changed (account_history_changes: cheap, set-based, and no
-- writer can forget it); refresh_account_histories() then rebuilds those accounts' rows in one pass,
-- each row written once however many tables the change touched. The importer calls it before it
-- commits; every reader of account_histories calls it first, for writes that bypassed the importer.
--
-- statements: 'statementDay,dueDay,minimumDueMinor,closingBalanceMinor;…' in statement-date order
-- payments:   'postedDay,amountMinor;…' in posted-on order (then payment id)
-- Days are days since 1970-01-01 (the kernel's EpochDay); amounts are minor units.

create table account_histories (
  account_id text primary key,
  customer_id text not null,
  currency text not null,
  opened_on date not null,
  statements text,
  payments text
);

create table account_history_changes (account_id text primary key);

create function refresh_account_histories() returns integer language plpgsql as $$
declare
  written integer;
begin
  with taken as (delete from account_history_changes returning account_id),
  s as (
    select st.account_id,
           string_agg(concat_ws(',', st.statement_date - date '1970-01-01', st.due_date - date '1970-01-01',
                                st.minimum_due_minor, st.closing_balance_minor), ';' order by st.statement_date) as packed
    from statements st join taken t on t.account_id = st.account_id group by st.account_id),
  p as (
    select py.account_id,
           string_agg(concat_ws(',', py.posted_on - date '1970-01-01', py.amount_minor), ';' order by py.posted_on, py.payment_id) as packed
    from payments py join taken t on t.account_id = py.account_id group by py.account_id)
  insert into account_histories as h (account_id, customer_id, currency, opened_on, statements, payments)
  select a.account_id, a.customer_id, a.currency, a.opened_on, s.packed, p.packed
  from taken t join card_accounts a on a.account_id = t.account_id
  left join s on s.account_id = t.account_id left join p on p.account_id = t.account_id
  on conflict (account_id) do update set customer_id = excluded.customer_id, currency = excluded.currency,
    opened_on = excluded.opened_on, statements = excluded.statements, payments = excluded.payments
  where (h.customer_id, h.currency, h.opened_on, h.statements, h.payments)
    is distinct from (excluded.customer_id, excluded.currency, excluded.opened_on, excluded.statements, excluded.payments);
  get diagnostics written = row_count;
  return written;
end $$;

create function note_account_history_change() returns trigger language plpgsql as $$
begin
  insert into account_history_changes (account_id) select distinct account_id from changed_rows on conflict do nothing;
  return null;
end $$;

create trigger card_accounts_history_on_insert after insert on card_accounts
  referencing new table as changed_rows for each statement execute function note_account_history_change();
create trigger card_accounts_history_on_update after update on card_accounts
  referencing new table as changed_rows for each statement execute function note_account_history_change();
create trigger statements_history_on_insert after insert on statements
  referencing new table as changed_rows for each statement execute function note_account_history_change();
create trigger statements_history_on_update after update on statements
  referencing new table as changed_rows for each statement execute function note_account_history_change();
-- A statement moved to another account (or deleted) changes the old account's history.
create trigger statements_history_on_update_old after update on statements
  referencing old table as changed_rows for each statement execute function note_account_history_change();
create trigger statements_history_on_delete after delete on statements
  referencing old table as changed_rows for each statement execute function note_account_history_change();
-- Payments are append-only (updates and deletes are refused), so inserts are the only change.
create trigger payments_history_on_insert after insert on payments
  referencing new table as changed_rows for each statement execute function note_account_history_change();

-- Existing data.
insert into account_history_changes select account_id from card_accounts;
select refresh_account_histories();

-- account_delinquency is derived data written only by the aging run, which reads card_accounts: the
-- foreign key re-checked each of its rows on every run (about 5 s per million new rows), and the
-- (bucket, account_id) index served no query (listings walk card_accounts in id order) while costing
-- about 2 s per million rows written. Both go; a reporting index can come back as a partial one.
alter table account_delinquency drop constraint account_delinquency_account_id_fkey;
drop index account_delinquency_bucket;
