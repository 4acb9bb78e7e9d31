// Unknown fields are rejected (ARCHITECTURE.md), but protobuf decoding drops them silently. Each request's wire
// bytes are walked against the .proto descriptors; a request that carries a field the contract does not know is
// answered INVALID_ARGUMENT, naming the field (by its number), instead of being applied without it. GrpcServer
// does this for every service whose contract it was given, the same way in every service.
import { loadSync, type MessageTypeDefinition, type PackageDefinition } from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { invalidArgument } from '../errors/service-error';

interface FieldInfo {
  name: string;
  message: string | undefined;
}

type Descriptor = Map<number, FieldInfo>;

const unknownByRequest = new WeakMap<object, string[]>();

/** The message descriptors and services of some proto files, and definitions that note unknown fields. */
export class StrictDecoding {
  private readonly definition: PackageDefinition;
  private readonly descriptors: Map<string, Descriptor>;

  constructor(protoFiles: string[], includeDirs: string[]) {
    this.definition = loadSync(protoFiles, { includeDirs });
    this.descriptors = descriptorsOf(this.definition);
  }

  /** Whether the contracts define the service, e.g. "crm.contact.v1.ContactService". */
  knows(serviceName: string): boolean {
    return this.definition[serviceName] !== undefined;
  }

  /**
   * The definition with request deserializers that remember which requests carried unknown fields; a service
   * the contracts do not define is returned as it is.
   */
  strictDefinition<D extends ServiceDefinition>(serviceName: string, definition: D): D {
    const service = this.definition[serviceName] as
      | Record<string, { path: string; requestType: { type: { name: string } } }>
      | undefined;
    if (!service) return definition;
    const pkg = serviceName.slice(0, serviceName.lastIndexOf('.'));
    const requestTypes = new Map(Object.values(service).map((m) => [m.path, `${pkg}.${m.requestType.type.name}`]));
    const strict: Record<string, unknown> = {};
    for (const [key, method] of Object.entries(definition)) {
      const typeName = requestTypes.get(method.path);
      strict[key] = {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          const request = method.requestDeserialize(bytes) as unknown;
          const unknown = typeName ? this.unknownIn(bytes, typeName) : [];
          if (unknown.length > 0 && typeof request === 'object' && request !== null)
            unknownByRequest.set(request, unknown);
          return request;
        },
      };
    }
    return strict as D;
  }

  /** Field paths of the message's bytes that its descriptor does not define; [] for bytes it cannot walk. */
  unknownIn(bytes: Uint8Array, typeName: string): string[] {
    try {
      return unknownFields(bytes, typeName, this.descriptors);
    } catch {
      return [];
    }
  }
}

/** Throws INVALID_ARGUMENT when a request decoded by a strict definition carried fields the contract lacks. */
export function rejectUnknownFields(request: unknown): void {
  const unknown = typeof request === 'object' && request !== null ? unknownByRequest.get(request) : undefined;
  if (unknown?.length)
    throw invalidArgument(
      unknown.map((field) => ({ field, description: 'is not a field of this request; unknown fields are rejected' })),
      'Request has unknown fields',
    );
}

function descriptorsOf(definition: PackageDefinition): Map<string, Descriptor> {
  const names = Object.keys(definition);
  const descriptors = new Map<string, Descriptor>();
  for (const [fullName, entry] of Object.entries(definition)) {
    const message = entry as MessageTypeDefinition<object, object>;
    if (!('type' in entry) || message.format !== 'Protocol Buffer 3 DescriptorProto') continue;
    const type = message.type as { field?: Array<{ name: string; number: number; type: string; typeName: string }> };
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
