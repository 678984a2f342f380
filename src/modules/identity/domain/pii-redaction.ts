/**
 * Last line of defence for logs and error text: any run of 11 or more digits (allowing single spaces
 * or dashes between them, an optional leading + and a trailing X) is masked to its last 4
 * characters. That covers national ids (18 characters, or 15 for old ones), mainland mobile numbers
 * with or without +86, and card numbers.
 */
const LONG_DIGIT_RUN = /\+?\d(?:[ -]?\d){10,}[Xx]?/g;

export function redactPii(text: string): string {
  return text.replace(LONG_DIGIT_RUN, (run) => {
    const compact = run.replace(/[ -]/g, '');
    return '*'.repeat(compact.length - 4) + compact.slice(-4);
  });
}

/** True when `text` holds a run that redactPii would mask. */
export function mayContainPii(text: string): boolean {
  return new RegExp(LONG_DIGIT_RUN.source).test(text);
}
