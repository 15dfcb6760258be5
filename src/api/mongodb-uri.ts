/**
 * MONGODB_URI, read by the MongoDB driver's own parser: at start-up we refuse what the driver
 * would refuse, and logs show the string with its secrets replaced by the parser, not by a
 * pattern that an unusual password can slip past.
 */
import { MongoClient } from "mongodb";
import { ConnectionString } from "mongodb-connection-string-url";
import { mongoClientOptions } from "./store/mongo-options.js";

// Characters MongoDB does not allow in a database name (the URI's path).
const NOT_IN_DATABASE_NAMES = ['/', "\\", ".", " ", '"', "$", "@"];

const ENCODE_HINT = "percent-encode @ : / ? # in the user name and password (@ is %40)";

/** What is wrong with `uri`, in words that never repeat its credentials; undefined when the driver accepts it. */
export function mongoUriProblem(uri: string): string | undefined {
  let client: MongoClient;
  try {
    // The store's own options too, so that the check is exactly what the store will do.
    client = new MongoClient(uri, mongoClientOptions(1_000));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return repeatsCredentials(reason, uri)
      ? `is not a connection string the MongoDB driver accepts; ${ENCODE_HINT}, and check the host list`
      : `is not a connection string the MongoDB driver accepts: ${reason}`;
  }
  // The driver accepts "mongodb://app:p@ss/w0rd@host/": host "ss", database "w0rd@host/".
  // No real database is named like that; an unescaped @ in the password is the usual cause.
  const database = client.options.dbName;
  if (NOT_IN_DATABASE_NAMES.some((character) => database.includes(character))) {
    return `names a database MongoDB cannot have (after the host list); ${ENCODE_HINT}`;
  }
  return undefined;
}

/**
 * True when the URI has credentials and `text` shares four characters in a row with them or
 * with the host list after them: an unescaped "@" in a password moves the rest of the password
 * into what the parser reads as the host list ("app:p@ssw0rd:99999" is password "p", host
 * "ssw0rd:99999"), so no part of either may be repeated.
 */
function repeatsCredentials(text: string, uri: string): boolean {
  const start = uri.indexOf("://") + 3;
  const lastAt = uri.lastIndexOf("@");
  if (lastAt < start) return false;
  const hostListEnd = uri.slice(lastAt).search(/[/?]/);
  const secret = uri.slice(start, hostListEnd < 0 ? uri.length : lastAt + hostListEnd);
  const width = Math.min(4, secret.length);
  for (let at = 0; at + width <= secret.length; at++) {
    if (text.includes(secret.slice(at, at + width))) return true;
  }
  return false;
}

/** The connection string fit for logs: password and other secrets replaced by ***, user name kept. */
export function redactMongoUri(uri: string): string {
  try {
    return new ConnectionString(uri).redact({ replacementString: "***", redactUsernames: false }).toString();
  } catch {
    return "(a connection string the MongoDB driver cannot parse)";
  }
}
