import { describe, expect, it } from '@jest/globals';
import { filterSchema, matchesFilter, type Filter } from './filter.js';

const envelope = {
  id: 'evt_1',
  type: 'sale.created',
  timestamp: '2024-05-01T12:00:00.000Z',
  data: {
    sale: { amount: 4200, currency: 'usd', refunded: false, note: null, at: '2024-05-01T11:59:00Z' },
    tags: ['vip', 'eu'],
    scores: [3, 10],
    items: [{ sku: 'a-1' }],
    count: '7',
  },
};

// [filter, matches]: every row is also run through filterSchema, so the table only holds valid filters.
const matching: [string, Filter | null | undefined, boolean][] = [
  ['null matches everything', null, true],
  ['undefined matches everything', undefined, true],
  ['literal equality on type', { type: 'sale.created' }, true],
  ['literal equality false', { type: 'lead.created' }, false],
  ['literal equality on a nested path', { 'data.sale.currency': 'usd' }, true],
  ['literal null equals null', { 'data.sale.note': null }, true],
  ['literal null never equals missing', { 'data.sale.nothing': null }, false],
  ['literal boolean', { 'data.sale.refunded': false }, true],
  ['$eq true', { 'data.sale.amount': { $eq: 4200 } }, true],
  ['$eq false', { 'data.sale.amount': { $eq: 4201 } }, false],
  ['$eq missing', { 'data.nope': { $eq: 1 } }, false],
  ['$eq never crosses types', { 'data.count': { $eq: 7 } }, false],
  ['$eq never equals an object', { 'data.sale': { $eq: 'x' } }, false],
  ['$ne true', { 'data.sale.currency': { $ne: 'eur' } }, true],
  ['$ne false', { 'data.sale.currency': { $ne: 'usd' } }, false],
  ['$ne true when missing', { 'data.nope': { $ne: 'usd' } }, true],
  ['$ne null on a null value', { 'data.sale.note': { $ne: null } }, false],
  ['$gt true', { 'data.sale.amount': { $gt: 4199 } }, true],
  ['$gt false on equal', { 'data.sale.amount': { $gt: 4200 } }, false],
  ['$gte true on equal', { 'data.sale.amount': { $gte: 4200 } }, true],
  ['$gte false', { 'data.sale.amount': { $gte: 4201 } }, false],
  ['$lt true', { 'data.sale.amount': { $lt: 5000 } }, true],
  ['$lt false', { 'data.sale.amount': { $lt: 4200 } }, false],
  ['$lte true on equal', { 'data.sale.amount': { $lte: 4200 } }, true],
  ['$lte false', { 'data.sale.amount': { $lte: 4199 } }, false],
  ['comparison false when missing', { 'data.nope': { $lt: 1 } }, false],
  ['number never compares with a string', { 'data.count': { $gt: 1 } }, false],
  ['string never compares with a number', { 'data.sale.amount': { $gt: '1' } }, false],
  ['comparison false on a boolean', { 'data.sale.refunded': { $lt: 'z' } }, false],
  ['ISO times compare as strings', { timestamp: { $gte: '2024-05-01T00:00:00Z', $lt: '2024-05-02' } }, true],
  ['range is an AND of operators', { 'data.sale.amount': { $gte: 1, $lt: 100 } }, false],
  ['$in true', { 'data.sale.currency': { $in: ['eur', 'usd'] } }, true],
  ['$in false', { 'data.sale.currency': { $in: ['eur', 'gbp'] } }, false],
  ['$in false when missing', { 'data.nope': { $in: [null] } }, false],
  ['$in is type-strict', { 'data.count': { $in: [7] } }, false],
  ['$nin true', { type: { $nin: ['lead.created'] } }, true],
  ['$nin false', { type: { $nin: ['sale.created'] } }, false],
  ['$nin true when missing', { 'data.nope': { $nin: ['x'] } }, true],
  ['$exists true on a present value', { 'data.sale.amount': { $exists: true } }, true],
  ['$exists true on a null value', { 'data.sale.note': { $exists: true } }, true],
  ['$exists true on missing', { 'data.nope': { $exists: true } }, false],
  ['$exists false on missing', { 'data.nope': { $exists: false } }, true],
  ['$exists false on present', { 'data.sale': { $exists: false } }, false],
  ['reading through a non-object is missing', { 'data.sale.amount.x': { $exists: true } }, false],
  ['prototype keys are missing', { 'data.constructor': { $exists: true } }, false],
  ['array: equality matches any element', { 'data.tags': 'eu' }, true],
  ['array: equality false when no element matches', { 'data.tags': 'us' }, false],
  ['array: $in matches any element', { 'data.tags': { $in: ['us', 'vip'] } }, true],
  ['array: $ne false when an element matches', { 'data.tags': { $ne: 'vip' } }, false],
  ['array: $nin false when an element matches', { 'data.tags': { $nin: ['vip'] } }, false],
  ['array: comparison matches any element', { 'data.scores': { $gt: 5 } }, true],
  ['array: numeric segment indexes', { 'data.items.0.sku': 'a-1' }, true],
  ['array: index out of range is missing', { 'data.items.1.sku': { $exists: false } }, true],
  ['multiple keys are ANDed (true)', { type: 'sale.created', 'data.sale.currency': 'usd' }, true],
  ['multiple keys are ANDed (false)', { type: 'sale.created', 'data.sale.currency': 'eur' }, false],
  ['$and true', { $and: [{ type: 'sale.created' }, { 'data.sale.amount': { $gt: 1 } }] }, true],
  ['$and false', { $and: [{ type: 'sale.created' }, { 'data.sale.amount': { $gt: 5000 } }] }, false],
  ['$or true', { $or: [{ type: 'lead.created' }, { 'data.tags': 'vip' }] }, true],
  ['$or false', { $or: [{ type: 'lead.created' }, { 'data.tags': 'us' }] }, false],
  [
    'nested $and/$or',
    { $and: [{ $or: [{ 'data.sale.currency': 'eur' }, { 'data.sale.amount': { $gte: 4000 } }] }, { id: 'evt_1' }] },
    true,
  ],
  ['$and beside a path', { $or: [{ type: 'x' }, { type: 'sale.created' }], 'data.sale.refunded': true }, false],
];

