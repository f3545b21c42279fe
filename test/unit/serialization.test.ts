import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ACTIVEJOB_FIXTURES } from '../support/shared';
import {
  ACTIVE_JOB_CLASS_ATTRIBUTE,
  ACTIVE_JOB_VERSION_ATTRIBUTE,
  ArgumentDeserializationError,
  ArgumentSerializationError,
  EnvelopeDecodeError,
  GlobalId,
  RubyBigDecimal,
  RubyDate,
  RubyDuration,
  RubyModule,
  RubyRange,
  RubySymbol,
  RubyTime,
  decodeEnvelope,
  deserializeArguments,
  encodeEnvelope,
  formatTimestamp,
  isIndifferentAccess,
  isKeywordArguments,
  kwargs,
  parseTimestamp,
  serializeArguments,
  symbolKeys,
  symbolKeysOf,
  withIndifferentAccess,
  type JobEnvelope,
} from '../../functions/runtime/jobs/serialization';

const fixtureDir = ACTIVEJOB_FIXTURES();

interface Fixture {
  name: string;
  body: string;
  jobClass: string;
}

const fixtures: Fixture[] = readdirSync(fixtureDir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const data = JSON.parse(readFileSync(path.join(fixtureDir, file), 'utf8')) as {
      body: string;
      messageAttributes: Record<string, { stringValue: string }>;
    };
    return { name: file.replace(/\.json$/, ''), body: data.body, jobClass: data.messageAttributes[ACTIVE_JOB_CLASS_ATTRIBUTE]!.stringValue };
  });

function fixture(name: string): Fixture {
  const found = fixtures.find((f) => f.name === name);
  if (!found) throw new Error(`fixture ${name} is missing`);
  return found;
}

function argsOf(name: string): unknown[] {
  return deserializeArguments(decodeEnvelope(fixture(name).body).arguments);
}

const SERIALIZERS = 'ActiveJob::Serializers::';

