/**
 * Splits a SQL file into top-level statements so the runner can execute them one by one and name the statement
 * that failed (with its line) instead of a position inside a multi-statement string.
 *
 * Understands '…' and E'…' strings, "…" identifiers, $tag$…$tag$ bodies, -- and nested /* *\/ comments.
 * Not supported: SQL-standard `BEGIN ATOMIC … END` bodies (their inner semicolons end the statement); use
 * `$$` bodies in migrations.
 */
export interface SqlStatement {
  /** The statement text, without the terminating semicolon. */
  readonly sql: string;
  /** Zero-based character offset of the statement's first character in the file. */
  readonly offset: number;
  /** One-based line of the statement's first character. */
  readonly line: number;
}

export function splitStatements(source: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  const n = source.length;

  const push = (end: number): void => {
    const raw = source.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text.length > 0 && !isOnlyComments(text)) {
      const offset = start + lead;
      statements.push({ sql: text, offset, line: lineAt(source, offset) });
    }
  };

  while (i < n) {
    const ch = source[i];
    const next = source[i + 1];
    if (ch === '-' && next === '-') {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (ch === '/' && next === '*') {
      i = skipBlockComment(source, i);
    } else if (ch === "'") {
      const escaped = i > 0 && (source[i - 1] === 'E' || source[i - 1] === 'e') && !isIdentChar(source[i - 2]);
      i = skipQuoted(source, i, "'", escaped);
    } else if (ch === '"') {
      i = skipQuoted(source, i, '"', false);
    } else if (ch === '$' && !isIdentChar(source[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(source.slice(i, i + 64));
      if (tag) {
        const close = source.indexOf(tag[0], i + tag[0].length);
        if (close === -1) throw new Error(`unterminated dollar-quoted string ${tag[0]} at line ${lineAt(source, i)}`);
        i = close + tag[0].length;
      } else {
        i++;
      }
    } else if (ch === ';') {
      push(i);
      i++;
      start = i;
    } else {
      i++;
    }
  }
  push(n);
  return statements;
}

/** One-based line and column of a zero-based character offset. */
export function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

function lineAt(source: string, offset: number): number {
  return lineAndColumn(source, offset).line;
}

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
}

function skipBlockComment(source: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < source.length) {
    if (source[i] === '/' && source[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (source[i] === '*' && source[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw new Error(`unterminated block comment at line ${lineAt(source, from)}`);
}

function skipQuoted(source: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < source.length) {
    const ch = source[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (source[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  throw new Error(`unterminated ${quote === "'" ? 'string' : 'quoted identifier'} at line ${lineAt(source, from)}`);
}

function isOnlyComments(text: string): boolean {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--[^\n]*/g, '')
      .trim().length === 0
  );
}
