/**
 * Robot voice: a provider places a call that plays the rendered script and reports, later, what
 * happened (answered, no answer, busy, voicemail, failed) with the keys pressed ("1" = promise to pay,
 * as the script's `keys` say). `VoiceSimulator` is the local stand-in: it answers each call after a
 * short delay with an outcome chosen per number (scripted) or from a seeded random distribution.
 */
import type { Rng } from '../../../kernel/rng.ts';
import type { CallOutcome, ChannelProvider, InboundSink, OutboundMessage, SendResult } from './provider.ts';

export interface SimulatedCall { outcome: CallOutcome; keys: string[] }

export interface VoiceSimulatorOptions {
  /** Milliseconds between placing a call and its outcome. */
  delayMs: number;
  /** A fixed outcome for a number (tests); otherwise drawn from `weights`. */
  scripted?: (to: string, m: OutboundMessage) => SimulatedCall | null;
  weights?: Partial<Record<CallOutcome | 'promise', number>>;
  rng: Rng;
  ratePerSecond?: number | null;
  clock?: () => Date;
}

const DEFAULT_WEIGHTS: Record<CallOutcome | 'promise', number> = { answered: 0.25, promise: 0.15, no_answer: 0.35, busy: 0.1, voicemail: 0.12, failed: 0.03 };

export class VoiceSimulator implements ChannelProvider {
  readonly name = 'voice-simulator';
  readonly channel = 'voice_robot' as const;
  readonly ratePerSecond: number | null;
  #calls = 0;
  #timers = new Set<NodeJS.Timeout>();
  #pending = new Set<Promise<void>>();

  constructor(private readonly sink: InboundSink, private readonly options: VoiceSimulatorOptions) {
    this.ratePerSecond = options.ratePerSecond ?? null;
  }

  async start(): Promise<void> {}

  #draw(): SimulatedCall {
    const w = { ...DEFAULT_WEIGHTS, ...this.options.weights };
    const total = Object.values(w).reduce((a, b) => a + b, 0);
    let x = this.options.rng.next() * total;
    for (const [k, v] of Object.entries(w) as [CallOutcome | 'promise', number][]) {
      x -= v;
      if (x < 0) return k === 'promise' ? { outcome: 'answered', keys: ['1'] } : { outcome: k, keys: [] };
    }
    return { outcome: 'no_answer', keys: [] };
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    const callId = `sim-call-${++this.#calls}`;
    const call = this.options.scripted?.(m.to, m) ?? this.#draw();
    // Like a real platform, the outcome callback is retried while the system answers "not yet".
    const report = (tries: number) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const at = this.options.clock?.() ?? new Date();
        const sent = this.sink.callResults(this.name, [{ messageId: m.messageId, providerCallId: callId, outcome: call.outcome, keys: call.outcome === 'answered' ? call.keys : [], at }])
          .catch((e: { retry?: boolean }) => { if (e.retry && tries < 100) report(tries + 1); })
          .finally(() => this.#pending.delete(sent));
        this.#pending.add(sent);
      }, this.options.delayMs * (tries === 0 ? 1 : 2));
      this.#timers.add(timer);
    };
    report(0);
    return { kind: 'accepted', providerMessageIds: [callId] };
  }

  /** Waits until every placed call has reported its outcome. */
  async settled(): Promise<void> {
    while (this.#timers.size || this.#pending.size) await new Promise((resolve) => setTimeout(resolve, Math.max(5, this.options.delayMs)));
  }

  async close(): Promise<void> {
    await this.settled();
  }
}
