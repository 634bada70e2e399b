import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@atrium/protocol';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SERVER_SRC = fileURLToPath(new URL('..', import.meta.url));
const QR_TOKEN_SRC = fileURLToPath(new URL('../../../../packages/qr-token/src', import.meta.url));

/** Where each maker of an error takes its code: the factories, AppError/TokenError, and the hand-written refusals. */
const CODE_ARGUMENT: Record<string, number> = {
  AppError: 1,
  TokenError: 0,
  unauthorized: 0,
  forbidden: 1,
  conflict: 0,
  gone: 0,
  unprocessable: 0,
  unavailable: 0,
  errorBody: 0,
  denied: 2,
  refuse: 2,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const calleeName = (node: ts.CallExpression | ts.NewExpression) =>
  ts.isIdentifier(node.expression)
    ? node.expression.text
    : ts.isPropertyAccessExpression(node.expression)
      ? node.expression.name.text
      : undefined;

/** Every string literal the server passes as an error code: factory arguments and `error: { code: '…' }` bodies. */
function codesMentioned(file: string): Array<{ code: string; at: string }> {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ code: string; at: string }> = [];
  const at = (node: ts.Node) =>
    `${relative(SERVER_SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const index = CODE_ARGUMENT[calleeName(node) ?? ''];
      const argument = index === undefined ? undefined : node.arguments?.[index];
      if (argument && ts.isStringLiteralLike(argument)) found.push({ code: argument.text, at: at(argument) });
    }
    if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'code' &&
      ts.isStringLiteralLike(node.initializer) &&
      ts.isObjectLiteralExpression(node.parent) &&
      ts.isPropertyAssignment(node.parent.parent) &&
      ts.isIdentifier(node.parent.parent.name) &&
      node.parent.parent.name.text === 'error'
    ) {
      found.push({ code: node.initializer.text, at: at(node.initializer) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const mentioned = sourceFiles(SERVER_SRC).flatMap(codesMentioned);

describe('ERROR_CODES', () => {
  it('lists every code the server source gives an error, so a new free-string code fails here', () => {
    const known = new Set<string>(ERROR_CODES);
    expect(mentioned.filter(({ code }) => !known.has(code))).toEqual([]);
  });

  it('finds the codes where they are made (the scan is not blind)', () => {
    const codes = new Set(mentioned.map(({ code }) => code));
    // One from each kind of maker: a factory, AppError in errors.ts, TokenError, the auth guard, the agent listener.
    for (const code of ['already_used', 'malformed_json', 'token_expired', 'kiosk_revoked', 'untrusted_proxy']) {
      expect({ code, found: codes.has(code) }).toEqual({ code, found: true });
    }
  });

  it('has no code the server never answers with (each appears as a literal in the server or its QR verifier)', () => {
    const text = [...sourceFiles(SERVER_SRC), ...sourceFiles(QR_TOKEN_SRC)].map((f) => readFileSync(f, 'utf8')).join();
    expect(ERROR_CODES.filter((code) => !text.includes(`'${code}'`))).toEqual([]);
  });

  it('has each code once, in the snake_case the error body requires', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});
