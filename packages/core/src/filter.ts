import { z } from 'zod';

// The outbound-webhook filter: a small MongoDB-like JSON grammar over the event envelope
// (`{ id, type, timestamp, data }`). Validation and matching are pure and bounded, so a stored
// filter costs at most MAX_CONDITIONS cheap comparisons per event.
//
// Decisions the contract leaves open:
// - `{}` is invalid; "no filter" is `null`.
// - An operator object may hold several operators (`{ "$gte": 1, "$lt": 5 }`); they are ANDed.
// - Unknown `$` keys are invalid (at either level), so a typo never silently matches everything.
// - A path segment that is all digits indexes into an array (`data.items.0.sku`); otherwise arrays
//   are not traversed. When a path resolves to an array, `$eq`/`$in`/`$gt`…`$lte` match if any
//   element matches, and `$ne`/`$nin` match only if no element matches (as MongoDB does).

export type FilterLiteral = string | number | boolean | null;

export interface FilterOperators {
  $eq?: FilterLiteral;
  $ne?: FilterLiteral;
  $gt?: number | string;
  $gte?: number | string;
  $lt?: number | string;
  $lte?: number | string;
  $in?: readonly FilterLiteral[];
  $nin?: readonly FilterLiteral[];
  $exists?: boolean;
}

/** A literal means equality; an object holds one or more operators. */
export type FilterCondition = FilterLiteral | FilterOperators;

/** Keys are `$and`, `$or` or dot paths; several keys are ANDed. */
export interface Filter {
  $and?: Filter[];
  $or?: Filter[];
  [path: string]: FilterCondition | Filter[] | undefined;
}

export const FILTER_LIMITS = {
  /** Path conditions in the whole filter; each operator of an operator object counts once. */
  maxConditions: 50,
  /** Levels of `$and`/`$or` nesting. */
  maxDepth: 5,
  maxInValues: 100,
  maxPathSegments: 10,
  maxPathLength: 256,
} as const;

const MAX_ERRORS = 20;
const PATH_PATTERN = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
const COMPARISONS = ['$gt', '$gte', '$lt', '$lte'] as const;
const OPERATORS = new Set<string>(['$eq', '$ne', ...COMPARISONS, '$in', '$nin', '$exists']);
type Comparison = (typeof COMPARISONS)[number];
const isComparison = (op: string): op is Comparison => (COMPARISONS as readonly string[]).includes(op);

type Segment = string | number;
type FilterIssue = { path: Segment[]; message: string };
type Walk = { issues: FilterIssue[]; conditions: number };

/**
 * For route bodies: `null` (no filter) or a valid filter; issue paths are relative to the field. A refinement
 * rather than a transform, so the schema stays representable as JSON Schema. Wrap in `.optional()` for PATCH.
 */
export const filterSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === null) return;
    for (const issue of collectIssues(value)) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  })
  .meta({ description: 'Event filter (see the filter grammar), or null for none' }) as z.ZodType<Filter | null>;

function collectIssues(value: unknown): FilterIssue[] {
  const state: Walk = { issues: [], conditions: 0 };
  if (!isPlainObject(value)) {
    state.issues.push({ path: [], message: 'filter must be an object (use null for no filter)' });
  } else {
    walkFilter(state, value, [], 0);
  }
  return state.issues;
}

// Stop early once the filter is known to be too big or badly broken, so hostile input costs little.
const exhausted = (state: Walk) =>
  state.conditions > FILTER_LIMITS.maxConditions || state.issues.length >= MAX_ERRORS;

