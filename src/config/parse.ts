// Parses the config file as JSONC (JSON with comments and trailing commas, as tsconfig.json is) with
// jsonc-parser, which reports where a syntax error is; positions of fields are read separately, and only
// when a message needs them (see positions.ts), because a tree of every node with its position costs
// about 40 times the size of the file.

import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import type { Position } from './problems.js';

export type ParsedText =
  | { ok: true; value: unknown; text: string }
  | { ok: false; message: string; position: Position };

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'This is not valid JSON here.',
  InvalidNumberFormat: 'This is not a valid JSON number.',
  PropertyNameExpected: 'Expected a field name in double quotes.',
  ValueExpected: 'Expected a value.',
  ColonExpected: 'Expected ":" after the field name.',
  CommaExpected: 'Expected "," between two entries.',
  CloseBraceExpected: 'Expected "," or "}".',
  CloseBracketExpected: 'Expected "," or "]".',
  EndOfFileExpected: 'Unexpected text after the end of the config.',
  InvalidCommentToken: 'This comment is not closed.',
  UnexpectedEndOfComment: 'This comment is never closed.',
  UnexpectedEndOfString: 'This string is never closed (a string cannot span lines).',
  UnexpectedEndOfNumber: 'This number is cut short.',
  InvalidUnicode: 'Invalid \\u escape in a string.',
  InvalidEscapeCharacter: 'Invalid escape in a string (allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX).',
  InvalidCharacter: 'A string cannot contain a raw control character or line break; escape it.',
};

/** The 1-based line and column of a UTF-16 offset. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < offset;
    index = text.indexOf('\n', index + 1)
  ) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function syntaxMessage(text: string, error: ParseError): string {
  if (text[error.offset] === "'") return 'Strings and field names need double quotes, not single quotes.';
  if (error.offset >= text.length)
    return 'The config ends too early: a value or a closing bracket is missing.';
  return SYNTAX_MESSAGES[printParseErrorCode(error.error)] ?? 'This is not valid JSON here.';
}

export function parseJsonc(source: string): ParsedText {
  // A byte order mark is not part of the text; dropping it keeps columns as editors show them.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  // Later errors are mostly consequences of the first one, so only the first is shown.
  const [first] = errors;
  if (first !== undefined) {
    return { ok: false, message: syntaxMessage(text, first), position: positionAt(text, first.offset) };
  }
  return { ok: true, value, text };
}
