import { MongoError, MongoErrorLabel, MongoNetworkError, MongoServerSelectionError } from "mongodb";

/**
 * Server codes that mean "this member cannot serve you right now": the driver's retryable
 * read/write codes (retryable-writes spec), i.e. network trouble, shutdown, and "not primary"
 * during an election, plus the legacy not-primary code.
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10058, // LegacyNotPrimary
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const TRANSIENT_LABELS = [
  MongoErrorLabel.RetryableWriteError,
  MongoErrorLabel.RetryableError,
  MongoErrorLabel.SystemOverloadedError,
  MongoErrorLabel.PoolRequestedRetry,
];

// Driver errors that only say "not now": a pool wait or an operation deadline ran out.
const TRANSIENT_NAMES = new Set(["MongoWaitQueueTimeoutError", "MongoOperationTimeoutError", "TimeoutError"]);

const codeOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
};

/**
 * True when trying again shortly can succeed without anyone changing anything: the network,
 * server selection, an election ("not primary"), a retryable-labelled error, our own deadline,
 * or an SRV/TXT lookup that failed (plain Node DNS errors). A wrong password, a missing
 * permission, a duplicate key or an index conflict is not: it fails the same way until fixed.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  if (!(error instanceof MongoError)) return isDnsLookupError(error);
  if (error instanceof MongoServerSelectionError || error instanceof MongoNetworkError) return true;
  if (TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label))) return true;
  const code = codeOf(error);
  return code !== undefined && TRANSIENT_CODES.has(code);
}

// Node's resolver reports SRV and TXT failures (ENOTFOUND, ESERVFAIL, ETIMEOUT, ...) as plain
// errors whose syscall names the query; the driver passes them through unchanged.
const isDnsLookupError = (error: Error): boolean => {
  const syscall = (error as { syscall?: unknown }).syscall;
  return typeof syscall === "string" && syscall.startsWith("query");
};

/** One line for logs: the error's class, code and code name when it has them, and its message. */
export function describeMongoError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error) ?? (error as { code?: unknown }).code;
  const codeName = (error as { codeName?: unknown }).codeName;
  const id = [error.name, code, codeName].filter((part) => part !== undefined && part !== "").join(" ");
  return `${id}: ${error.message}`;
}