function walkFilter(state: Walk, filter: Record<string, unknown>, path: Segment[], depth: number): void {
  const keys = Object.keys(filter);
  if (keys.length === 0) {
    state.issues.push({ path, message: 'filter must have at least one condition (use null for no filter)' });
  }
  for (const key of keys) {
    if (exhausted(state)) return;
    const value = filter[key];
    const at = [...path, key];
    if (key === '$and' || key === '$or') {
      walkBranches(state, key, value, at, depth + 1);
    } else if (key.startsWith('$')) {
      state.issues.push({ path: at, message: `unknown operator ${key} (only $and and $or combine filters)` });
    } else if (!PATH_PATTERN.test(key) || key.length > FILTER_LIMITS.maxPathLength) {
      const max = FILTER_LIMITS.maxPathLength;
      const message = `path must be dot-separated names (letters, digits, _), at most ${max} characters`;
      state.issues.push({ path: at, message });
    } else if (key.split('.').length > FILTER_LIMITS.maxPathSegments) {
      state.issues.push({ path: at, message: `path has at most ${FILTER_LIMITS.maxPathSegments} segments` });
    } else {
      walkCondition(state, value, at);
    }
  }
}

function walkBranches(state: Walk, key: string, value: unknown, path: Segment[], depth: number): void {
  const max = FILTER_LIMITS.maxConditions;
  if (!Array.isArray(value) || value.length === 0 || value.length > max) {
    state.issues.push({ path, message: `${key} takes a non-empty array of at most ${max} filters` });
    return;
  }
  if (depth > FILTER_LIMITS.maxDepth) {
    state.issues.push({ path, message: `$and/$or nest at most ${FILTER_LIMITS.maxDepth} levels deep` });
    return;
  }
  value.forEach((branch: unknown, index) => {
    if (exhausted(state)) return;
    if (isPlainObject(branch)) walkFilter(state, branch, [...path, index], depth);
    else state.issues.push({ path: [...path, index], message: `${key} elements must be filter objects` });
  });
}

function walkCondition(state: Walk, condition: unknown, path: Segment[]): void {
  if (isLiteral(condition)) {
    if (hasNul(condition)) state.issues.push({ path, message: NUL_MESSAGE });
    else countCondition(state, path);
    return;
  }
  if (!isPlainObject(condition)) {
    state.issues.push({ path, message: 'value must be a string, number, boolean, null or an operator object' });
    return;
  }
  const operators = Object.keys(condition);
  if (operators.length === 0) state.issues.push({ path, message: 'operator object needs at least one operator' });
  for (const op of operators) {
    if (exhausted(state)) return;
    const message = checkOperator(op, condition[op]) ?? nulIssue(condition[op]);
    if (message === null) countCondition(state, [...path, op]);
    else state.issues.push({ path: [...path, op, ...message.at], message: message.text });
  }
}

function checkOperator(op: string, value: unknown): { at: Segment[]; text: string } | null {
  const fail = (text: string, at: Segment[] = []) => ({ at, text });
  if (!op.startsWith('$')) return fail('operator objects hold only operators; use a dot path to reach nested fields');
  if (!OPERATORS.has(op)) return fail(`unknown operator ${op}`);
  switch (op) {
    case '$eq':
    case '$ne':
      return isLiteral(value) ? null : fail(`${op} takes a string, number, boolean or null`);
    case '$exists':
      return typeof value === 'boolean' ? null : fail('$exists takes true or false');
    case '$in':
    case '$nin': {
      if (!Array.isArray(value) || value.length > FILTER_LIMITS.maxInValues) {
        return fail(`${op} takes an array of at most ${FILTER_LIMITS.maxInValues} values`);
      }
      const bad = value.findIndex((item: unknown) => !isLiteral(item));
      return bad === -1 ? null : fail(`${op} values must be strings, numbers, booleans or null`, [bad]);
    }
    default: // $gt, $gte, $lt, $lte
      return isComparable(value) ? null : fail(`${op} compares numbers or strings`);
  }
}

// Filters are stored (as jsonb), and Postgres cannot store U+0000: a NUL in a value is refused
// here, so the API answers 400 instead of failing on insert. Values are checked after their shape,
// so this looks at one literal or one bounded $in/$nin array.
const NUL_MESSAGE = 'strings must not contain NUL characters';
const hasNul = (value: unknown) => typeof value === 'string' && value.includes('\0');

