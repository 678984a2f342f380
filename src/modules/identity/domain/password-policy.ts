/** What a staff password must be: long enough to resist guessing, short enough to hash cheaply. */
import { err, ok, type Result } from '../../../kernel/result.ts';

export const PASSWORD = { lengthMin: 12, lengthMax: 256 } as const;

export function checkPassword(password: string, username: string): Result<string, 'weak_password'> {
  const length = [...password].length;
  if (length < PASSWORD.lengthMin) return err('weak_password', `the password must have at least ${PASSWORD.lengthMin} characters`);
  if (length > PASSWORD.lengthMax) return err('weak_password', `the password must have at most ${PASSWORD.lengthMax} characters`);
  if (password.toLowerCase().includes(username.toLowerCase())) return err('weak_password', 'the password must not contain the username');
  if (new Set(password).size < 4) return err('weak_password', 'the password must use at least 4 different characters');
  return ok(password);
}
