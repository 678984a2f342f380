/** Public surface of the portfolio module: customers, card accounts, statements, payments, feed import. */
export type * from './domain/feed-records.ts';
export { FEED_RECORD_TYPES, ACCOUNT_STATUSES, PARTY_ROLES, LANGUAGES } from './domain/feed-records.ts';
export { validateFeedRecord, type FieldError, type ValidRecord } from './domain/feed-validation.ts';
export { demoPortfolio } from './domain/demo-portfolio.ts';
export { readFeed, formatFromName, FEED_FORMATS, type FeedFormat, type FeedLine } from './feed-reader.ts';
export { importFeed, type ImportOutcome, type ImportProblem, type ImportSummary, type ImportOptions } from './feed-import.service.ts';
export { PiiCipher, PiiKeyError, deriveIndexKey, maskIdentifier, maskPhone, type PiiKeyring } from './pii-cipher.ts';
export { sealClearPhones, reencryptPortfolioPii, portfolioKeyUsage, findCustomerPii, type ReencryptCounts } from './pii-storage.repository.ts';
export {
  agingInputs, agingInputsSql, agingInputOf, refreshAccountHistories, contactProfiles, findAccount, findContactPoints, findHostSnapshot, findPayments, findStatements,
  customerPhones, customerAccounts, moneyHistories, findPaymentsById, appendPayments, accountsById, customerIdentity, appendAccountEvent, setAccountStatus,
  type AgingInput, type AccountRow, type ContactProfile, type PhonePoint, type LedgerPayment, type LedgerStatement,
} from './portfolio.repository.ts';
export {
  messagingAccounts, messagingCustomers, sendingContactPoints, customersByPhoneHmac, customersByEmail,
  type MessagingAccount, type MessagingCustomer, type SendingContactPoint,
} from './messaging.repository.ts';
