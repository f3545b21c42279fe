/**
 * TypeScript stand-ins for the Ruby values ActiveJob can put in a job's
 * arguments. Each keeps exactly what the wire form holds, so that
 * deserializing and serializing again writes the same JSON.
 */
import { formatTimestamp, parseIsoDate, parseTimestamp, tryParseTimestamp } from './time';

const SERIALIZERS = 'ActiveJob::Serializers::';
export const TIME_SERIALIZER = `${SERIALIZERS}TimeSerializer`;
export const TIME_WITH_ZONE_SERIALIZER = `${SERIALIZERS}TimeWithZoneSerializer`;
export const DATE_TIME_SERIALIZER = `${SERIALIZERS}DateTimeSerializer`;
export const DATE_SERIALIZER = `${SERIALIZERS}DateSerializer`;
export const DURATION_SERIALIZER = `${SERIALIZERS}DurationSerializer`;
export const SYMBOL_SERIALIZER = `${SERIALIZERS}SymbolSerializer`;
export const BIG_DECIMAL_SERIALIZER = `${SERIALIZERS}BigDecimalSerializer`;
export const MODULE_SERIALIZER = `${SERIALIZERS}ModuleSerializer`;
export const RANGE_SERIALIZER = `${SERIALIZERS}RangeSerializer`;

export type TimeSerializerName = typeof TIME_SERIALIZER | typeof TIME_WITH_ZONE_SERIALIZER | typeof DATE_TIME_SERIALIZER;
export const TIME_SERIALIZERS: readonly string[] = [TIME_SERIALIZER, TIME_WITH_ZONE_SERIALIZER, DATE_TIME_SERIALIZER];

