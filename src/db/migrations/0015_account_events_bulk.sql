-- account_events without a foreign key to card_accounts (the daily cycle at a million accounts).
--
-- The first aging run writes one roll_forward event per delinquent account: a million rows, and the
-- per-row foreign-key check was half of that insert (5.4 of 10.2 s at 1,000,000 accounts; PostgreSQL
-- checks a foreign key with one lookup per row, never per statement). Every writer takes the account
-- from card_accounts itself (appendAccountEvent inserts `select … from card_accounts`; the aging run
-- inserts from account_delinquency, whose rows come from the accounts it aged), so no event can name an
-- unknown account. What the key also guarded, an account deleted under its events, cannot happen:
-- card accounts are never deleted (the card host closes them; a closed account keeps its history),
-- and the trigger below makes that a rule of the database.
alter table account_events drop constraint account_events_account_id_fkey;

create function card_accounts_keep() returns trigger language plpgsql as $$
begin
  raise exception 'card accounts are never deleted (account %: its events, statements and history refer to it; the card host closes an account instead)', old.account_id
    using errcode = 'restrict_violation';
end $$;

create trigger card_accounts_no_delete before delete on card_accounts
  for each row execute function card_accounts_keep();