describe('Rails fixtures', () => {
  it('finds every fixture', () => {
    expect(fixtures.map((f) => f.name)).toEqual(expect.arrayContaining([
      'german_locale_timezone', 'globalid_record', 'mixed_args_and_kwargs', 'publish_grade', 'refresh_sitemap_reporting',
      'retried_execution', 'scheduled_with_set', 'serialized_values', 'store_submission_results', 'string_keys_nested',
      'symbol_keys', 'sync_videos_all', 'sync_videos_provider',
    ]));
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    it('decodes, with the job class of the SQS message attribute', () => {
      const envelope = decodeEnvelope(f.body);
      expect(envelope.job_class).toBe(f.jobClass);
      expect(envelope.job_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(envelope.enqueued_at).toBe('2026-12-04T15:33:49Z');
      expect(envelope).not.toHaveProperty('scheduled_at');
    });

    it('encodes back to the same bytes', () => {
      expect(encodeEnvelope(decodeEnvelope(f.body))).toBe(f.body);
    });

    it('round-trips the arguments byte for byte', () => {
      const wire = (JSON.parse(f.body) as { arguments: unknown[] }).arguments;
      const again = serializeArguments(deserializeArguments(wire));
      expect(JSON.stringify(again)).toBe(JSON.stringify(wire));
      // and through a second cycle, from JSON text as a consumer sees it
      expect(JSON.stringify(serializeArguments(deserializeArguments(JSON.parse(JSON.stringify(again)))))).toBe(JSON.stringify(wire));
    });
  });

  it('reads the envelope fields', () => {
    const retried = decodeEnvelope(fixture('retried_execution').body);
    expect(retried).toMatchObject({
      job_class: 'Proctoring::StoreSubmissionResultsJob',
      provider_job_id: null,
      queue_name: 'default',
      priority: 20,
      executions: 3,
      exception_executions: { '[Proctoring::ServiceError]': 2 },
      locale: 'en',
      timezone: 'UTC',
    });
    const german = decodeEnvelope(fixture('german_locale_timezone').body);
    expect([german.locale, german.timezone, german.priority]).toEqual(['de', 'Europe/Berlin', null]);
    expect(decodeEnvelope(fixture('refresh_sitemap_reporting').body).priority).toBe(30);
    expect(decodeEnvelope(fixture('scheduled_with_set').body).priority).toBe(0);
    expect(decodeEnvelope(fixture('sync_videos_all').body)).toMatchObject({ queue_name: 'long_running', arguments: [] });
    expect(parseTimestamp(german.enqueued_at!)).toBe(Date.UTC(2026, 11, 4, 15, 33, 49));
  });

  it('positional string arguments', () => {
    expect(argsOf('publish_grade')).toEqual(['0d4c1c9c-3a4e-4b8e-9d1e-2f5b8c7a6e01']);
    expect(argsOf('sync_videos_all')).toEqual([]);
  });

  it('a GlobalID record', () => {
    const [gid] = argsOf('globalid_record');
    expect(gid).toBeInstanceOf(GlobalId);
    const g = gid as GlobalId;
    expect([g.uri, g.app, g.modelName, g.modelId]).toEqual(['gid://xikolo/Lti::Grade/42', 'xikolo', 'Lti::Grade', '42']);
  });

  it('keyword arguments', () => {
    const [options] = argsOf('sync_videos_provider');
    expect(options).toEqual({ provider: 'a8f7e5d0-1111-4c3b-9e2a-0c9d8e7f6a55', full: true });
    expect(Object.keys(options as object)).toEqual(['provider', 'full']);
    expect(isKeywordArguments(options)).toBe(true);
    expect(symbolKeysOf(options as object)).toEqual(['provider', 'full']);
  });

  it('positional arguments followed by keyword arguments', () => {
    const [template, grade, options] = argsOf('mixed_args_and_kwargs');
    expect(template).toBe('welcome');
    expect((grade as GlobalId).modelName).toBe('Lti::Grade');
    expect((grade as GlobalId).modelId).toBe('7');
    expect(options).toEqual({ locale: 'de', retry: false });
    expect(isKeywordArguments(options)).toBe(true);
    expect(isKeywordArguments(template)).toBe(false);
  });

  it('a hash with symbol keys', () => {
    const [hash] = argsOf('symbol_keys');
    expect(hash).toEqual({ subject: 'Welcome', to: ['a@example.org'] });
    expect(symbolKeysOf(hash as object)).toEqual(['subject', 'to']);
    expect(isKeywordArguments(hash)).toBe(false);
  });

  it('string keys, nested hash and array', () => {
    const [hash] = argsOf('string_keys_nested');
    expect(hash).toEqual({ course: { code: 'py2026', sections: [1, 2, 3] } });
    const course = (hash as { course: object }).course;
    expect(symbolKeysOf(hash as object)).toEqual([]);
    expect(symbolKeysOf(course)).toEqual([]);
    expect(isKeywordArguments(hash)).toBe(false);
    expect(isKeywordArguments(course)).toBe(false);
  });

  it('Time, Date, Duration and Symbol', () => {
    const [time, date, duration, symbol] = argsOf('serialized_values');
    expect(time).toBeInstanceOf(RubyTime);
    expect((time as RubyTime).iso).toBe('2026-03-01T12:30:15.000000000Z');
    expect((time as RubyTime).serializer).toBe(`${SERIALIZERS}TimeSerializer`);
    expect((time as RubyTime).toDate().toISOString()).toBe('2026-03-01T12:30:15.000Z');
    expect(date).toBeInstanceOf(RubyDate);
    expect([(date as RubyDate).iso, (date as RubyDate).year, (date as RubyDate).month, (date as RubyDate).day]).toEqual(['2026-02-28', 2026, 2, 28]);
    expect(duration).toBeInstanceOf(RubyDuration);
    expect((duration as RubyDuration).seconds).toBe(5400);
    expect((duration as RubyDuration).parts).toEqual([['minutes', 90]]);
    expect((duration as RubyDuration).milliseconds).toBe(5_400_000);
    expect(symbol).toEqual(new RubySymbol('eventual'));
  });
});

describe('newer Rails bodies', () => {
  const rails71 = JSON.stringify({
    job_class: 'Lti::PublishGradeJob',
    job_id: '1cad6e05-e806-4a5f-97a8-532fa51c2164',
    provider_job_id: null,
    queue_name: 'default',
    priority: 10,
    arguments: [
      { _aj_serialized: `${SERIALIZERS}TimeWithZoneSerializer`, value: '2026-03-01T13:30:15.123456789+01:00', time_zone: 'Europe/Berlin' },
      { _aj_serialized: `${SERIALIZERS}DateTimeSerializer`, value: '2026-03-01T12:30:15.000000000+00:00' },
      { _aj_serialized: `${SERIALIZERS}BigDecimalSerializer`, value: '0.15e1' },
      { _aj_serialized: `${SERIALIZERS}ModuleSerializer`, value: 'Lti::Grade' },
      { _aj_serialized: `${SERIALIZERS}RangeSerializer`, begin: 1, end: null, exclude_end: true },
      { a: 1, _aj_hash_with_indifferent_access: true },
    ],
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'Europe/Berlin',
    enqueued_at: '2026-12-04T15:33:49.123456789Z',
    scheduled_at: '2026-12-04T16:00:00.000000000Z',
  });

  it('accepts scheduled_at and nine fractional digits, and writes the same bytes', () => {
    const envelope = decodeEnvelope(rails71);
    expect(envelope.enqueued_at).toBe('2026-12-04T15:33:49.123456789Z');
    expect(envelope.scheduled_at).toBe('2026-12-04T16:00:00.000000000Z');
    expect(parseTimestamp(envelope.enqueued_at!)).toBe(Date.UTC(2026, 11, 4, 15, 33, 49, 123));
    expect(parseTimestamp(envelope.scheduled_at!)).toBe(Date.UTC(2026, 11, 4, 16));
    expect(encodeEnvelope(envelope)).toBe(rails71);
  });

  it('reads the Rails 7.1 serializers and writes them back unchanged', () => {
    const wire = decodeEnvelope(rails71).arguments;
    const [twz, dateTime, decimal, mod, range, indifferent] = deserializeArguments(wire);
    expect(twz).toBeInstanceOf(RubyTime);
    expect((twz as RubyTime).timeZone).toBe('Europe/Berlin');
    expect((twz as RubyTime).toDate().toISOString()).toBe('2026-03-01T12:30:15.123Z');
    expect((dateTime as RubyTime).serializer).toBe(`${SERIALIZERS}DateTimeSerializer`);
    expect((dateTime as RubyTime).toDate().getTime()).toBe(Date.UTC(2026, 2, 1, 12, 30, 15));
    expect(decimal).toBeInstanceOf(RubyBigDecimal);
    expect((decimal as RubyBigDecimal).toNumber()).toBe(1.5);
    expect(mod).toBeInstanceOf(RubyModule);
    expect((mod as RubyModule).name).toBe('Lti::Grade');
    expect(range).toEqual(new RubyRange(1, null, true));
    expect(indifferent).toEqual({ a: 1 });
    expect(isIndifferentAccess(indifferent)).toBe(true);
    expect(JSON.stringify(serializeArguments([twz, dateTime, decimal, mod, range, indifferent]))).toBe(JSON.stringify(wire));
  });

  it('keeps keys it does not know, after the known ones', () => {
    const body = rails71.replace(/}$/, ',"custom":{"x":[1]}}');
    const envelope = decodeEnvelope(body);
    expect(envelope.custom).toEqual({ x: [1] });
    expect(encodeEnvelope(envelope)).toBe(body);
  });

  it('writes scheduled_at null when it is null, and nothing when it is absent', () => {
    const envelope = decodeEnvelope(rails71.replace('"2026-12-04T16:00:00.000000000Z"', 'null'));
    expect(envelope.scheduled_at).toBeNull();
    expect(encodeEnvelope(envelope)).toMatch(/"enqueued_at":"2026-12-04T15:33:49.123456789Z","scheduled_at":null}$/);
  });

  it('defaults the optional keys', () => {
    const minimal = '{"job_class":"RefreshSitemapJob","job_id":"x","queue_name":"default","arguments":[],"executions":0}';
    expect(decodeEnvelope(minimal)).toEqual({
      job_class: 'RefreshSitemapJob',
      job_id: 'x',
      provider_job_id: null,
      queue_name: 'default',
      priority: null,
      arguments: [],
      executions: 0,
      exception_executions: {},
      locale: 'en',
      timezone: 'UTC',
      enqueued_at: null,
    });
  });
});

