/**
 * argon2id password hashing (@node-rs/argon2: Rust, prebuilt binaries shipped as npm packages, no
 * native build at install). Parameters are OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
 */
import { Algorithm, hash, verify } from '@node-rs/argon2';

const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/** Spends the time of one verification, so that an unknown username answers as slowly as a wrong password. */
export async function verifyNothing(password: string): Promise<void> {
  dummy ??= hashPassword('recourse: no such user, constant-time answer');
  await verifyPassword(await dummy, password);
}