describe('matchesFilter', () => {
  it.each(matching)('%s', (_name, filter, expected) => {
    if (filter) expect(filterSchema.parse(filter)).toBe(filter);
    expect(matchesFilter(filter, envelope)).toBe(expected);
  });
});

const nest = (levels: number): unknown => (levels === 0 ? { type: 'x' } : { $and: [nest(levels - 1)] });
const manyConditions = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`data.f${i}`, i]));

// [name, input, expected error path, message fragment]
const invalid: [string, unknown, string, string][] = [
  ['non-object', 'type', 'filter', 'must be an object'],
  ['array', [{ type: 'x' }], 'filter', 'must be an object'],
  ['empty object', {}, 'filter', 'at least one condition'],
  ['unknown operator', { 'data.name': { $regex: '^a' } }, 'filter.data.name.$regex', 'unknown operator $regex'],
  ['unknown top-level operator', { $nor: [{ type: 'x' }] }, 'filter.$nor', 'unknown operator $nor'],
  ['empty $and', { $and: [] }, 'filter.$and', '$and takes a non-empty array'],
  ['$or not an array', { $or: { type: 'x' } }, 'filter.$or', '$or takes a non-empty array'],
  ['$and element not an object', { $and: [{ type: 'x' }, 'y'] }, 'filter.$and.1', 'must be filter objects'],
  ['empty object inside $and', { $and: [{ type: 'x' }, {}] }, 'filter.$and.1', 'at least one condition'],
  ['$in not an array', { type: { $in: 'x' } }, 'filter.type.$in', '$in takes an array of at most 100 values'],
  ['$nin too long', { type: { $nin: Array.from({ length: 101 }, (_, i) => i) } }, 'filter.type.$nin', 'at most 100'],
  ['$in with an object', { type: { $in: ['a', { b: 1 }] } }, 'filter.type.$in.1', '$in values must be'],
  ['$gt with a boolean', { 'data.amount': { $gt: true } }, 'filter.data.amount.$gt', '$gt compares numbers or strings'],
  ['$lte with null', { 'data.amount': { $lte: null } }, 'filter.data.amount.$lte', '$lte compares numbers or strings'],
  ['$exists non-boolean', { 'data.a': { $exists: 1 } }, 'filter.data.a.$exists', '$exists takes true or false'],
  ['$eq with an object', { 'data.a': { $eq: { b: 1 } } }, 'filter.data.a.$eq', '$eq takes a string, number'],
  ['$ne with an array', { 'data.a': { $ne: [1] } }, 'filter.data.a.$ne', '$ne takes a string, number'],
  ['non-finite number', { 'data.a': { $gt: Infinity } }, 'filter.data.a.$gt', 'compares numbers or strings'],
  ['array value', { 'data.tags': ['a', 'b'] }, 'filter.data.tags', 'value must be a string, number'],
  ['nested object instead of a path', { data: { sale: 1 } }, 'filter.data.sale', 'use a dot path'],
  ['empty operator object', { type: {} }, 'filter.type', 'at least one operator'],
  ['bad path', { 'data..amount': 1 }, 'filter.data..amount', 'path must be dot-separated names'],
  ['path with a dash', { 'data.sale-id': 1 }, 'filter.data.sale-id', 'path must be dot-separated names'],
  ['path too long', { 'a.b.c.d.e.f.g.h.i.j.k': 1 }, 'filter.a.b.c.d.e.f.g.h.i.j.k', 'at most 10 segments'],
  ['too deep', nest(6), `filter${'.$and.0'.repeat(5)}.$and`, 'nest at most 5 levels'],
  ['too many conditions', manyConditions, 'filter.data.f50', 'at most 50 conditions'],
  ['NUL in a literal (Postgres cannot store it)', { 'data.a': 'x\u0000' }, 'filter.data.a', 'must not contain NUL'],
  ['NUL in an operator value', { 'data.a': { $gte: '\u0000' } }, 'filter.data.a.$gte', 'must not contain NUL'],
  ['NUL in an $in value', { type: { $in: ['a', 'b\u0000'] } }, 'filter.type.$in.1', 'must not contain NUL'],
  [
    'an error inside nested $or',
    { $and: [{ $or: [{ type: 'x' }, { 'data.amount': { $gt: [] } }] }] },
    'filter.$and.0.$or.1.data.amount.$gt',
    '$gt compares numbers or strings',
  ],
];

