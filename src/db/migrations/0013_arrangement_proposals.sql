-- Arrangements at the collector's desk (issue 7, on the arrangements core of migration 0010).
--
-- repayment_plans hold every agreed arrangement: an instalment plan (分期), an extension (延期), a
-- waiver (减免: part of the fees / interest waived when the rest is paid by a date) and a lump-sum
-- settlement (一次性结清: the rest forgiven once paid). The daily cycle judges their instalments as
-- before (met / missed → grace → broken → back into the strategy).
-- arrangement_proposals: what a collector offered, quoted in exact money, with the authority it needs;
-- within the proposer's authority it is agreed at once, beyond it it waits in the approval inbox.

alter table repayment_plans drop constraint repayment_plans_kind_check;
alter table repayment_plans add constraint repayment_plans_kind_check check (kind in ('installments', 'extension', 'waiver', 'settlement'));
alter table repayment_plans
  add column waived_fees_minor bigint not null default 0 check (waived_fees_minor >= 0),
  add column waived_interest_minor bigint not null default 0 check (waived_interest_minor >= 0),
  add column forgiven_minor bigint not null default 0 check (forgiven_minor >= 0),
  add column proposal_id bigint;

create table arrangement_proposals (
  proposal_id bigint generated always as identity primary key,
  idempotency_key text unique,
  input_hash text not null,
  account_id text not null references card_accounts (account_id),
  customer_id text not null,
  currency text not null references currencies (code),
  kind text not null check (kind in ('installments', 'extension', 'waiver', 'settlement')),
  -- The request as given and the quote it produced (schedule in minor units, waivers, rules, term).
  request jsonb not null,
  quote jsonb not null,
  -- The tier of authority the arrangement needs (policies/arrangements/authority.json) and why.
  required_tier text not null check (required_tier in ('collector', 'supervisor', 'manager')),
  authority jsonb not null,
  affordability jsonb,
  evidence_ids bigint[] not null default '{}',
  contact_id bigint references contact_sessions (contact_id),
  note text check (length(note) <= 2000),
  proposed_by text not null,
  proposed_at timestamptz not null,
  status text not null default 'proposed' check (status in ('proposed', 'approved', 'rejected', 'withdrawn')),
  decided_by text,
  decided_at timestamptz,
  decision_note text check (length(decision_note) <= 2000),
  plan_id bigint references repayment_plans (plan_id),
  check ((status = 'proposed') = (decided_at is null)),
  check ((status = 'approved') = (plan_id is not null))
);
-- At most one open proposal per account.
create unique index arrangement_proposals_open on arrangement_proposals (account_id) where status = 'proposed';
create index arrangement_proposals_status on arrangement_proposals (status, proposal_id);
