/**
 * Wires the communications module to a Runtime: bank settings, compliance packs, the template catalog
 * (re-read every 30 s, so a version published through another process is used), the message data
 * source (portfolio + delinquency), the channel providers the configuration names, the inbound sink
 * they report into, and the dispatcher. Used by the server's dispatcher job, the CLI and tests.
 */
import type { Runtime } from '../runtime.ts';
import { seededRng } from '../kernel/rng.ts';
import { complianceStore, loadPackSet, type ComplianceStore, type PackSet } from '../modules/compliance/index.ts';
import { customersByPhoneHmac } from '../modules/portfolio/index.ts';
import {
  ConsoleProvider, Dispatcher, PrintBatchProvider, SMPP_DEFAULTS, SmppProvider, SmtpProvider, VoiceSimulator, bankFacts, inboundSink, loadBankSettings, loadTemplateSet,
  unsubscribeToken, type BankFacts, type BankSettings, type ChannelProvider, type DispatcherOptions, type InboundDeps, type InboundSink, type MessageDataSource,
  type PromiseCapture, type TemplateSet,
} from '../modules/communications/index.ts';
import { messageDataSource } from './message-data.workflow.ts';

export interface CommunicationsRuntime {
  bank: BankSettings;
  bankFacts: BankFacts;
  packs: PackSet;
  packId: string;
  store: ComplianceStore;
  data: MessageDataSource;
  templates: () => Promise<TemplateSet>;
  inbound: InboundDeps;
  sink: InboundSink;
  providers: ChannelProvider[];
  dispatcher: Dispatcher;
  unsubscribeUrl: (messageId: number) => string;
  /** Starts the providers (binds SMPP). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface CommunicationsOptions {
  /** Providers to use instead of the configured ones (tests, benchmarks); given the sink they report into. */
  providers?: (sink: InboundSink) => ChannelProvider[];
  dispatcher?: DispatcherOptions;
  /** Where console providers write (default stderr). */
  consoleOut?: { write(text: string): unknown };
  log?: { info(message: string): void; warn(message: string): void };
  onPromiseCaptured?: (capture: PromiseCapture) => void;
}

const TEMPLATE_REFRESH_MS = 30_000;

export async function openCommunications(rt: Runtime, options: CommunicationsOptions = {}): Promise<CommunicationsRuntime> {
  const config = rt.config.communications;
  const bank = await loadBankSettings(config.bankSettingsFile);
  if (!bank.ok) throw new Error(`bank settings: ${bank.message}`);
  const packs = await loadPackSet({ overrideFiles: rt.config.complianceOverrides });
  if (!packs.ok) throw new Error(`compliance packs: ${packs.message}`);
  const store = complianceStore(rt.pool, rt.cipher);
  const data = messageDataSource(rt.pool);
  let cached: { set: TemplateSet; at: number } | null = null;
  const templates = async () => {
    const now = Date.now();
    if (!cached || now - cached.at > TEMPLATE_REFRESH_MS) cached = { set: await loadTemplateSet(rt.pool), at: now };
    return cached.set;
  };
  const log = options.log ?? { info: () => {}, warn: (m: string) => void process.stderr.write(`${m}\n`) };
  const inbound: InboundDeps = {
    pool: rt.pool, store, clock: rt.clock, hmac: (t) => rt.cipher.hmac(t),
    senders: { byPhoneHmac: (hmacs) => customersByPhoneHmac(rt.pool, hmacs) },
    ...(options.onPromiseCaptured ? { onPromiseCaptured: options.onPromiseCaptured } : {}),
  };
  const sink = inboundSink(inbound, log);
  const out = options.consoleOut ?? process.stderr;
  const providers = options.providers ? options.providers(sink) : configuredProviders(rt, sink, out, log);
  const unsubscribeUrl = (messageId: number) => `${config.publicUrl}/unsubscribe/${unsubscribeToken(messageId, (t) => rt.cipher.hmac(t))}`;
  const dispatcher = new Dispatcher({
    pool: rt.pool, clock: rt.clock, cipher: rt.cipher, store, packs: packs.value, packId: rt.config.compliancePack, templates, data, bank: bankFacts(bank.value),
    timeZone: rt.config.timeZone, providers, unsubscribeUrl, log,
  }, {
    batchSize: config.dispatcher.batchSize, leaseMs: config.dispatcher.leaseMs,
    retry: { maxAttempts: config.dispatcher.maxAttempts, backoffBaseMs: config.dispatcher.backoffBaseMs, backoffMaxMs: config.dispatcher.backoffMaxMs },
    ...options.dispatcher,
  });
  let started = false;
  return {
    bank: bank.value, bankFacts: bankFacts(bank.value), packs: packs.value, packId: rt.config.compliancePack, store, data, templates, inbound, sink, providers, dispatcher, unsubscribeUrl,
    async start() {
      if (started) return;
      started = true;
      for (const p of providers) await p.start();
    },
    async close() {
      for (const p of providers) await p.close();
    },
  };
}

function configuredProviders(rt: Runtime, sink: InboundSink, out: { write(text: string): unknown }, log: { info(message: string): void; warn(message: string): void }): ChannelProvider[] {
  const c = rt.config.communications;
  const providers: ChannelProvider[] = [];
  if (c.sms.provider === 'smpp' && c.sms.smpp) providers.push(new SmppProvider({ ...SMPP_DEFAULTS, ...c.sms.smpp, ratePerSecond: c.sms.ratePerSecond }, sink, log));
  else if (c.sms.provider === 'console') providers.push(new ConsoleProvider('sms', out, sink));
  if (c.email.provider === 'smtp' && c.email.smtpUrl) {
    providers.push(new SmtpProvider({ url: c.email.smtpUrl, from: c.email.from, domain: c.email.domain, unsubscribeMailto: c.email.unsubscribeMailto, maxConnections: c.email.maxConnections, ratePerSecond: c.email.ratePerSecond, tlsInsecure: false, timeoutMs: 10_000 }, log));
  } else if (c.email.provider === 'console') providers.push(new ConsoleProvider('email', out, sink));
  if (c.letter.provider === 'print') providers.push(new PrintBatchProvider());
  else if (c.letter.provider === 'console') providers.push(new ConsoleProvider('letter', out, sink));
  if (c.voice.provider === 'simulator') providers.push(new VoiceSimulator(sink, { delayMs: 200, rng: seededRng(7), ratePerSecond: c.voice.ratePerSecond }));
  else if (c.voice.provider === 'console') providers.push(new ConsoleProvider('voice_robot', out, sink));
  return providers;
}
