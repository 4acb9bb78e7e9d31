// Unknown fields are rejected (ARCHITECTURE.md), but protobuf decoding drops them silently. Each request's wire
// bytes are walked against the .proto descriptors; a request that carries a field the contract does not know is
// answered INVALID_ARGUMENT, naming the field by its number, instead of being applied without it.
import { loadSync, type MessageTypeDefinition, type PackageDefinition } from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { invalidArgument, PROTO_ROOT } from '@crm/service-kit';

interface FieldInfo {
  name: string;
  message: string | undefined;
}

type Descriptor = Map<number, FieldInfo>;

const unknownByRequest = new WeakMap<object, string[]>();

/** Descriptors of every message reachable from the given proto files, by full name. */
export function loadDescriptors(protoFiles: string[]): Map<string, Descriptor> {
  const definition: PackageDefinition = loadSync(protoFiles, { includeDirs: [PROTO_ROOT] });
  const names = Object.keys(definition);
  const descriptors = new Map<string, Descriptor>();
  for (const [fullName, entry] of Object.entries(definition)) {
    if (
      !('type' in entry) ||
      (entry as MessageTypeDefinition<object, object>).format !== 'Protocol Buffer 3 DescriptorProto'
    )
      continue;
    const type = (entry as MessageTypeDefinition<object, object>).type as {
      field?: Array<{ name: string; number: number; type: string; typeName: string }>;
    };
    const pkg = fullName.slice(0, fullName.lastIndexOf('.'));
    descriptors.set(
      fullName,
      new Map(
        (type.field ?? []).map((f) => [
          f.number,
          { name: f.name, message: f.type === 'TYPE_MESSAGE' ? resolve(f.typeName, pkg, names) : undefined },
        ]),
      ),
    );
  }
  return descriptors;
}

function resolve(typeName: string, pkg: string, names: string[]): string | undefined {
  if (typeName.startsWith('.')) return typeName.slice(1);
  // Relative names resolve outward from the referring package, as protoc does.
  const parts = pkg.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), typeName].join('.');
    if (names.includes(candidate)) return candidate;
  }
  return undefined;
}

/** Field paths (by name, unknown ones by number) that the message's descriptor does not define. */
export function unknownFields(
  bytes: Uint8Array,
  typeName: string,
  descriptors: Map<string, Descriptor>,
  path = '',
): string[] {
  const descriptor = descriptors.get(typeName);
  // Well-known types (Struct, Timestamp, FieldMask) are decoded by their own rules; map entries have no descriptor here.
  if (!descriptor || typeName.startsWith('google.protobuf.')) return [];
  const found: string[] = [];
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    const field = descriptor.get(number);
    const here = path ? `${path}.${field?.name ?? `#${number}`}` : (field?.name ?? `#${number}`);
    if (!field) found.push(here);
    if (wireType === 0) varint();
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const length = varint();
      if (field?.message)
        found.push(...unknownFields(bytes.subarray(at, at + length), field.message, descriptors, here));
      at += length;
    } else return found; // groups: not used by proto3
  }
  return found;
}

/** The definition with deserializers that remember which requests carried unknown fields. */
export function strictDefinition<D extends ServiceDefinition>(
  definition: D,
  protoFiles: string[],
  packageName: string,
  serviceName: string,
): D {
  const descriptors = loadDescriptors(protoFiles);
  const services = loadSync(protoFiles, { includeDirs: [PROTO_ROOT] })[`${packageName}.${serviceName}`] as Record<
    string,
    { path: string; requestType: { type: { name: string } } }
  >;
  const requestTypes = new Map(
    Object.values(services).map((m) => [m.path, `${packageName}.${m.requestType.type.name}`]),
  );
  const strict: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition)) {
    const typeName = requestTypes.get(method.path);
    strict[key] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        const request = method.requestDeserialize(bytes) as object;
        const unknown = typeName ? safeUnknown(bytes, typeName, descriptors) : [];
        if (unknown.length > 0 && typeof request === 'object' && request !== null)
          unknownByRequest.set(request, unknown);
        return request;
      },
    };
  }
  return strict as D;
}

function safeUnknown(bytes: Buffer, typeName: string, descriptors: Map<string, Descriptor>): string[] {
  try {
    return unknownFields(bytes, typeName, descriptors);
  } catch {
    return [];
  }
}

/** Throws INVALID_ARGUMENT when the request carried fields the contract does not define. */
export function rejectUnknownFields(request: unknown): void {
  const unknown = typeof request === 'object' && request !== null ? unknownByRequest.get(request) : undefined;
  if (unknown?.length)
    throw invalidArgument(
      unknown.map((field) => ({ field, description: 'is not a field of this request; unknown fields are rejected' })),
      'Request has unknown fields',
    );
}

/** Wraps every handler of a service so that requests with unknown fields are refused before anything runs. */
export function strictHandlers<H extends Record<string, (request: never, ctx: never) => Promise<unknown>>>(
  handlers: H,
): H {
  const wrapped: Record<string, unknown> = {};
  for (const [key, handler] of Object.entries(handlers)) {
    wrapped[key] = (request: never, ctx: never) => {
      rejectUnknownFields(request);
      return handler(request, ctx);
    };
  }
  return wrapped as H;
}
