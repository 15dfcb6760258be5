/**
 * A minimal MongoDB wire-protocol responder for connection-lifecycle tests: no MongoDB server
 * can run on the development machines. It speaks just enough of the protocol (OP_QUERY for
 * the driver's first handshake, OP_MSG for everything after) to answer hello, ping,
 * createIndexes, listIndexes, insert and find with canned replies, on the driver's own BSON.
 * It can start after the app (the port is chosen up front), stop, and answer any command with
 * an error. Data semantics are the real server's job, in CI.
 */
import { type Server, type Socket, createServer } from "node:net";
import { BSON, type Document } from "mongodb";
import { freePort } from "../../scripts/lib/server-process.js";

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

/** What a handler returns: a reply document, or "hang" to never answer. */
export type Reply = Document | "hang";
export type Handler = (command: Document) => Reply | Promise<Reply>;

/** A cursor's only batch, as find and listIndexes answer. */
export const cursorReply = (ns: string, firstBatch: Document[]): Document => ({ ok: 1, cursor: { id: BSON.Long.ZERO, ns, firstBatch } });

/** Server error replies, shaped as mongod sends them. */
export const serverError = (code: number, codeName: string, errmsg = codeName, labels?: string[]): Document => ({
  ok: 0,
  code,
  codeName,
  errmsg,
  ...(labels ? { errorLabels: labels } : {}),
});

export class MongoResponder {
  /** Every command name received, in order (the handshake's legacy hello included). */
  readonly received: string[] = [];
  /** Every command received, as sent. */
  readonly commands: Document[] = [];
  private readonly handlers = new Map<string, Handler>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private connectionId = 0;

  private constructor(readonly port: number) {}

  /** Reserves a port without listening on it, so the app can be started first. */
  static async reserve(): Promise<MongoResponder> {
    return new MongoResponder(await freePort());
  }

  /** A URI for this responder; `auth` adds credentials (any work until a test says otherwise). */
  uri(auth = ""): string {
    return `mongodb://${auth ? `${auth}@` : ""}127.0.0.1:${this.port}/?replicaSet=rs0`;
  }

  /** Connections the driver holds open to this responder now (pool and monitoring). */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** How many times a command (by name, as sent) was received. */
  count(command: string): number {
    return this.received.filter((name) => name === command).length;
  }

  /** Replaces the canned reply for one command (by name: "insert", "saslStart", ...). */
  on(command: string, handler: Handler): this {
    this.handlers.set(command.toLowerCase(), handler);
    return this;
  }

  async start(): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", resolve);
    });
    this.server = server;
  }

  /** Stops listening and drops every open connection, as a crashed server would. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    const id = ++this.connectionId;
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const message = pending.subarray(0, pending.readInt32LE(0));
        pending = pending.subarray(message.length);
        void this.answer(socket, message, id);
      }
    });
  }

  private async answer(socket: Socket, message: Buffer, connectionId: number): Promise<void> {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    const command = opCode === OP_QUERY ? parseQuery(message) : parseMsg(message);
    const name = Object.keys(command)[0] ?? "";
    this.received.push(name);
    this.commands.push(command);
    const reply = await (this.handlers.get(name.toLowerCase()) ?? cannedReply)({ ...command, $connectionId: connectionId, $port: this.port });
    if (reply === "hang" || socket.destroyed) return;
    socket.write(opCode === OP_QUERY ? replyMessage(requestId, reply) : msgMessage(requestId, reply));
  }
}

/** The replies of a healthy one-member replica set with an empty collection. */
export function cannedReply(command: Document): Reply {
  const name = Object.keys(command)[0]!.toLowerCase();
  const ns = `${command.$db}.${command[Object.keys(command)[0]!]}`;
  switch (name) {
    case "ismaster":
    case "hello":
      return helloReply(command);
    case "ping":
    case "endsessions":
      return { ok: 1 };
    case "createindexes":
      return { ok: 1, numIndexesBefore: 1, numIndexesAfter: 2, createdCollectionAutomatically: false };
    case "insert":
      return { ok: 1, n: (command.documents as unknown[] | undefined)?.length ?? 1 };
    case "find":
    case "listindexes":
      return cursorReply(ns, []);
    default:
      return serverError(59, "CommandNotFound", `no such command: '${name}'`);
  }
}

/** The handshake and monitoring reply of a one-member replica set; a secondary during an election. */
export function helloReply(command: Document, primary = true): Document {
  const me = `127.0.0.1:${command.$port as number}`;
  return {
    helloOk: true,
    ismaster: primary,
    isWritablePrimary: primary,
    secondary: !primary,
    setName: "rs0",
    setVersion: 1,
    hosts: [me],
    ...(primary ? { primary: me } : {}),
    me,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: command.$connectionId as number,
    minWireVersion: 0,
    maxWireVersion: 25, // MongoDB 8.0
    readOnly: false,
    ok: 1,
  };
}

// OP_QUERY: header, flags, full collection name (cstring), skip, limit, query document.
function parseQuery(message: Buffer): Document {
  const nameEnd = message.indexOf(0, 20);
  return BSON.deserialize(message.subarray(nameEnd + 9));
}

// OP_MSG: header, flag bits, then sections: kind 0 is the command, kind 1 a document sequence.
function parseMsg(message: Buffer): Document {
  const flags = message.readUInt32LE(16);
  const end = message.length - (flags & 1 ? 4 : 0);
  let command: Document = {};
  const sequences: Document = {};
  for (let at = 20; at < end; ) {
    const kind = message[at]!;
    const size = message.readInt32LE(at + 1);
    if (kind === 0) {
      command = BSON.deserialize(message.subarray(at + 1, at + 1 + size));
    } else {
      const idEnd = message.indexOf(0, at + 5);
      const field = message.toString("utf8", at + 5, idEnd);
      const documents: Document[] = [];
      for (let d = idEnd + 1; d < at + 1 + size; d += message.readInt32LE(d)) {
        documents.push(BSON.deserialize(message.subarray(d, d + message.readInt32LE(d))));
      }
      sequences[field] = documents;
    }
    at += 1 + size;
  }
  return Object.assign(command, sequences);
}

function header(length: number, responseTo: number, opCode: number): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(0, 4);
  head.writeInt32LE(responseTo, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

function msgMessage(responseTo: number, reply: Document): Buffer {
  const body = Buffer.concat([Buffer.alloc(5), BSON.serialize(reply)]); // flags 0, section kind 0
  return Buffer.concat([header(16 + body.length, responseTo, OP_MSG), body]);
}

function replyMessage(responseTo: number, reply: Document): Buffer {
  const fixed = Buffer.alloc(20); // flags, cursor id, starting from, number returned
  fixed.writeInt32LE(1, 16);
  const body = Buffer.concat([fixed, BSON.serialize(reply)]);
  return Buffer.concat([header(16 + body.length, responseTo, OP_REPLY), body]);
}
