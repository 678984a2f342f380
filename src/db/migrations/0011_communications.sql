-- Communications (issue 6): what the dispatcher needs on the outbox (migration 0006), the published
-- template versions, provider references and delivery receipts, inbound replies, the letter print
-- batches, and the promises to pay a robot call captured (a hand-over to the arrangements module).

-- ── the outbox ──────────────────────────────────────────────────────────────────────────────────
-- 'undelivered': final, the network or the mail system reported that the message did not arrive
-- (an SMS delivery receipt UNDELIV/EXPIRED/REJECTD, an e-mail bounce). Not retried.
alter table outbox_messages drop constraint outbox_messages_status_check;
alter table outbox_messages add constraint outbox_messages_status_check
  check (status in ('pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'dead', 'cancelled', 'blocked'));

alter table outbox_messages
  -- The dispatcher that holds the row while it is 'sending', and since when (the lease).
  add column claimed_by text,
  add column claimed_at timestamptz,
  add column sent_at timestamptz,
  add column delivered_at timestamptz,
  -- What went out: the template version and language rendered, the destination (masked), the text.
  add column rendered_template_id text,
  add column rendered_template_version integer,
  add column rendered_language text,
  add column destination_key text,
  add column destination_masked text,
  -- subject, text, HTML, letter sections and slots, recipient: exactly what the provider was given.
  add column rendered jsonb,
  -- Robot calls: the outcome and keys pressed as the provider reported them.
  add column provider_outcome jsonb,
  -- SMS parts (concatenated messages): receipts arrive per part.
  add column parts_total smallint,
  add column parts_delivered smallint not null default 0,
  add column parts_failed smallint not null default 0,
  -- The compliance verdict of the last send-time check (audit reference, and the rules when it deferred or blocked).
  add column verdict_ref text,
  add column verdict jsonb,
  -- The contact-ledger row of the send ('sent'), which a receipt or an outcome corrects.
  add column attempt_id bigint,
  -- Letters: the print batch (business date) the letter went into.
  add column print_batch date;
create index outbox_messages_sending on outbox_messages (claimed_at) where status = 'sending';
-- Every send rewrites its row twice (claim, outcome): only the statuses someone looks for are indexed
-- (the few rows that need attention), and provider ids are found through outbox_provider_refs.
create index outbox_messages_attention on outbox_messages (status, message_id) where status in ('dead', 'blocked', 'undelivered', 'failed');
drop index outbox_messages_provider_id;
create index outbox_messages_print_batch on outbox_messages (print_batch, message_id) where print_batch is not null;

-- Every provider message id of a message (one per SMS part), for delivery receipts.
create table outbox_provider_refs (
  provider text not null,
  provider_message_id text not null,
  message_id bigint not null references outbox_messages (message_id),
  part smallint not null,
  primary key (provider, provider_message_id)
);

-- Delivery receipts as received (append-only); applied to their message once it is known (a receipt
-- can arrive before the dispatcher has written the provider's id).
create table delivery_receipts (
  receipt_id bigint generated always as identity primary key,
  provider text not null,
  provider_message_id text not null,
  outcome text not null check (outcome in ('delivered', 'undelivered', 'bounced')),
  stat text,
  error_code text,
  received_at timestamptz not null,
  applied_at timestamptz,
  message_id bigint
);
create index delivery_receipts_pending on delivery_receipts (provider, provider_message_id) where applied_at is null;

-- Inbound replies (SMS MO, e-mail replies, one-click unsubscribes): the sender by blind index only.
create table inbound_messages (
  inbound_id bigint generated always as identity primary key,
  provider text not null,
  channel text not null check (channel in ('sms', 'email')),
  sender_key text not null,
  sender_masked text,
  recipient text,
  text text not null,
  received_at timestamptz not null,
  customer_id text,
  opt_out boolean not null,
  keyword text,
  opt_out_event_id bigint
);
create index inbound_messages_customer on inbound_messages (customer_id, received_at);

-- ── templates ───────────────────────────────────────────────────────────────────────────────────
-- Versions published through the API or CLI (shipped defaults live in policies/templates/ and are
-- not copied here). A version is never changed; a new one supersedes it from its effectiveFrom.
create table message_templates (
  template_id text not null,
  version integer not null check (version >= 1),
  family text not null,
  channel text not null,
  language text not null check (language in ('zh-CN', 'en')),
  tone text not null check (tone in ('gentle', 'neutral', 'firm')),
  effective_from date not null,
  document jsonb not null,
  lint jsonb not null,
  published_by text not null,
  published_at timestamptz not null default now(),
  primary key (template_id, version)
);
create trigger message_templates_append_only before update or delete on message_templates
  for each row execute function forbid_change();

-- ── letters ─────────────────────────────────────────────────────────────────────────────────────
-- One print file per business date: rendered from the letters of that batch, in message order.
create table letter_print_batches (
  batch_date date primary key,
  letters integer not null,
  file_sha256 text not null,
  rendered_at timestamptz not null,
  rendered_by text not null
);

-- ── robot voice ─────────────────────────────────────────────────────────────────────────────────
-- A debtor who pressed "1 = promise to pay" in a robot call: the hand-over to the arrangements module,
-- which takes each capture (status 'taken') and records the real promise (amount, date) itself.
create table robot_promise_captures (
  capture_id bigint generated always as identity primary key,
  message_id bigint not null unique references outbox_messages (message_id),
  customer_id text not null,
  account_id text,
  provider text not null,
  provider_call_id text,
  key_pressed text not null,
  captured_at timestamptz not null,
  status text not null default 'new' check (status in ('new', 'taken')),
  taken_by text,
  taken_at timestamptz
);
create index robot_promise_captures_new on robot_promise_captures (captured_at) where status = 'new';

-- ── the contact ledger (compliance) ─────────────────────────────────────────────────────────────
-- 'sent': handed to a provider (SMSC, mail relay, print, voice platform), delivery not known yet. The
-- receipt, bounce or call outcome is a correction row naming it (the ledger stays append-only).
alter table contact_attempts drop constraint contact_attempts_outcome_check;
alter table contact_attempts add constraint contact_attempts_outcome_check
  check (outcome in ('connected_right_party', 'connected_third_party', 'no_answer', 'busy', 'rejected',
    'powered_off', 'voicemail', 'wrong_number', 'delivered', 'failed', 'bounced', 'sent'));
