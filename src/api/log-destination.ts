import { type DestinationStream, pino } from "pino";

export interface BatchedDestination extends DestinationStream {
  /** Writes every line handed over so far before returning. */
  flushSync(): void;
}

/**
 * pino's own destination for `fd` (sonic-boom: written off the event loop, so a full pipe never
 * blocks it; EPIPE handled) handed one batch of lines per event-loop turn instead of each line
 * alone. sonic-boom measures the byte length of its whole pending string again for every write,
 * so under load, with many lines waiting behind a write in progress, taking lines one by one cost
 * more than formatting them. A line waits at most until the turn's I/O has been handled
 * (setImmediate), and is written before the process exits: on `exit` (process.exit, an uncaught
 * exception) and on pino's `fatal`, which call flushSync.
 */
export function batchedDestination(fd = 1): BatchedDestination {
  const target = pino.destination({ dest: fd });
  let pending: string[] = [];
  let scheduled = false;

  function take(): string {
    const batch = pending.length === 1 ? pending[0]! : pending.join("");
    pending = [];
    return batch;
  }

  function handOver(): void {
    scheduled = false;
    if (pending.length > 0) target.write(take());
  }

  function flushSync(): void {
    const batch = take();
    target.flushSync();
    // After what target held, in order. Through target, the batch would start an asynchronous
    // write that an exiting process never finishes.
    if (batch) pino.destination({ dest: fd, sync: true }).write(batch);
  }

  process.on("exit", () => {
    try {
      flushSync();
    } catch {
      // The output is gone (a closed pipe): nothing is left to write to.
    }
  });
  return {
    write(line: string): void {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(handOver);
      }
    },
    flushSync,
  };
}
