/**
 * The right-party check (核身) before debt details are disclosed on a contact: the person must give the
 * customer's name and the last four characters of the national id (or the whole id, compared by its
 * blind index). Pure: the caller supplies the stored values and the HMAC of a given full id.
 */
export interface StoredIdentity { name: string; nationalIdLast4: string | null; nationalIdHmac: Buffer | null }
export interface GivenIdentity { name: string; nationalIdLast4?: string | undefined; nationalIdHmac?: Buffer | undefined }

export type RightPartyFactor = 'name' | 'national_id_last4' | 'national_id';

export interface RightPartyResult { passed: boolean; factors: RightPartyFactor[] }

/** Names compare after NFKC folding, case folding and removing spaces and middle dots (张 伟 = 张伟, Li·Na = lina). */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').toLocaleLowerCase('en').replace(/[\s·・.\-]/gu, '');
}

export function checkRightParty(stored: StoredIdentity, given: GivenIdentity): RightPartyResult {
  const factors: RightPartyFactor[] = ['name'];
  const nameOk = normaliseName(given.name) !== '' && normaliseName(given.name) === normaliseName(stored.name);
  let idOk = false;
  if (given.nationalIdHmac !== undefined) {
    factors.push('national_id');
    idOk = stored.nationalIdHmac !== null && stored.nationalIdHmac.equals(given.nationalIdHmac);
  } else if (given.nationalIdLast4 !== undefined) {
    factors.push('national_id_last4');
    idOk = stored.nationalIdLast4 !== null && given.nationalIdLast4.toUpperCase() === stored.nationalIdLast4.toUpperCase();
  }
  // Both factors, always: a name alone is known to too many people.
  return { passed: nameOk && idOk, factors };
}
