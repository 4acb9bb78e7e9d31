// Just enough of the MongoDB wire protocol (OP_MSG + a BSON subset) to send
// `ping` / `buildInfo` with no npm dependency, so health checks prove a real
// MongoDB-wire server answers rather than merely an open port.
import { connect } from 'node:net';

const OP_MSG = 2013;

function cstring(text) {
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
}

/** Encodes a flat document whose values are int32 numbers or strings. */
export function encodeDocument(doc) {
  const parts = [];
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value === 'number') {
      const int = Buffer.alloc(4);
      int.writeInt32LE(value);
      parts.push(Buffer.from([0x10]), cstring(key), int);
    } else {
      const str = cstring(String(value));
      const len = Buffer.alloc(4);
      len.writeInt32LE(str.length);
      parts.push(Buffer.from([0x02]), cstring(key), len, str);
    }
  }
  const body = Buffer.concat([...parts, Buffer.from([0])]);
  const size = Buffer.alloc(4);
  size.writeInt32LE(body.length + 4);
  return Buffer.concat([size, body]);
}

const FIXED_SIZES = {
  0x01: 8,
  0x07: 12,
  0x08: 1,
  0x09: 8,
  0x0a: 0,
  0x10: 4,
  0x11: 8,
  0x12: 8,
  0x13: 16,
  0xff: 0,
  0x7f: 0,
};

function readValue(buf, type, at) {
  switch (type) {
    case 0x01:
      return buf.readDoubleLE(at);
    case 0x08:
      return buf[at] === 1;
    case 0x0a:
      return null;
    case 0x10:
      return buf.readInt32LE(at);
    case 0x12:
      return Number(buf.readBigInt64LE(at));
    default:
      return undefined;
  }
}

/** Decodes the top level of a BSON document; nested documents and binaries are skipped. */
export function decodeTopLevel(buf) {
  const out = {};
  const end = buf.readInt32LE(0) - 1;
  let at = 4;
  while (at < end) {
    const type = buf[at];
    const nameEnd = buf.indexOf(0, at + 1);
    const key = buf.toString('utf8', at + 1, nameEnd);
    at = nameEnd + 1;
    if (type === 0x02) {
      const len = buf.readInt32LE(at);
      out[key] = buf.toString('utf8', at + 4, at + 3 + len);
      at += 4 + len;
    } else if (type === 0x03 || type === 0x04) {
      at += buf.readInt32LE(at);
    } else if (type === 0x05) {
      at += 5 + buf.readInt32LE(at);
    } else if (type in FIXED_SIZES) {
      out[key] = readValue(buf, type, at);
      at += FIXED_SIZES[type];
    } else {
      break;
    }
  }
  return out;
}

function opMsg(command) {
  const doc = encodeDocument(command);
  const header = Buffer.alloc(21);
  header.writeInt32LE(16 + 4 + 1 + doc.length, 0);
  header.writeInt32LE(1, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16);
  header[20] = 0; // section kind 0: the command body
  return Buffer.concat([header, doc]);
}

/** Runs one command and resolves to the reply's top-level fields, or null. */
export function runCommand(host, port, command, timeoutMs = 2000) {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    let reply = Buffer.alloc(0);
    const done = (value) => {
      socket.destroy();
      resolvePromise(value);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => socket.write(opMsg(command)));
    socket.on('data', (chunk) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length < 4 || reply.length < reply.readInt32LE(0)) return;
      try {
        done(reply.readInt32LE(12) === OP_MSG && reply[20] === 0 ? decodeTopLevel(reply.subarray(21)) : null);
      } catch {
        done(null);
      }
    });
  });
}

export async function ping(host, port, timeoutMs) {
  const reply = await runCommand(host, port, { ping: 1, $db: 'admin' }, timeoutMs);
  return reply?.ok === 1;
}
