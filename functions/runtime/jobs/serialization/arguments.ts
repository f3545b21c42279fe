/**
 * ActiveJob's argument serializer (ActiveJob::Arguments), both ways.
 *
 * Wire form → TS:
 *   null, strings, numbers, booleans   → themselves
 *   arrays                             → arrays
 *   {"_aj_globalid": uri}              → GlobalId
 *   {"_aj_serialized": "...X", ...}    → RubySymbol, RubyTime, RubyDate, RubyDuration, RubyBigDecimal, RubyModule, RubyRange
 *   other objects                      → plain objects; `_aj_symbol_keys`, `_aj_ruby2_keywords` and
 *                                        `_aj_hash_with_indifferent_access` become a non-enumerable marker
 *                                        (see kwargs(), symbolKeys(), withIndifferentAccess())
 * and back again, so that serializeArguments(deserializeArguments(x)) writes x.
 */
import { formatTimestamp } from './time';
import {
  BIG_DECIMAL_SERIALIZER,
  DATE_SERIALIZER,
  DURATION_SERIALIZER,
  GlobalId,
  MODULE_SERIALIZER,
  RANGE_SERIALIZER,
  RubyBigDecimal,
  RubyDate,
  RubyDuration,
  RubyModule,
  RubyRange,
  RubySymbol,
  RubyTime,
  SYMBOL_SERIALIZER,
  TIME_SERIALIZER,
  TIME_SERIALIZERS,
  TIME_WITH_ZONE_SERIALIZER,
  hashFlavour,
  isDurationUnit,
  kwargs,
  symbolKeys,
  symbolKeysOf,
  withIndifferentAccess,
  type DurationUnit,
  type TimeSerializerName,
} from './values';

/** The value classes and hash markers, for callers that import this module directly. */
export * from './values';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const GLOBALID_KEY = '_aj_globalid';
export const SYMBOL_KEYS_KEY = '_aj_symbol_keys';
export const RUBY2_KEYWORDS_KEY = '_aj_ruby2_keywords';
export const WITH_INDIFFERENT_ACCESS_KEY = '_aj_hash_with_indifferent_access';
export const OBJECT_SERIALIZER_KEY = '_aj_serialized';
/** Keys a serialized Hash may not use for its own entries (ActiveJob::Arguments::RESERVED_KEYS). */
export const RESERVED_KEYS: readonly string[] = [
  GLOBALID_KEY,
  SYMBOL_KEYS_KEY,
  RUBY2_KEYWORDS_KEY,
  OBJECT_SERIALIZER_KEY,
  WITH_INDIFFERENT_ACCESS_KEY,
];
const HASH_MARKER_KEYS = [SYMBOL_KEYS_KEY, RUBY2_KEYWORDS_KEY, WITH_INDIFFERENT_ACCESS_KEY];

const ACCEPTED_TS =
  'null, strings, finite numbers, booleans, arrays, plain objects with string keys, Date, GlobalId, ' +
  'RubySymbol, RubyTime, RubyDate, RubyDuration, RubyBigDecimal, RubyModule, RubyRange';
const ACCEPTED_WIRE =
  'null, strings, numbers, booleans, arrays, {"_aj_globalid": "gid://app/Model/id"}, ' +
  '{"_aj_serialized": "ActiveJob::Serializers::…", …} and hashes marked with _aj_symbol_keys, ' +
  '_aj_ruby2_keywords or _aj_hash_with_indifferent_access';
const KNOWN_SERIALIZERS = [
  ...TIME_SERIALIZERS,
  DATE_SERIALIZER,
  DURATION_SERIALIZER,
  SYMBOL_SERIALIZER,
  BIG_DECIMAL_SERIALIZER,
  MODULE_SERIALIZER,
  RANGE_SERIALIZER,
];

/** A value cannot be turned into an ActiveJob argument. `path` names it, e.g. `arguments[2].course`. */
export class ArgumentSerializationError extends Error {
  override readonly name = 'ArgumentSerializationError';
  constructor(readonly path: string, readonly problem: string) {
    super(`cannot serialize ${path}: ${problem}`);
  }
}

/** A serialized ActiveJob argument cannot be read. `path` names it, e.g. `arguments[0].parts[0]`. */
export class ArgumentDeserializationError extends Error {
  override readonly name = 'ArgumentDeserializationError';
  constructor(readonly path: string, readonly problem: string) {
    super(`cannot deserialize ${path}: ${problem}`);
  }
}

