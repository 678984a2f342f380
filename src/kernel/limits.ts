/** Every loop, batch and page has a limit; they live here. */
export const limits = {
  /** Longest accepted feed line, in bytes. */
  feedLineBytesMax: 1_000_000,
  /** Errors printed for one import before the rest are summarised. */
  importErrorsReportedMax: 1_000,
  /** Rows per COPY batch in bulk paths. */
  copyBatchRows: 10_000,
  /** Page size bounds for list endpoints. */
  pageSizeDefault: 50,
  pageSizeMax: 1_000,
  /** Largest request body accepted by POST /imports, in bytes. */
  importBodyBytesMax: 512 * 1024 * 1024,
  /** Phones, emails or addresses per customer (each kind). */
  contactPointsPerKindMax: 20,
  /** Longest id (customer, account, payment) in a feed. */
  idLengthMax: 64,
  /** Longest customer name. */
  nameLengthMax: 200,
  /** Longest free-text field (names, address lines). */
  textLengthMax: 500,
  /** Contact attempts one self-contained compliance check line may carry. */
  complianceHistoryMax: 5_000,
  /** Proposed contacts in one POST /compliance/check. */
  complianceBatchMax: 10_000,
  /** Largest POST /compliance/check body, in bytes. */
  complianceCheckBodyBytesMax: 64 * 1024 * 1024,
  /** Audit rows appended per COPY batch. */
  auditBatchRows: 50_000,
} as const;