describe('decodeEnvelope errors', () => {
  const base = JSON.parse(fixture('retried_execution').body) as Record<string, unknown>;
  const withKey = (key: string, value: unknown) => JSON.stringify({ ...base, [key]: value });
  const without = (key: string) => JSON.stringify(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key)));

  function reasonOf(body: string): EnvelopeDecodeError {
    try {
      decodeEnvelope(body);
    } catch (error) {
      expect(error).toBeInstanceOf(EnvelopeDecodeError);
      return error as EnvelopeDecodeError;
    }
    throw new Error('decodeEnvelope accepted the body');
  }

  it.each([
    ['invalid JSON', '{"job_class":', /not valid JSON/],
    ['a JSON array', '[1,2]', /must be a JSON object, got an array/],
    ['a JSON string', '"job"', /must be a JSON object/],
    ['JSON null', 'null', /must be a JSON object, got null/],
  ])('rejects %s', (_what, body, reason) => {
    expect(reasonOf(body).reason).toMatch(reason);
  });

  it.each([
    ['job_class', without('job_class')],
    ['job_class', withKey('job_class', '')],
    ['job_class', withKey('job_class', 42)],
    ['job_id', without('job_id')],
    ['job_id', withKey('job_id', 7)],
    ['queue_name', without('queue_name')],
    ['provider_job_id', withKey('provider_job_id', 5)],
    ['priority', withKey('priority', 'eventual')],
    ['priority', withKey('priority', 1.5)],
    ['arguments', without('arguments')],
    ['arguments', withKey('arguments', { a: 1 })],
    ['executions', without('executions')],
    ['executions', withKey('executions', -1)],
    ['executions', withKey('executions', 1.5)],
    ['executions', withKey('executions', '3')],
    ['exception_executions', withKey('exception_executions', [])],
    ['exception_executions', withKey('exception_executions', { '[Error]': 'two' })],
    ['locale', withKey('locale', 1)],
    ['timezone', withKey('timezone', false)],
    ['enqueued_at', withKey('enqueued_at', 'yesterday')],
    ['enqueued_at', withKey('enqueued_at', '2026-12-04T15:33:49.1234567890Z')],
    ['enqueued_at', withKey('enqueued_at', '2026-02-30T15:33:49Z')],
    ['enqueued_at', withKey('enqueued_at', 1733326429)],
    ['scheduled_at', withKey('scheduled_at', '2026-12-04 16:00:00')],
  ])('names the key %s', (key, body) => {
    const error = reasonOf(body);
    expect(error.key).toBe(key);
    expect(error.reason).toContain(`"${key}"`);
    expect(error.message).toContain(error.reason);
  });

  it('accepts null for the optional keys', () => {
    const envelope = decodeEnvelope(JSON.stringify({ ...base, priority: null, provider_job_id: null, exception_executions: null, locale: null, timezone: null, enqueued_at: null }));
    expect(envelope).toMatchObject({ priority: null, provider_job_id: null, exception_executions: {}, locale: 'en', timezone: 'UTC', enqueued_at: null });
  });
});