// ---------------------------------------------------------------------------
// helpers

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function keyPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own-property assignment that is safe for a `__proto__` key. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return `a JS symbol (${String(value)})`;
    case 'bigint':
      return `a bigint (${value}n)`;
    case 'number':
      return String(value);
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    default: {
      const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
      const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'an anonymous class';
      return isPlainObject(value) ? 'an object' : `an instance of ${name}`;
    }
  }
}

// ---------------------------------------------------------------------------
// serialize

/** ActiveJob::Arguments.serialize: the JSON form of a job's arguments. */
export function serializeArguments(args: readonly unknown[]): JsonValue[] {
  if (!Array.isArray(args)) {
    throw new ArgumentSerializationError('arguments', `expected an array of arguments, got ${describe(args)}`);
  }
  const seen = new Set<object>();
  return args.map((arg, i) => serializeArgument(arg, `arguments[${i}]`, seen));
}

function serializeArgument(value: unknown, path: string, seen: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new ArgumentSerializationError(path, `${value} has no JSON form; only finite numbers are accepted`);
      }
      return value;
    case 'object':
      if (value === null) return null;
      break;
    default:
      throw new ArgumentSerializationError(path, `${describe(value)} is not accepted; accepted: ${ACCEPTED_TS}`);
  }
  if (seen.has(value)) throw new ArgumentSerializationError(path, 'circular reference');
  seen.add(value);
  try {
    return serializeObject(value, path, seen);
  } finally {
    seen.delete(value);
  }
}

function serialized(serializer: string, fields: JsonObject): JsonObject {
  return { [OBJECT_SERIALIZER_KEY]: serializer, ...fields };
}

function serializeObject(value: object, path: string, seen: Set<object>): JsonValue {
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) out.push(serializeArgument(value[i], `${path}[${i}]`, seen));
    return out;
  }
  if (value instanceof GlobalId) return { [GLOBALID_KEY]: value.uri };
  if (value instanceof RubySymbol) return serialized(SYMBOL_SERIALIZER, { value: value.name });
  if (value instanceof RubyTime) {
    return serialized(value.serializer, value.timeZone === undefined ? { value: value.iso } : { value: value.iso, time_zone: value.timeZone });
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ArgumentSerializationError(path, 'an invalid Date is not accepted');
    return serialized(TIME_SERIALIZER, { value: formatTimestamp(value) });
  }
  if (value instanceof RubyDate) return serialized(DATE_SERIALIZER, { value: value.iso });
  if (value instanceof RubyDuration) {
    const parts = value.parts.map(([unit, amount]): JsonValue => [serialized(SYMBOL_SERIALIZER, { value: unit }), amount]);
    return serialized(DURATION_SERIALIZER, { value: value.seconds, parts });
  }
  if (value instanceof RubyBigDecimal) return serialized(BIG_DECIMAL_SERIALIZER, { value: value.value });
  if (value instanceof RubyModule) return serialized(MODULE_SERIALIZER, { value: value.name });
  if (value instanceof RubyRange) {
    return serialized(RANGE_SERIALIZER, {
      begin: serializeArgument(value.begin, `${path}.begin`, seen),
      end: serializeArgument(value.end, `${path}.end`, seen),
      exclude_end: value.excludeEnd === true,
    });
  }
  if (isPlainObject(value)) return serializeHash(value, path, seen);
  throw new ArgumentSerializationError(path, `${describe(value)} is not accepted; accepted: ${ACCEPTED_TS}`);
}

