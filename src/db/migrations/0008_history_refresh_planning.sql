-- refresh_account_histories() (migration 0005) joined the changed accounts, taken straight from
-- `delete … returning`, with statements and payments. The planner cannot estimate such a set and,
-- taking it for a few rows, chose nested loops that rescanned it per statement row: a 100,000-account
-- import spent minutes there. The changed ids now go into a temporary table that is analysed first,
-- so the joins are planned for their real size (hash joins for a bulk import, index lookups for a
-- handful), and a refresh with nothing noted returns at once.

create or replace function refresh_account_histories() returns integer language plpgsql as $$
declare
  written integer;
begin
  if not exists (select 1 from account_history_changes) then
    return 0;
  end if;
  create temp table if not exists account_history_refresh (account_id text primary key) on commit drop;
  truncate account_history_refresh;
  with taken as (delete from account_history_changes returning account_id)
  insert into account_history_refresh (account_id) select account_id from taken;
  analyze account_history_refresh;

  insert into account_histories as h (account_id, customer_id, currency, opened_on, statements, payments)
  select a.account_id, a.customer_id, a.currency, a.opened_on, s.packed, p.packed
  from account_history_refresh t
  join card_accounts a on a.account_id = t.account_id
  left join (
    select st.account_id,
           string_agg(concat_ws(',', st.statement_date - date '1970-01-01', st.due_date - date '1970-01-01',
                                st.minimum_due_minor, st.closing_balance_minor), ';' order by st.statement_date) as packed
    from statements st join account_history_refresh r on r.account_id = st.account_id group by st.account_id) s on s.account_id = t.account_id
  left join (
    select py.account_id,
           string_agg(concat_ws(',', py.posted_on - date '1970-01-01', py.amount_minor), ';' order by py.posted_on, py.payment_id) as packed
    from payments py join account_history_refresh r on r.account_id = py.account_id group by py.account_id) p on p.account_id = t.account_id
  on conflict (account_id) do update set customer_id = excluded.customer_id, currency = excluded.currency,
    opened_on = excluded.opened_on, statements = excluded.statements, payments = excluded.payments
  where (h.customer_id, h.currency, h.opened_on, h.statements, h.payments)
    is distinct from (excluded.customer_id, excluded.currency, excluded.opened_on, excluded.statements, excluded.payments);
  get diagnostics written = row_count;
  return written;
end $$;