describe('timestamps', () => {
  it('formats as Rails 7.1 does, nine fractional digits', () => {
    expect(formatTimestamp(new Date(Date.UTC(2026, 11, 4, 15, 33, 49, 123)))).toBe('2026-12-04T15:33:49.123000000Z');
    expect(formatTimestamp(new Date(Date.UTC(2026, 0, 1)))).toBe('2026-01-01T00:00:00.000000000Z');
    expect(() => formatTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('parses 0 to 9 fractional digits and offsets', () => {
    const at = Date.UTC(2026, 11, 4, 15, 33, 49);
    expect(parseTimestamp('2026-12-04T15:33:49Z')).toBe(at);
    expect(parseTimestamp('2026-12-04T15:33:49.5Z')).toBe(at + 500);
    expect(parseTimestamp('2026-12-04T15:33:49.123999999Z')).toBe(at + 123);
    expect(parseTimestamp('2026-12-04T16:33:49+01:00')).toBe(at);
    expect(parseTimestamp('2026-12-04T10:03:49.000000000-05:30')).toBe(at);
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp(formatTimestamp(new Date(at + 7)))).toBe(at + 7);
  });

  it.each(['2026-12-04', '2026-12-04T15:33Z', '2026-12-04T15:33:49', '2026-13-01T00:00:00Z', '2025-02-29T00:00:00Z', '2026-12-04T24:00:00Z', '2026-12-04T15:33:49+0100', ' 2026-12-04T15:33:49Z'])(
    'rejects %j',
    (s) => {
      expect(() => parseTimestamp(s)).toThrow(RangeError);
    },
  );
});

describe('serializeArguments from TS values', () => {
  it('writes a JS Date as a TimeSerializer value with nine digits', () => {
    expect(serializeArguments([new Date(Date.UTC(2026, 2, 1, 12, 30, 15, 250))])).toEqual([
      { _aj_serialized: `${SERIALIZERS}TimeSerializer`, value: '2026-03-01T12:30:15.250000000Z' },
    ]);
  });

  it('writes plain objects as string-keyed hashes, marker last', () => {
    expect(JSON.stringify(serializeArguments([{ course: { code: 'py2026', sections: [1, 2, 3] } }]))).toBe(
      '[{"course":{"code":"py2026","sections":[1,2,3],"_aj_symbol_keys":[]},"_aj_symbol_keys":[]}]',
    );
  });

  it('writes kwargs(), symbolKeys() and withIndifferentAccess() objects', () => {
    expect(JSON.stringify(serializeArguments([kwargs({ provider: 'p', full: true })]))).toBe('[{"provider":"p","full":true,"_aj_ruby2_keywords":["provider","full"]}]');
    expect(JSON.stringify(serializeArguments([symbolKeys({ subject: 'Hi', 'x-y': 1 }, ['subject'])]))).toBe('[{"subject":"Hi","x-y":1,"_aj_symbol_keys":["subject"]}]');
    expect(JSON.stringify(serializeArguments([withIndifferentAccess({ a: 1 })]))).toBe('[{"a":1,"_aj_hash_with_indifferent_access":true}]');
  });

  it('does not show the markers as keys', () => {
    const marked = kwargs({ a: 1 });
    expect(Object.keys(marked)).toEqual(['a']);
    expect(JSON.stringify(marked)).toBe('{"a":1}');
    expect(isKeywordArguments({ ...marked })).toBe(false);
  });

  it('writes the value classes', () => {
    expect(serializeArguments([
      GlobalId.create('xikolo', 'Course::Enrollment', 'a b/c'),
      new RubySymbol('eventual'),
      RubyDuration.of({ hours: 1, minutes: 30 }),
      RubyDate.of(2026, 2, 28),
      RubyTime.fromDate(new Date(Date.UTC(2026, 2, 1))),
    ])).toEqual([
      { _aj_globalid: 'gid://xikolo/Course::Enrollment/a+b%2Fc' },
      { _aj_serialized: `${SERIALIZERS}SymbolSerializer`, value: 'eventual' },
      {
        _aj_serialized: `${SERIALIZERS}DurationSerializer`,
        value: 5400,
        parts: [[{ _aj_serialized: `${SERIALIZERS}SymbolSerializer`, value: 'hours' }, 1], [{ _aj_serialized: `${SERIALIZERS}SymbolSerializer`, value: 'minutes' }, 30]],
      },
      { _aj_serialized: `${SERIALIZERS}DateSerializer`, value: '2026-02-28' },
      { _aj_serialized: `${SERIALIZERS}TimeSerializer`, value: '2026-03-01T00:00:00.000000000Z' },
    ]);
    expect(GlobalId.parse('gid://xikolo/Course::Enrollment/a+b%2Fc').modelId).toBe('a b/c');
  });

  it('gives an unmarked hash (never written by Rails) the string-keys marker', () => {
    expect(JSON.stringify(serializeArguments(deserializeArguments([{ a: 1 }])))).toBe('[{"a":1,"_aj_symbol_keys":[]}]');
  });

  it('keeps a __proto__ key as data', () => {
    const wire = JSON.parse('[{"__proto__":{"x":1,"_aj_symbol_keys":["x"]},"_aj_symbol_keys":[]}]') as unknown[];
    const [hash] = deserializeArguments(wire);
    expect(Object.getPrototypeOf(hash)).toBe(Object.prototype);
    expect(Object.keys(hash as object)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(hash, '__proto__')?.value).toEqual({ x: 1 });
    expect(JSON.stringify(serializeArguments([hash]))).toBe(JSON.stringify(wire));
  });

  it('round-trips generated arguments', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
      fc.boolean(),
      fc.constant(null),
      fc.string({ minLength: 1 }).map((s) => new RubySymbol(s)),
      fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0)), noInvalidDate: true }).map((d) => RubyTime.fromDate(d)),
      fc.nat(1_000_000).map((id) => GlobalId.create('xikolo', 'Lti::Grade', id)),
    );
    const key = fc.string().filter((k) => !k.startsWith('_aj_') && !/^\d+$/.test(k));
    const value = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('value'), { maxLength: 3 }),
        fc.tuple(fc.dictionary(key, tie('value'), { maxKeys: 3 }), fc.integer({ min: 0, max: 3 })).map(([obj, flavour]) =>
          flavour === 0 ? obj : flavour === 1 ? kwargs(obj) : flavour === 2 ? symbolKeys(obj) : withIndifferentAccess(obj),
        ),
      ),
    })).value;
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), (args) => {
        const wire = JSON.stringify(serializeArguments(args));
        const back = deserializeArguments(JSON.parse(wire));
        expect(JSON.stringify(serializeArguments(back))).toBe(wire);
      }),
      { numRuns: 300 },
    );
  });
});