function serializeHash(hash: Record<string, unknown>, path: string, seen: Set<object>): JsonObject {
  const symbols = Object.getOwnPropertySymbols(hash).filter((s) => Object.prototype.propertyIsEnumerable.call(hash, s));
  if (symbols.length > 0) {
    throw new ArgumentSerializationError(
      path,
      `JS symbol keys (${symbols.map(String).join(', ')}) are not accepted; only string keys are ` +
        '(for Ruby Symbol keys mark the object with symbolKeys() or kwargs())',
    );
  }
  const out: JsonObject = {};
  for (const key of Object.keys(hash)) {
    if (RESERVED_KEYS.includes(key)) {
      throw new ArgumentSerializationError(
        keyPath(path, key),
        `a Hash may not use the reserved key ${JSON.stringify(key)} (reserved: ${RESERVED_KEYS.join(', ')})`,
      );
    }
    setOwn(out, key, serializeArgument(hash[key], keyPath(path, key), seen));
  }
  const flavour = hashFlavour(hash);
  if (flavour?.kind === 'indifferent') {
    out[WITH_INDIFFERENT_ACCESS_KEY] = true;
  } else {
    out[flavour?.kind === 'ruby2_keywords' ? RUBY2_KEYWORDS_KEY : SYMBOL_KEYS_KEY] = symbolKeysOf(hash);
  }
  return out;
}

// ---------------------------------------------------------------------------
// deserialize

/** ActiveJob::Arguments.deserialize: a job's arguments from their JSON form. */
export function deserializeArguments(serialized: unknown): unknown[] {
  if (!Array.isArray(serialized)) {
    throw new ArgumentDeserializationError('arguments', `expected an array, got ${describe(serialized)}`);
  }
  return serialized.map((arg, i) => deserializeArgument(arg, `arguments[${i}]`));
}

function deserializeArgument(value: unknown, path: string): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      break;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((item, i) => deserializeArgument(item, `${path}[${i}]`));
      if (!isPlainObject(value)) break;
      if (Object.hasOwn(value, OBJECT_SERIALIZER_KEY)) return deserializeObject(value, path);
      if (Object.hasOwn(value, GLOBALID_KEY) && Object.keys(value).length === 1) {
        const gid = GlobalId.tryParse(value[GLOBALID_KEY]);
        if (!gid) {
          throw new ArgumentDeserializationError(
            path,
            `${JSON.stringify(value[GLOBALID_KEY])} is not a GlobalID; expected {"_aj_globalid": "gid://app/Model::Name/id"}`,
          );
        }
        return gid;
      }
      return deserializeHash(value, path);
  }
  throw new ArgumentDeserializationError(path, `${describe(value)} is not accepted; accepted: ${ACCEPTED_WIRE}`);
}

function deserializeHash(hash: Record<string, unknown>, path: string): Record<string, unknown> {
  const markers = HASH_MARKER_KEYS.filter((key) => Object.hasOwn(hash, key));
  if (markers.length > 1) {
    throw new ArgumentDeserializationError(path, `a Hash carries at most one of ${HASH_MARKER_KEYS.join(', ')}; this one has ${markers.join(' and ')}`);
  }
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(hash)) {
    if (markers.includes(key)) continue;
    if (RESERVED_KEYS.includes(key)) {
      throw new ArgumentDeserializationError(
        keyPath(path, key),
        `${JSON.stringify(key)} is reserved and may not be a Hash key here; ${GLOBALID_KEY} must be the only key of its object`,
      );
    }
    setOwn(result, key, deserializeArgument(hash[key], keyPath(path, key)));
  }
  const marker = markers[0];
  if (marker === undefined) return result;
  const markerValue = hash[marker];
  if (marker === WITH_INDIFFERENT_ACCESS_KEY) {
    if (markerValue !== true) {
      throw new ArgumentDeserializationError(keyPath(path, marker), `expected true, got ${describe(markerValue)}`);
    }
    return withIndifferentAccess(result);
  }
  if (!Array.isArray(markerValue) || !markerValue.every((k) => typeof k === 'string')) {
    throw new ArgumentDeserializationError(keyPath(path, marker), `expected an array of key names (strings), got ${describe(markerValue)}`);
  }
  const keys = markerValue as string[];
  return marker === RUBY2_KEYWORDS_KEY ? kwargs(result, keys) : symbolKeys(result, keys);
}

function expectFields(hash: Record<string, unknown>, path: string, serializer: string, fields: readonly string[]): void {
  for (const key of Object.keys(hash)) {
    if (key !== OBJECT_SERIALIZER_KEY && !fields.includes(key)) {
      throw new ArgumentDeserializationError(keyPath(path, key), `unexpected key for ${serializer}; it has ${fields.join(', ')}`);
    }
  }
}

function stringField(hash: Record<string, unknown>, path: string, serializer: string, key: string, what: string): string {
  const value = hash[key];
  if (typeof value !== 'string') {
    throw new ArgumentDeserializationError(keyPath(path, key), `${serializer} needs ${what} as a string, got ${describe(value)}`);
  }
  return value;
}