const CONSTANT_NAME = /^[A-Z][A-Za-z0-9_]*(?:::[A-Z][A-Za-z0-9_]*)*$/;
const GID_APP = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const GID = /^gid:\/\/([^/?#]+)\/([^/?#]+)\/([^?#]+)(?:\?([^#]*))?$/;

/** Ruby's `CGI.escape`, as GlobalID uses for model ids. */
function cgiEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** A record reference, `{"_aj_globalid": "gid://app/Model/id"}`. */
export class GlobalId {
  private constructor(
    /** The URI exactly as written. */
    readonly uri: string,
    readonly app: string,
    /** The model's class name, e.g. `Lti::Grade`. */
    readonly modelName: string,
    /** The record id, unescaped (a composite id keeps its `/` separators). */
    readonly modelId: string,
    /** Query parameters of the URI, if any. */
    readonly params: Readonly<Record<string, string>>,
  ) {}

  /** Parses `gid://app/Model/id[?params]`; returns null when `uri` is not one. */
  static tryParse(uri: unknown): GlobalId | null {
    if (typeof uri !== 'string') return null;
    const m = GID.exec(uri);
    if (!m) return null;
    const [, app = '', modelName = '', rawId = '', query] = m;
    if (!GID_APP.test(app) || !CONSTANT_NAME.test(modelName)) return null;
    let modelId: string;
    try {
      modelId = decodeURIComponent(rawId.replace(/\+/g, ' '));
    } catch {
      return null;
    }
    if (modelId.split('/').some((part) => part === '')) return null;
    const params: Record<string, string> = Object.create(null);
    if (query !== undefined) {
      for (const [k, v] of new URLSearchParams(query)) params[k] = v;
    }
    return new GlobalId(uri, app, modelName, modelId, Object.freeze(params));
  }

  /** Parses `gid://app/Model/id[?params]`; throws a TypeError when `uri` is not one. */
  static parse(uri: string): GlobalId {
    const gid = GlobalId.tryParse(uri);
    if (!gid) {
      throw new TypeError(`${JSON.stringify(uri)} is not a GlobalID URI; expected gid://app/Model::Name/id`);
    }
    return gid;
  }

  /** Builds the GlobalID of a record, as `GlobalID.create(record, app:)` would. */
  static create(app: string, modelName: string, modelId: string | number, params?: Readonly<Record<string, string>>): GlobalId {
    const query = params && Object.keys(params).length > 0 ? `?${new URLSearchParams(params as Record<string, string>).toString()}` : '';
    return GlobalId.parse(`gid://${app}/${modelName}/${cgiEscape(String(modelId))}${query}`);
  }

  toString(): string {
    return this.uri;
  }
}

/** A Ruby Symbol (`SymbolSerializer`). */
export class RubySymbol {
  constructor(readonly name: string) {
    if (typeof name !== 'string') throw new TypeError('a RubySymbol needs a string name');
  }

  toString(): string {
    return this.name;
  }
}

/**
 * A Ruby Time, ActiveSupport::TimeWithZone or DateTime. Holds the timestamp
 * exactly as written (fractional digits and offset included), and which
 * serializer wrote it; `toDate()` gives a JS Date (millisecond precision).
 */
export class RubyTime {
  readonly iso: string;
  readonly serializer: TimeSerializerName;
  /** The zone name Rails 7.1+ writes next to a TimeWithZone (`time_zone`). */
  readonly timeZone: string | undefined;

  constructor(iso: string, serializer: TimeSerializerName = TIME_SERIALIZER, timeZone?: string) {
    parseTimestamp(iso);
    if (!TIME_SERIALIZERS.includes(serializer)) throw new TypeError(`${serializer} is not a time serializer`);
    if (timeZone !== undefined && (serializer !== TIME_WITH_ZONE_SERIALIZER || typeof timeZone !== 'string')) {
      throw new TypeError('only a TimeWithZone has a time zone name');
    }
    this.iso = iso;
    this.serializer = serializer;
    this.timeZone = timeZone;
  }

  /** A UTC time with nine fractional digits, as Rails writes `Time.now.utc`. */
  static fromDate(date: Date, serializer: TimeSerializerName = TIME_SERIALIZER): RubyTime {
    return new RubyTime(formatTimestamp(date), serializer);
  }

  get epochMilliseconds(): number {
    return tryParseTimestamp(this.iso);
  }

  toDate(): Date {
    return new Date(this.epochMilliseconds);
  }

  toString(): string {
    return this.iso;
  }
}

/** A Ruby Date (`DateSerializer`), `yyyy-mm-dd`. */
export class RubyDate {
  constructor(readonly iso: string) {
    if (typeof iso !== 'string' || Number.isNaN(parseIsoDate(iso))) {
      throw new TypeError(`${JSON.stringify(iso)} is not a date; expected yyyy-mm-dd`);
    }
  }

  static of(year: number, month: number, day: number): RubyDate {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    return new RubyDate(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
  }

  get year(): number {
    return Number(this.iso.slice(0, 4));
  }

  get month(): number {
    return Number(this.iso.slice(5, 7));
  }

  get day(): number {
    return Number(this.iso.slice(8, 10));
  }

  /** Midnight UTC of the date. */
  toDate(): Date {
    return new Date(parseIsoDate(this.iso));
  }

  toString(): string {
    return this.iso;
  }
}

/** ActiveSupport::Duration's units and their length in seconds. */
export const DURATION_UNIT_SECONDS = {
  years: 31_556_952,
  months: 2_629_746,
  weeks: 604_800,
  days: 86_400,
  hours: 3_600,
  minutes: 60,
  seconds: 1,
} as const;
export type DurationUnit = keyof typeof DURATION_UNIT_SECONDS;

export function isDurationUnit(unit: unknown): unit is DurationUnit {
  return typeof unit === 'string' && Object.hasOwn(DURATION_UNIT_SECONDS, unit);
}

/** An ActiveSupport::Duration (`DurationSerializer`): total seconds and the parts it was built from. */
export class RubyDuration {
  readonly parts: ReadonlyArray<readonly [DurationUnit, number]>;

  constructor(readonly seconds: number, parts: ReadonlyArray<readonly [DurationUnit, number]>) {
    if (!Number.isFinite(seconds)) throw new TypeError('a RubyDuration needs a finite number of seconds');
    for (const part of parts) {
      if (!isDurationUnit(part[0]) || !Number.isFinite(part[1])) {
        throw new TypeError(`invalid duration part ${JSON.stringify(part)}; units: ${Object.keys(DURATION_UNIT_SECONDS).join(', ')}`);
      }
    }
    this.parts = Object.freeze(parts.map(([unit, amount]) => Object.freeze([unit, amount] as const)));
  }

  /** `RubyDuration.of({ minutes: 90 })` is Ruby's `90.minutes` (5400 seconds). */
  static of(parts: Partial<Record<DurationUnit, number>>): RubyDuration {
    const list = (Object.keys(DURATION_UNIT_SECONDS) as DurationUnit[])
      .filter((unit) => parts[unit] !== undefined)
      .map((unit) => [unit, parts[unit] as number] as const);
    return new RubyDuration(list.reduce((sum, [unit, n]) => sum + n * DURATION_UNIT_SECONDS[unit], 0), list);
  }

  get milliseconds(): number {
    return this.seconds * 1000;
  }
}

/** A Ruby BigDecimal (`BigDecimalSerializer`, Rails 7.1+), kept as Ruby's `to_s`, e.g. `0.15e1`. */
export class RubyBigDecimal {
  constructor(readonly value: string) {
    if (typeof value !== 'string' || !/^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|NaN|[+-]?Infinity)$/i.test(value)) {
      throw new TypeError(`${JSON.stringify(value)} is not a BigDecimal`);
    }
  }

  /** The nearest JS number (precision may be lost). */
  toNumber(): number {
    return Number(this.value);
  }

  toString(): string {
    return this.value;
  }
}

/** A Ruby Module or Class given as an argument (`ModuleSerializer`). */
export class RubyModule {
  constructor(readonly name: string) {
    if (typeof name !== 'string' || !CONSTANT_NAME.test(name)) {
      throw new TypeError(`${JSON.stringify(name)} is not a Ruby constant name`);
    }
  }

  toString(): string {
    return this.name;
  }
}

/** A Ruby Range (`RangeSerializer`, Rails 7.1+); `begin`/`end` are any argument values, null when open. */
export class RubyRange {
  constructor(readonly begin: unknown, readonly end: unknown, readonly excludeEnd = false) {}
}

// ---------------------------------------------------------------------------
// Hash flavours. A JS object is a Ruby Hash with string keys unless marked.

const HASH_FLAVOUR: unique symbol = Symbol.for('xikolo-async.activejob.hash-flavour');

export type HashFlavour =
  /** A Hash whose listed keys (all keys with 'all') are Symbols: `_aj_symbol_keys`. */
  | { readonly kind: 'symbol_keys'; readonly symbolKeys: readonly string[] | 'all' }
  /** Keyword arguments (a ruby2_keywords Hash): `_aj_ruby2_keywords`. */
  | { readonly kind: 'ruby2_keywords'; readonly symbolKeys: readonly string[] | 'all' }
  /** A HashWithIndifferentAccess: `_aj_hash_with_indifferent_access`. */
  | { readonly kind: 'indifferent' };

function mark<T extends object>(obj: T, flavour: HashFlavour): T {
  Object.defineProperty(obj, HASH_FLAVOUR, { value: flavour, enumerable: false, configurable: true, writable: false });
  return obj;
}

/** The flavour an object was marked with, if any. */
export function hashFlavour(value: unknown): HashFlavour | undefined {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, HASH_FLAVOUR)) return undefined;
  return (value as { [HASH_FLAVOUR]: HashFlavour })[HASH_FLAVOUR];
}

