/**
 * The one JSON body parser of every service (the root `application/json` parser in app.ts and
 * any service media type such as Glance's JSON-patch types). Before JSON.parse runs it refuses,
 * with a 400 in the service's fault format:
 * - bodies nested deeper than `[http] max_json_depth` levels: nothing downstream (schema
 *   validators, attribute converters, copies) can then recurse deep enough to overflow the stack;
 * - objects with a `__proto__` key (as Fastify's default parser does): such a key, copied by
 *   assignment anywhere later, would replace an object's prototype.
 *
 * Hand-written: JSON.parse has no depth option, and secure-json-parse (Fastify's parser)
 * handles the `__proto__`/`constructor` keys but not depth; no maintained library bounds depth
 * before parsing. The check is one linear, non-recursive scan of the text (strings skipped
 * with indexOf), cheap next to JSON.parse itself.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** `[http] max_json_depth`, for services that register JSON parsers of their own media types. */
    maxJsonDepth: number;
  }
}

/**
 * Default of `[http] max_json_depth`. OpenStack bodies nest a few levels; the deepest real
 * ones (Heat templates, policy documents, metadata schemas) reach a few dozen. 128 leaves ample
 * room for them (and equals serde_json's default recursion limit) while staying far below the
 * thousands of frames at which recursive code overflows Node's stack.
 */
export const DEFAULT_MAX_JSON_DEPTH = 128;

/**
 * The errors are plain BadRequests (not subclasses), so every fault format shows them as its
 * generic 400 (Neutron's type HTTPBadRequest).
 */
export function jsonTooDeep(maxDepth: number): BadRequest {
  return new BadRequest(`Request body is nested too deeply: more than ${maxDepth} levels of objects and arrays.`);
}

export function jsonForbiddenKey(): BadRequest {
  return new BadRequest("Request body contains the forbidden object key '__proto__'.");
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const UNDERSCORE = 0x5f;

const PROTO_LENGTH = '__proto__'.length;
/** `\u005f` and friends make at most 6 characters per decoded one. */
const MAX_ESCAPED_PROTO_LENGTH = 6 * PROTO_LENGTH;

/**
 * Throws jsonTooDeep or jsonForbiddenKey; says nothing about syntax (JSON.parse does that next).
 * Strings are skipped with indexOf, so long string values cost little; the loop is kept flat
 * (no calls for ordinary strings) because it runs over every byte of every JSON body.
 */
export function checkJsonText(text: string, maxDepth: number): void {
  let depth = 0;
  const end = text.length;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // The closing quote is the next one not escaped by an odd run of backslashes.
      let close = text.indexOf('"', i + 1);
      while (close >= 0) {
        let backslashes = 0;
        for (let b = close - 1; b > i && text.charCodeAt(b) === BACKSLASH; b--) backslashes++;
        if (backslashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      if (close < 0) return; // unterminated: JSON.parse reports it
      const length = close - i - 1;
      const first = text.charCodeAt(i + 1); // `_`, or `\` of an escape
      if (length >= PROTO_LENGTH && length <= MAX_ESCAPED_PROTO_LENGTH && (first === UNDERSCORE || first === BACKSLASH) && isProtoKey(text, i + 1, close)) {
        throw jsonForbiddenKey();
      }
      i = close;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) throw jsonTooDeep(maxDepth);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
}

/** Whether text[start, close) is a string that decodes to `__proto__` and is followed by a colon (a key). */
function isProtoKey(text: string, start: number, close: number): boolean {
  let j = close + 1;
  while (j < text.length && isJsonSpace(text.charCodeAt(j))) j++;
  if (text.charCodeAt(j) !== COLON) return false;
  const raw = text.slice(start, close);
  if (raw !== '__proto__') {
    if (!raw.includes('\\')) return false;
    let decoded: unknown;
    try {
      decoded = JSON.parse(`"${raw}"`);
    } catch {
      return false;
    }
    if (decoded !== '__proto__') return false;
  }
  return true;
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Parses a JSON body after checkJsonText; JSON syntax errors are rethrown as SyntaxError. */
export function parseJsonText(text: string, maxDepth: number): unknown {
  checkJsonText(text, maxDepth);
  return JSON.parse(text);
}

export interface JsonBodyParserOptions {
  maxDepth: number;
  /** The error for malformed JSON, in the words of the service that owns the media type. */
  malformed: (err: SyntaxError) => Error;
}

/**
 * A Fastify content-type parser (register with `{ parseAs: 'string' }`). An empty or blank body
 * is "no body": clients send a JSON content type on DELETE and other body-less requests.
 */
export type JsonBodyParser = (req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void;

export function jsonBodyParser(opts: JsonBodyParserOptions): JsonBodyParser {
  // Fails at registration, not silently: a plugin on a server without useJsonBodies has no depth.
  if (!Number.isInteger(opts.maxDepth) || opts.maxDepth < 1) throw new RangeError(`JSON maxDepth must be a positive integer, got ${opts.maxDepth}`);
  return (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = parseJsonText(text, opts.maxDepth);
    } catch (err) {
      return done(err instanceof SyntaxError ? opts.malformed(err) : (err as Error), undefined);
    }
    done(null, parsed);
  };
}

/**
 * Makes this parser the root server's one for `application/json` and `application/*+json`
 * (malformed JSON keeps Fastify's error code, which errors-hook.ts maps), and records the
 * depth for service parsers (`app.maxJsonDepth`).
 */
export function useJsonBodies(app: FastifyInstance, maxDepth: number): void {
  app.decorate('maxJsonDepth', maxDepth);
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(/^application\/(.+\+)?json/, { parseAs: 'string' }, jsonBodyParser({
    maxDepth,
    malformed: (err) => Object.assign(new Error(`Malformed request body: ${err.message}`), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
  }));
}
