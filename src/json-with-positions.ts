// A strict JSON parser that keeps the line and column of every key and value, so that config problems
// can point at the exact field, and syntax errors read the same on every Node version.

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export interface ObjectEntry {
  key: string;
  keyPosition: Position;
  value: JsonNode;
}
export type ObjectNode = { kind: 'object'; position: Position; entries: ObjectEntry[] };
export type JsonNode =
  | ObjectNode
  | { kind: 'array'; position: Position; items: JsonNode[] }
  | { kind: 'string'; position: Position; value: string }
  | { kind: 'number'; position: Position; value: number }
  | { kind: 'boolean'; position: Position; value: boolean }
  | { kind: 'null'; position: Position };

export type JsonParseResult =
  | { ok: true; node: JsonNode }
  | { ok: false; message: string; position: Position };

/** The plain JavaScript value of a node, as JSON.parse would return it. */
export function plainValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.entries.map((entry) => [entry.key, plainValue(entry.value)]));
    case 'array':
      return node.items.map(plainValue);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

const SIMPLE_ESCAPES = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

// Deeply nested input would otherwise overflow the call stack of the recursive parser.
const MAX_DEPTH = 500;

/** Parses strict JSON (RFC 8259), reporting the line and column of the first syntax error. */
export function parseJson(source: string): JsonParseResult {
  // Editors on Windows may save a byte order mark, which is not JSON but is not the user's mistake either.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const offset = source.length - text.length;
  const lineStarts = [0];
  for (let index = 0; index < source.length; index++) if (source[index] === '\n') lineStarts.push(index + 1);
  const positionAt = (index: number): Position => {
    const absolute = index + offset;
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] ?? 0) <= absolute) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: absolute - (lineStarts[low] ?? 0) + 1 };
  };

  let index = 0;
  const fail = (message: string, at = index): never => {
    throw new JsonSyntaxError(message, at);
  };
  const found = (): string => {
    if (index >= text.length) return 'the end of the file';
    const char = text[index] as string;
    return /[\x20-\x7e]/.test(char)
      ? `"${char}"`
      : `U+${char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
  };
  const skipWhitespace = () => {
    while (index < text.length) {
      const char = text[index];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') index++;
      else if (char === '/' && (text[index + 1] === '/' || text[index + 1] === '*')) {
        fail('Comments are not allowed in JSON.');
      } else break;
    }
  };

  const parseString = (): string => {
    const start = index;
    index++;
    let result = '';
    while (true) {
      if (index >= text.length) fail('This string is never closed with a double quote.', start);
      const char = text[index] as string;
      if (char === '"') {
        index++;
        return result;
      }
      if (char === '\\') {
        const escaped = text[index + 1];
        const unescaped = SIMPLE_ESCAPES.get(escaped ?? '');
        if (unescaped !== undefined) {
          result += unescaped;
          index += 2;
        } else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
          result += String.fromCharCode(Number.parseInt(text.slice(index + 2, index + 6), 16));
          index += 6;
        } else {
          fail('Invalid escape sequence in a string.');
        }
      } else if (char < ' ') {
        fail(
          char === '\n'
            ? 'This string is never closed before the end of the line.'
            : 'Control characters must be escaped in strings.',
        );
      } else {
        result += char;
        index++;
      }
    }
  };

  const parseNumber = (): number => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(index, index + 400));
    if (match === null || match[0] === '-') fail(`Unexpected ${found()}; expected a value.`);
    const numberText = (match as RegExpExecArray)[0];
    const next = text[index + numberText.length];
    if (next !== undefined && /[\w.]/.test(next)) fail('This is not a valid JSON number.');
    index += numberText.length;
    return Number(numberText);
  };

  const parseValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`The JSON is nested more than ${MAX_DEPTH} levels deep.`);
    skipWhitespace();
    const position = positionAt(index);
    const char = text[index];
    if (char === '{') return parseObject(position, depth);
    if (char === '[') return parseArray(position, depth);
    if (char === '"') return { kind: 'string', position, value: parseString() };
    if (char === "'") fail('Strings must use double quotes (") in JSON.');
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      return { kind: 'number', position, value: parseNumber() };
    }
    for (const [word, node] of [
      ['true', { kind: 'boolean', position, value: true }],
      ['false', { kind: 'boolean', position, value: false }],
      ['null', { kind: 'null', position }],
    ] as const) {
      if (text.startsWith(word, index)) {
        index += word.length;
        return node;
      }
    }
    return fail(`Unexpected ${found()}; expected a value.`);
  };

  const parseObject = (position: Position, depth: number): JsonNode => {
    index++;
    const entries: ObjectEntry[] = [];
    skipWhitespace();
    if (text[index] === '}') {
      index++;
      return { kind: 'object', position, entries };
    }
    while (true) {
      skipWhitespace();
      if (text[index] !== '"') {
        if (text[index] === '}' && entries.length > 0) fail('Trailing commas are not allowed in JSON.');
        fail(`Unexpected ${found()}; expected a property name in double quotes.`);
      }
      const keyPosition = positionAt(index);
      const key = parseString();
      skipWhitespace();
      if (text[index] !== ':') fail(`Unexpected ${found()}; expected ":" after the property name.`);
      index++;
      const value = parseValue(depth + 1);
      entries.push({ key, keyPosition, value });
      skipWhitespace();
      if (text[index] === ',') {
        index++;
        continue;
      }
      if (text[index] === '}') {
        index++;
        return { kind: 'object', position, entries };
      }
      fail(`Unexpected ${found()}; expected "," or "}" after a property value.`);
    }
  };

  const parseArray = (position: Position, depth: number): JsonNode => {
    index++;
    const items: JsonNode[] = [];
    skipWhitespace();
    if (text[index] === ']') {
      index++;
      return { kind: 'array', position, items };
    }
    while (true) {
      skipWhitespace();
      if (text[index] === ']' && items.length > 0) fail('Trailing commas are not allowed in JSON.');
      items.push(parseValue(depth + 1));
      skipWhitespace();
      if (text[index] === ',') {
        index++;
        continue;
      }
      if (text[index] === ']') {
        index++;
        return { kind: 'array', position, items };
      }
      fail(`Unexpected ${found()}; expected "," or "]" after an array item.`);
    }
  };

  try {
    const node = parseValue(0);
    skipWhitespace();
    if (index < text.length) fail(`Unexpected ${found()} after the end of the JSON value.`);
    return { ok: true, node };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, message: error.message, position: positionAt(error.index) };
  }
}