/**
 * Marks `obj` (in place, with a non-enumerable marker; returns it) as Ruby
 * keyword arguments. The keys are Symbols, as keywords are, unless
 * `symbolKeys` lists which ones are.
 */
export function kwargs<T extends object>(obj: T, symbolKeys: readonly string[] | 'all' = 'all'): T {
  return mark(obj, { kind: 'ruby2_keywords', symbolKeys: freezeKeys(symbolKeys) });
}

export function isKeywordArguments(value: unknown): value is Record<string, unknown> {
  return hashFlavour(value)?.kind === 'ruby2_keywords';
}

/** Marks `obj` (in place; returns it) as a Hash with Symbol keys: all of them, or those listed. */
export function symbolKeys<T extends object>(obj: T, keys: readonly string[] | 'all' = 'all'): T {
  return mark(obj, { kind: 'symbol_keys', symbolKeys: freezeKeys(keys) });
}

/** Marks `obj` (in place; returns it) as a HashWithIndifferentAccess. */
export function withIndifferentAccess<T extends object>(obj: T): T {
  return mark(obj, { kind: 'indifferent' });
}

export function isIndifferentAccess(value: unknown): boolean {
  return hashFlavour(value)?.kind === 'indifferent';
}

/** The keys of `obj` that are Ruby Symbols, in key order. */
export function symbolKeysOf(obj: object): string[] {
  const flavour = hashFlavour(obj);
  const keys = Object.keys(obj);
  if (!flavour || flavour.kind === 'indifferent') return [];
  if (flavour.symbolKeys === 'all') return keys;
  const listed = new Set(flavour.symbolKeys);
  return keys.filter((key) => listed.has(key));
}

function freezeKeys(keys: readonly string[] | 'all'): readonly string[] | 'all' {
  return keys === 'all' ? keys : Object.freeze([...keys]);
}