describe('serializeArguments errors', () => {
  function errorOf(args: unknown[]): ArgumentSerializationError {
    try {
      serializeArguments(args);
    } catch (error) {
      expect(error).toBeInstanceOf(ArgumentSerializationError);
      return error as ArgumentSerializationError;
    }
    throw new Error('serializeArguments accepted the arguments');
  }

  class Course {
    constructor(readonly code: string) {}
  }

  it.each([
    ['a function', [1, 2, { course: () => 1 }], 'arguments[2].course', /a function is not accepted; accepted: .*GlobalId/],
    ['undefined', [undefined], 'arguments[0]', /undefined is not accepted/],
    ['undefined in an object', [{ a: { b: undefined } }], 'arguments[0].a.b', /undefined/],
    ['a JS symbol value', [[Symbol('x')]], 'arguments[0][0]', /JS symbol/],
    ['a bigint', [10n], 'arguments[0]', /bigint/],
    ['NaN', [{ n: Number.NaN }], 'arguments[0].n', /finite numbers/],
    ['Infinity', [Infinity], 'arguments[0]', /finite numbers/],
    ['a class instance', ['x', { course: new Course('py') }], 'arguments[1].course', /an instance of Course is not accepted/],
    ['a Map', [new Map([['a', 1]])], 'arguments[0]', /an instance of Map/],
    ['an invalid Date', [new Date(Number.NaN)], 'arguments[0]', /invalid Date/],
    ['symbol keys', [{ [Symbol('k')]: 1 }], 'arguments[0]', /JS symbol keys .* not accepted; only string keys/],
    ['a reserved key', [{ ok: { _aj_globalid: 'gid://xikolo/Lti::Grade/1' } }], 'arguments[0].ok._aj_globalid', /reserved key "_aj_globalid"/],
    ['a reserved marker key', [{ _aj_symbol_keys: [] }], 'arguments[0]._aj_symbol_keys', /reserved key/],
    ['an odd key', [{ 'a-b': () => 1 }], 'arguments[0]["a-b"]', /function/],
    ['a range bound', [new RubyRange(1, () => 2)], 'arguments[0].end', /function/],
  ])('rejects %s with its path', (_what, args, where, problem) => {
    const error = errorOf(args);
    expect(error.path).toBe(where);
    expect(error.message).toContain(where);
    expect(error.problem).toMatch(problem);
  });

  it('rejects circular structures', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(errorOf([a]).path).toBe('arguments[0].self');
  });

  it('accepts the same object twice when it is not circular', () => {
    const shared = { a: 1 };
    expect(serializeArguments([shared, [shared]])).toHaveLength(2);
  });
});