/** What filterSchema says of a filter: ok, or each issue with its path from the field (`filter.…`). */
function validate(value: unknown): { ok: true } | { ok: false; errors: { path: string; message: string }[] } {
  const result = filterSchema.safeParse(value);
  if (result.success) return { ok: true };
  return { ok: false, errors: result.error.issues.map((issue) => ({ path: ['filter', ...issue.path].join('.'), message: issue.message })) };
}

describe('filterSchema: the grammar', () => {
  it.each(invalid)('rejects %s', (_name, input, path, message) => {
    const result = validate(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('accepts the deepest allowed nesting and the largest allowed size', () => {
    expect(validate(nest(5)).ok).toBe(true);
    const fifty = Object.fromEntries(Object.entries(manyConditions).slice(0, 50));
    expect(validate(fifty).ok).toBe(true);
  });

  it('counts each operator of an operator object as a condition', () => {
    const ranges = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`data.f${i}`, { $gte: 0, $lt: 1 }]));
    const result = validate(ranges);
    expect(result).toMatchObject({ ok: false, errors: [{ message: 'a filter has at most 50 conditions' }] });
  });

  it('stops early on hostile input instead of reporting every error', () => {
    const result = validate({ $or: Array.from({ length: 50 }, () => ({})) });
    expect(result.ok ? 0 : result.errors.length).toBeLessThanOrEqual(20);
  });
});

describe('filterSchema', () => {
  it('accepts null and valid filters unchanged', () => {
    expect(filterSchema.parse(null)).toBeNull();
    const filter = { type: 'sale.created', 'data.sale.amount': { $gte: 1 } };
    expect(filterSchema.parse(filter)).toBe(filter);
  });

  it('reports issues with paths relative to the field', () => {
    const result = filterSchema.safeParse({ $and: [{ 'data.amount': { $regex: 'x' } }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['$and.0.data.amount.$regex', 'unknown operator $regex'],
    ]);
  });
});
