-- Compliance: the contact ledger (every attempt on every channel, append-only), the debtor's
-- compliance state as append-only event tables (flags/holds, opt-outs, consents) plus extra plausible
-- time zones, and a generic hash-chained audit log (compliance verdicts are its first chain).
-- Every customer-owned table carries customer_id (Citus distribution key).

create table contact_attempts (
  attempt_id bigint generated always as identity primary key,
  customer_id text not null references customers (customer_id),
  account_id text references card_accounts (account_id),
  attempted_at timestamptz not null,
  channel text not null check (channel in ('sms', 'email', 'letter', 'voice_agent', 'voice_robot', 'field_visit', 'app_push')),
  actor text not null,
  actor_kind text not null check (actor_kind in ('bank', 'agency', 'robot')),
  party text not null check (party in ('debtor', 'guarantor', 'contact')),
  destination text not null,
  content_ref text,
  outcome text not null check (outcome in ('connected_right_party', 'connected_third_party', 'no_answer', 'busy', 'rejected',
    'powered_off', 'voicemail', 'wrong_number', 'delivered', 'failed', 'bounced')),
  -- The audit row of the verdict that allowed it (chain:seq), when the contact went through the gate.
  verdict_ref text,
  -- A correction is a new row naming the attempt it replaces; the replaced row stays.
  corrects bigint references contact_attempts (attempt_id),
  idempotency_key text unique,
  input_hash text,
  recorded_at timestamptz not null default now()
);
create index contact_attempts_customer on contact_attempts (customer_id, attempted_at);
create index contact_attempts_corrects on contact_attempts (corrects) where corrects is not null;

create table compliance_flag_events (
  event_id bigint generated always as identity primary key,
  customer_id text not null references customers (customer_id),
  account_id text references card_accounts (account_id),
  kind text not null check (kind in ('disputed', 'complaint_open', 'hardship', 'debt_advice', 'breathing_space', 'capacity_concern',
    'deceased', 'bankrupt', 'attorney', 'cease', 'unreachable')),
  action text not null check (action in ('set', 'clear')),
  since timestamptz,
  until timestamptz,
  extended boolean not null default false,
  responded boolean not null default false,
  note text,
  recorded_by text,
  recorded_at timestamptz not null default now(),
  check (until is null or since is null or until > since)
);
create index compliance_flag_events_customer on compliance_flag_events (customer_id, event_id);

create table compliance_opt_out_events (
  event_id bigint generated always as identity primary key,
  customer_id text not null references customers (customer_id),
  channel text not null check (channel in ('sms', 'email', 'letter', 'voice_agent', 'voice_robot', 'field_visit', 'app_push', 'voice', 'all')),
  destination text,
  action text not null check (action in ('set', 'clear')),
  source text not null,
  text text,
  recorded_by text,
  recorded_at timestamptz not null default now()
);
create index compliance_opt_out_events_customer on compliance_opt_out_events (customer_id, event_id);

create table compliance_consents (
  consent_id bigint generated always as identity primary key,
  customer_id text not null references customers (customer_id),
  kind text not null check (kind in ('contact_time', 'call_request', 'artificial_voice')),
  channel text not null check (channel in ('sms', 'email', 'letter', 'voice_agent', 'voice_robot', 'field_visit', 'app_push', 'voice', 'all')),
  window_start text,
  window_end text,
  destination text,
  valid_from timestamptz,
  valid_until timestamptz not null,
  recording_id text,
  recorded_by text,
  recorded_at timestamptz not null default now(),
  revoked_at timestamptz,
  check ((window_start is null) = (window_end is null)),
  check (valid_from is null or valid_until > valid_from)
);
create index compliance_consents_customer on compliance_consents (customer_id, valid_until);

-- Every plausible time zone of a debtor beyond customers.time_zone (address, phone area code, last location).
create table compliance_time_zones (
  customer_id text not null references customers (customer_id),
  time_zone text not null,
  source text not null,
  primary key (customer_id, time_zone)
);

-- The audit log: one hash chain per `chain` (compliance verdicts, later other modules). Each row's
-- hash covers its fields and the previous row's hash; audit_heads holds each chain's last seq and
-- hash, and its row lock serialises appends to one chain.
create table audit_log (
  chain text not null,
  seq bigint not null check (seq >= 1),
  kind text not null,
  occurred_at timestamptz not null,
  subject text,
  input_digest text,
  payload text not null,
  prev_hash text not null,
  hash text not null,
  recorded_at timestamptz not null default now(),
  primary key (chain, seq)
);
-- No index on subject: verdicts are written a million a day and read rarely (by subject, through
-- a filtered scan, or a reporting copy); the primary key is the chain order.

create table audit_heads (
  chain text primary key,
  seq bigint not null,
  hash text not null
);

create trigger contact_attempts_append_only before update or delete on contact_attempts
  for each row execute function forbid_change();
create trigger compliance_flag_events_append_only before update or delete on compliance_flag_events
  for each row execute function forbid_change();
create trigger compliance_opt_out_events_append_only before update or delete on compliance_opt_out_events
  for each row execute function forbid_change();
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function forbid_change();
-- Consents: only revoked_at may be set, once.
create function compliance_consents_revoke_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or old.revoked_at is not null or new.revoked_at is null
     or (to_jsonb(new) - 'revoked_at') is distinct from (to_jsonb(old) - 'revoked_at') then
    raise exception 'compliance_consents is append-only: only an unrevoked consent''s revoked_at may be set'
      using errcode = 'restrict_violation';
  end if;
  return new;
end $$;
create trigger compliance_consents_revoke_only before update or delete on compliance_consents
  for each row execute function compliance_consents_revoke_only();