describe('deserializeArguments errors', () => {
  function errorOf(wire: unknown): ArgumentDeserializationError {
    try {
      deserializeArguments(wire);
    } catch (error) {
      expect(error).toBeInstanceOf(ArgumentDeserializationError);
      return error as ArgumentDeserializationError;
    }
    throw new Error('deserializeArguments accepted the arguments');
  }

  it.each([
    ['not an array', { a: 1 }, 'arguments', /expected an array/],
    ['an unknown serializer', [1, { _aj_serialized: 'MoneySerializer', value: 1 }], 'arguments[1]._aj_serialized', /unknown serializer "MoneySerializer"; known: .*SymbolSerializer/],
    ['a bad GlobalID', [{ x: { _aj_globalid: 'gid://xikolo/Grade' } }], 'arguments[0].x', /not a GlobalID/],
    ['a lower-case GlobalID model', [{ _aj_globalid: 'gid://xikolo/grade/1' }], 'arguments[0]', /not a GlobalID/],
    ['a bad time', [{ _aj_serialized: `${SERIALIZERS}TimeSerializer`, value: 'noon' }], 'arguments[0].value', /invalid .*TimeSerializer value/],
    ['a bad date', [{ _aj_serialized: `${SERIALIZERS}DateSerializer`, value: '2026-02-30' }], 'arguments[0].value', /yyyy-mm-dd/],
    ['a symbol without a name', [{ _aj_serialized: `${SERIALIZERS}SymbolSerializer` }], 'arguments[0].value', /needs the symbol name as a string/],
    ['an extra key', [{ _aj_serialized: `${SERIALIZERS}SymbolSerializer`, value: 'a', x: 1 }], 'arguments[0].x', /unexpected key/],
    ['a bad duration part', [{ _aj_serialized: `${SERIALIZERS}DurationSerializer`, value: 60, parts: [['minutes', 1]] }], 'arguments[0].parts[0]', /unit symbol/],
    ['a bad duration value', [{ _aj_serialized: `${SERIALIZERS}DurationSerializer`, value: '60', parts: [] }], 'arguments[0].value', /number of seconds/],
    ['bad symbol keys', [{ a: 1, _aj_symbol_keys: 'a' }], 'arguments[0]._aj_symbol_keys', /array of key names/],
    ['two markers', [{ a: 1, _aj_symbol_keys: [], _aj_ruby2_keywords: [] }], 'arguments[0]', /at most one/],
    ['a globalid key beside others', [{ _aj_globalid: 'gid://xikolo/Lti::Grade/1', a: 1 }], 'arguments[0]._aj_globalid', /reserved/],
    ['a nested undefined', [[1, undefined]], 'arguments[0][1]', /undefined is not accepted/],
  ])('rejects %s with its path', (_what, wire, where, problem) => {
    const error = errorOf(wire);
    expect(error.path).toBe(where);
    expect(error.message).toContain(where);
    expect(error.problem).toMatch(problem);
  });
});

