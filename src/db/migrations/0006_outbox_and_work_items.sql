-- Two hand-over points between the modules that decide and the ones that act:
--   outbox_messages (communications): every automated contact (SMS, email, letter, robot call, app
--     push) is a row written in the same transaction as the decision that wants it; the dispatcher
--     delivers at its own pace, re-checking compliance at send time.
--   work_items (worklist): every piece of human work (agent call, field visit, review) the daily
--     cycle or a person creates; queues and assignment build on it.
-- Both are idempotent by key: re-running the daily cycle for the same date creates nothing new.
-- Destinations are references to contact points (kind:position), never clear phone numbers.

create table outbox_messages (
  message_id bigint generated always as identity primary key,
  idempotency_key text not null unique,
  customer_id text not null,
  account_id text,
  channel text not null check (channel in ('sms', 'email', 'letter', 'voice_robot', 'app_push')),
  party_role text not null default 'debtor' check (party_role in ('debtor', 'guarantor', 'contact')),
  -- A contact point of the customer ('phone:0', 'email:1', 'address:0'); null: the dispatcher picks the
  -- best usable one for the channel and party at send time.
  destination_ref text,
  template_id text not null,
  language text check (language in ('zh-CN', 'en')),
  tone text check (tone in ('gentle', 'neutral', 'firm')),
  variables jsonb not null default '{}',
  not_before timestamptz not null,
  expires_at timestamptz,
  -- Who asked: the daily cycle (with the strategy that decided), a person, or an API client.
  origin text not null check (origin in ('cycle', 'staff', 'api', 'cli')),
  requested_by text,
  strategy_id text,
  strategy_version integer,
  strategy_variant text,
  decision jsonb,
  status text not null default 'pending'
    check (status in ('pending', 'sending', 'sent', 'delivered', 'failed', 'dead', 'cancelled', 'blocked')),
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  last_error text,
  provider text,
  provider_message_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index outbox_messages_due on outbox_messages (next_attempt_at) where status in ('pending', 'failed');
create index outbox_messages_account on outbox_messages (account_id, created_at);
create index outbox_messages_provider_id on outbox_messages (provider, provider_message_id) where provider_message_id is not null;

create table work_items (
  work_item_id bigint generated always as identity primary key,
  idempotency_key text not null unique,
  customer_id text not null,
  account_id text,
  kind text not null check (kind in ('agent_call', 'field_visit', 'callback', 'review')),
  -- Higher first. The strategy sets it; queues may add urgency (time left in today's contact window).
  priority integer not null default 0,
  not_before timestamptz not null,
  due_by timestamptz,
  reason text,
  origin text not null check (origin in ('cycle', 'staff', 'api', 'cli')),
  requested_by text,
  strategy_id text,
  strategy_version integer,
  strategy_variant text,
  stage text,
  decision jsonb,
  team_id text,
  status text not null default 'open' check (status in ('open', 'in_progress', 'done', 'cancelled')),
  assigned_to text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index work_items_open on work_items (team_id, priority desc, not_before) where status = 'open';
create index work_items_account on work_items (account_id, created_at);