function deserializeObject(hash: Record<string, unknown>, path: string): unknown {
  const serializer = hash[OBJECT_SERIALIZER_KEY];
  if (typeof serializer !== 'string' || !KNOWN_SERIALIZERS.includes(serializer)) {
    throw new ArgumentDeserializationError(
      keyPath(path, OBJECT_SERIALIZER_KEY),
      `unknown serializer ${JSON.stringify(serializer)}; known: ${KNOWN_SERIALIZERS.join(', ')}`,
    );
  }
  const valuePath = keyPath(path, 'value');
  try {
    switch (serializer) {
      case SYMBOL_SERIALIZER:
        expectFields(hash, path, serializer, ['value']);
        return new RubySymbol(stringField(hash, path, serializer, 'value', 'the symbol name'));
      case DATE_SERIALIZER:
        expectFields(hash, path, serializer, ['value']);
        return new RubyDate(stringField(hash, path, serializer, 'value', 'a yyyy-mm-dd date'));
      case MODULE_SERIALIZER:
        expectFields(hash, path, serializer, ['value']);
        return new RubyModule(stringField(hash, path, serializer, 'value', 'a constant name'));
      case BIG_DECIMAL_SERIALIZER:
        expectFields(hash, path, serializer, ['value']);
        return new RubyBigDecimal(stringField(hash, path, serializer, 'value', 'the decimal'));
      case DURATION_SERIALIZER:
        expectFields(hash, path, serializer, ['value', 'parts']);
        return deserializeDuration(hash, path);
      case RANGE_SERIALIZER: {
        expectFields(hash, path, serializer, ['begin', 'end', 'exclude_end']);
        const excludeEnd = hash.exclude_end;
        if (typeof excludeEnd !== 'boolean') {
          throw new ArgumentDeserializationError(keyPath(path, 'exclude_end'), `${serializer} needs exclude_end as a boolean, got ${describe(excludeEnd)}`);
        }
        return new RubyRange(deserializeArgument(hash.begin ?? null, keyPath(path, 'begin')), deserializeArgument(hash.end ?? null, keyPath(path, 'end')), excludeEnd);
      }
      default: {
        const withZone = serializer === TIME_WITH_ZONE_SERIALIZER;
        expectFields(hash, path, serializer, withZone ? ['value', 'time_zone'] : ['value']);
        const iso = stringField(hash, path, serializer, 'value', 'an ISO-8601 timestamp');
        const zone = withZone && hash.time_zone !== undefined ? stringField(hash, path, serializer, 'time_zone', 'a time zone name') : undefined;
        return new RubyTime(iso, serializer as TimeSerializerName, zone);
      }
    }
  } catch (error) {
    if (error instanceof ArgumentDeserializationError) throw error;
    throw new ArgumentDeserializationError(valuePath, `invalid ${serializer} value: ${(error as Error).message}`);
  }
}

function deserializeDuration(hash: Record<string, unknown>, path: string): RubyDuration {
  const seconds = hash.value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    throw new ArgumentDeserializationError(keyPath(path, 'value'), `DurationSerializer needs value as a number of seconds, got ${describe(seconds)}`);
  }
  const partsPath = keyPath(path, 'parts');
  const parts = deserializeArgument(hash.parts, partsPath);
  if (!Array.isArray(parts)) {
    throw new ArgumentDeserializationError(partsPath, `DurationSerializer needs parts as an array of [unit symbol, amount] pairs, got ${describe(parts)}`);
  }
  const list = parts.map((part: unknown, i): readonly [DurationUnit, number] => {
    const unit: unknown = Array.isArray(part) ? part[0] : undefined;
    const amount: unknown = Array.isArray(part) ? part[1] : undefined;
    if (!Array.isArray(part) || part.length !== 2 || !(unit instanceof RubySymbol) || !isDurationUnit(unit.name) || typeof amount !== 'number') {
      throw new ArgumentDeserializationError(
        `${partsPath}[${i}]`,
        'expected a [unit symbol, amount] pair with a unit of years, months, weeks, days, hours, minutes or seconds',
      );
    }
    return [unit.name, amount];
  });
  return new RubyDuration(seconds, list);
}