describe('GlobalId', () => {
  it('parses model names with namespaces, composite ids and params', () => {
    const gid = GlobalId.parse('gid://xikolo-web/Course::Section::Item/12/34?tenant=open');
    expect([gid.app, gid.modelName, gid.modelId, gid.params.tenant]).toEqual(['xikolo-web', 'Course::Section::Item', '12/34', 'open']);
    expect(String(gid)).toBe('gid://xikolo-web/Course::Section::Item/12/34?tenant=open');
  });

  it.each(['gid://xikolo/Lti::Grade', 'http://xikolo/Lti::Grade/1', 'gid://xikolo/Lti::Grade/', 'gid:///Lti::Grade/1', 'gid://xikolo/Lti:Grade/1', 'gid://xikolo/Lti::Grade/%zz'])(
    'rejects %j',
    (uri) => {
      expect(() => GlobalId.parse(uri)).toThrow(/not a GlobalID URI/);
      expect(GlobalId.tryParse(uri)).toBeNull();
    },
  );
});

describe('constants and types', () => {
  it('names the SQS message attributes of AWS’s adapter', () => {
    expect(ACTIVE_JOB_CLASS_ATTRIBUTE).toBe('aws_sqs_active_job_class');
    expect(ACTIVE_JOB_VERSION_ATTRIBUTE).toBe('aws_sqs_active_job_version');
  });

  it('encodes a built envelope in Rails key order', () => {
    const envelope: JobEnvelope = {
      scheduled_at: formatTimestamp(new Date(Date.UTC(2026, 0, 1, 0, 10))),
      enqueued_at: formatTimestamp(new Date(Date.UTC(2026, 0, 1))),
      timezone: 'UTC',
      locale: 'en',
      exception_executions: {},
      executions: 0,
      arguments: serializeArguments([kwargs({ provider: 'p' })]),
      priority: 20,
      queue_name: 'long_running',
      provider_job_id: null,
      job_id: 'j',
      job_class: 'Video::SyncVideosJob',
    };
    expect(encodeEnvelope(envelope)).toBe(
      '{"job_class":"Video::SyncVideosJob","job_id":"j","provider_job_id":null,"queue_name":"long_running","priority":20,' +
        '"arguments":[{"provider":"p","_aj_ruby2_keywords":["provider"]}],"executions":0,"exception_executions":{},"locale":"en",' +
        '"timezone":"UTC","enqueued_at":"2026-01-01T00:00:00.000000000Z","scheduled_at":"2026-01-01T00:10:00.000000000Z"}',
    );
  });
});