function nulIssue(value: unknown): { at: Segment[]; text: string } | null {
  if (hasNul(value)) return { at: [], text: NUL_MESSAGE };
  const index = Array.isArray(value) ? value.findIndex(hasNul) : -1;
  return index === -1 ? null : { at: [index], text: NUL_MESSAGE };
}

function countCondition(state: Walk, path: Segment[]): void {
  state.conditions += 1;
  if (state.conditions === FILTER_LIMITS.maxConditions + 1) {
    state.issues.push({ path, message: `a filter has at most ${FILTER_LIMITS.maxConditions} conditions` });
  }
}

// Matching. Filters are validated on write; the matcher still fails closed (no match) on anything it
// does not understand, and never throws.

export interface FilterEnvelope {
  type: string;
  data: unknown;
  [key: string]: unknown;
}

const MISSING = Symbol('missing');

export function matchesFilter(filter: Filter | null | undefined, envelope: FilterEnvelope): boolean {
  if (filter === null || filter === undefined) return true;
  return matchFilter(filter, envelope);
}

function matchFilter(filter: Filter, envelope: FilterEnvelope): boolean {
  return Object.keys(filter).every((key) => {
    const value = filter[key];
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) return false;
      const branches = value as Filter[];
      const matches = (branch: Filter) => isPlainObject(branch) && matchFilter(branch, envelope);
      return key === '$and' ? branches.every(matches) : branches.some(matches);
    }
    if (key.startsWith('$')) return false;
    return matchCondition(value as FilterCondition, resolvePath(envelope, key));
  });
}

function matchCondition(condition: FilterCondition, actual: unknown): boolean {
  if (isLiteral(condition)) return matchOperator('$eq', condition, actual);
  if (!isPlainObject(condition)) return false;
  return Object.keys(condition).every((op) => matchOperator(op, (condition as Record<string, unknown>)[op], actual));
}

function matchOperator(op: string, expected: unknown, actual: unknown): boolean {
  if (op === '$exists') return (actual !== MISSING) === expected;
  if (actual === MISSING) return op === '$ne' || op === '$nin';
  const candidates = Array.isArray(actual) ? actual : [actual];
  const anyIn = (values: unknown) =>
    Array.isArray(values) && candidates.some((c) => values.some((e: unknown) => equals(c, e)));
  if (op === '$eq') return anyIn([expected]);
  if (op === '$ne') return !anyIn([expected]);
  if (op === '$in') return anyIn(expected);
  if (op === '$nin') return Array.isArray(expected) && !anyIn(expected);
  return isComparison(op) && candidates.some((c) => compare(op, c, expected));
}

/** Strict equality of literals: objects and arrays never equal anything, null equals only null. */
const equals = (actual: unknown, expected: unknown) => isLiteral(actual) && isLiteral(expected) && actual === expected;

/** Numbers with numbers, strings with strings (ISO times sort as strings); any other pair is false. */
function compare(op: Comparison, actual: unknown, expected: unknown): boolean {
  if (!isComparable(actual) || !isComparable(expected) || typeof actual !== typeof expected) return false;
  if (op === '$gt') return actual > expected;
  if (op === '$gte') return actual >= expected;
  return op === '$lt' ? actual < expected : actual <= expected;
}

// Own keys only, so `data.constructor` or `data.__proto__` never read the prototype.
function resolvePath(envelope: FilterEnvelope, path: string): unknown {
  let current: unknown = envelope;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment) && Number(segment) < current.length) {
      current = current[Number(segment)];
    } else if (isRecord(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return MISSING;
    }
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function isLiteral(value: unknown): value is FilterLiteral {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
}

function isComparable(value: unknown): value is number | string {
  return typeof value === 'string' || isFiniteNumber(value);
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
