/**
 * Terraform's values on the wire: cty values encoded with msgpack (hashicorp/terraform,
 * docs/plugin-protocol/object-wire-format.md; zclconf/go-cty, cty/msgpack). Decoding and encoding both
 * need the type: numbers may travel as strings, objects carry every attribute, and a dynamically typed
 * value travels as [type JSON, value].
 */
import { decode, ExtData, ExtensionCodec, encode } from '@msgpack/msgpack';
import type { CtyType } from '../terraform-schema.js';

export type { CtyType };

/** A value not known until apply (msgpack extension 0, or 12 with refinements we do not need). */
export const UNKNOWN: unique symbol = Symbol('unknown');

/** A number too precise for a float64, kept as cty sent it so that it comes back equal. */
export class DecimalString {
  constructor(readonly text: string) {}
}

/** A value of a `dynamic` attribute: its concrete type travels with it. */
export class Dynamic {
  constructor(
    readonly type: CtyType,
    readonly value: CtyValue,
  ) {}
}

export type CtyValue =
  | null
  | typeof UNKNOWN
  | string
  | number
  | boolean
  | DecimalString
  | Dynamic
  | CtyValue[]
  | { [key: string]: CtyValue };

export type CtyObject = { [key: string]: CtyValue };

export const isObject = (v: CtyValue): v is CtyObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof DecimalString) && !(v instanceof Dynamic);

// cty reads any extension as "unknown"; it writes fixext1 type 0 with one nul byte.
const codec = new ExtensionCodec();
const unknownMarker = { unknown: true } as const;
for (const type of [0, 12]) codec.register({ type, encode: () => null, decode: () => unknownMarker });

/** Terraform's JSON notation of a type (what `bytes type` in a schema and a dynamic value's header hold). */
export const typeJson = (type: CtyType): string => JSON.stringify(type);

function fromWire(raw: unknown, type: CtyType): CtyValue {
  if (raw === unknownMarker) return UNKNOWN;
  if (raw === null || raw === undefined) return null;
  if (type === 'dynamic') {
    const [header, inner] = raw as [Uint8Array, unknown];
    const concrete = JSON.parse(Buffer.from(header).toString('utf8')) as CtyType;
    return new Dynamic(concrete, fromWire(inner, concrete));
  }
  if (type === 'number') return typeof raw === 'string' ? new DecimalString(raw) : Number(raw);
  if (type === 'string' || type === 'bool') return raw as string | boolean;
  const [kind, element] = type;
  if (kind === 'list' || kind === 'set') return (raw as unknown[]).map((v) => fromWire(v, element));
  const entries = Object.entries(raw as Record<string, unknown>);
  if (kind === 'map') return Object.fromEntries(entries.map(([k, v]) => [k, fromWire(v, element)]));
  return Object.fromEntries(
    Object.entries(element).map(([k, t]) => [k, fromWire((raw as Record<string, unknown>)[k], t)]),
  );
}

function toWire(value: CtyValue, type: CtyType): unknown {
  if (value === UNKNOWN) return new ExtData(0, new Uint8Array([0]));
  if (value === null) return null;
  if (type === 'dynamic') {
    if (!(value instanceof Dynamic)) throw new Error('a dynamic value needs its type');
    return [Buffer.from(typeJson(value.type)), toWire(value.value, value.type)];
  }
  if (value instanceof DecimalString) return value.text;
  if (typeof type === 'string') return value;
  const [kind, element] = type;
  if (kind === 'list' || kind === 'set') return (value as CtyValue[]).map((v) => toWire(v, element));
  const object = value as CtyObject;
  if (kind === 'map') return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toWire(v, element)]));
  // cty refuses an object that lacks any of its type's attributes: absent ones go as null
  return Object.fromEntries(Object.entries(element).map(([k, t]) => [k, toWire(object[k] ?? null, t)]));
}

export function decodeValue(bytes: Uint8Array | undefined, type: CtyType): CtyValue {
  if (!bytes || bytes.length === 0) return null;
  return fromWire(decode(bytes, { extensionCodec: codec, useBigInt64: false }), type);
}

export function encodeValue(value: CtyValue, type: CtyType): Uint8Array {
  return encode(toWire(value, type), { extensionCodec: codec });
}

/** A value from Terraform's JSON state (`raw_state.json` of UpgradeResourceState), typed. */
export function fromJson(json: unknown, type: CtyType): CtyValue {
  if (json === null || json === undefined) return null;
  if (type === 'dynamic') return new Dynamic('string', String(json));
  if (typeof type === 'string') return json as string | number | boolean;
  const [kind, element] = type;
  if (kind === 'list' || kind === 'set') return (json as unknown[]).map((v) => fromJson(v, element));
  const object = json as Record<string, unknown>;
  if (kind === 'map') return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fromJson(v, element)]));
  return Object.fromEntries(Object.entries(element).map(([k, t]) => [k, fromJson(object[k], t)]));
}
