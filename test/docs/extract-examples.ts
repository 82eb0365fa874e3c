// Finds the TypeScript examples of the documentation: ```ts (or ```typescript) fenced blocks of
// a Markdown file, and the same fences inside the doc comments (/** ... */) of a source file.
// Each example keeps where it came from (file, the line of its first code line, and per line
// the column its code starts at) so that a compiler message can point into the original file.
import ts from 'typescript';

/** Which inputs an example's free names stand for: typed arrays, or tfjs tensors. */
export type Context = 'core' | 'tfjs';

export interface Example {
  /** Repository-relative path, with '/' separators. */
  readonly file: string;
  /** 1-based line in `file` of the example's first code line (the line after the fence). */
  readonly line: number;
  /** The code, with comment prefixes and the fence's indentation removed. */
  readonly code: string;
  /** For each line of `code`, the 0-based column in `file` where it starts. */
  readonly columns: readonly number[];
  /** The first non-blank line of `code`, trimmed: what KNOWN_FAILURES entries quote. */
  readonly firstLine: string;
  /** The nearest Markdown heading above a README block; undefined for doc comments. */
  readonly section?: string;
  /** Whether the example comes from a doc comment (and so may use its module's exports). */
  readonly docComment: boolean;
}

interface Line {
  readonly text: string;
  /** 1-based line in the file. */
  readonly line: number;
  /** Column in the file where `text` starts. */
  readonly column: number;
}

const OPEN = /^(\s*)```(\S*)\s*$/;
const CLOSE = /^\s*```\s*$/;

/**
 * The ```ts fences among `lines` (Markdown or a doc comment's text). An unclosed fence runs to
 * the end, as Markdown renders it.
 */
function fencedBlocks(
  file: string,
  lines: readonly Line[],
  docComment: boolean,
  headingOf: (index: number) => string | undefined,
): Example[] {
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i].text);
    if (!open) continue;
    const indent = open[1].length;
    const lang = open[2].toLowerCase();
    let end = i + 1;
    while (end < lines.length && !CLOSE.test(lines[end].text)) end++;
    if (lang === 'ts' || lang === 'typescript') {
      const body = lines.slice(i + 1, end);
      // Markdown strips up to the fence's indentation from each line of the block.
      const code = body.map((l) => l.text.replace(new RegExp(`^ {0,${indent}}`), ''));
      const columns = body.map((l, k) => l.column + (l.text.length - code[k].length));
      examples.push({
        file,
        line: lines[i].line + 1,
        code: code.join('\n'),
        columns,
        firstLine: code.find((c) => c.trim() !== '')?.trim() ?? '',
        section: headingOf(i),
        docComment,
      });
    }
    i = end;
  }
  return examples;
}

/** The ```ts blocks of a Markdown file, with the heading of the section each sits in. */
export function markdownExamples(file: string, text: string): Example[] {
  const lines = text.split(/\r?\n/).map((t, i) => ({ text: t, line: i + 1, column: 0 }));
  // Headings outside fences, by line index.
  const headings: (string | undefined)[] = [];
  let current: string | undefined;
  let inFence = false;
  for (const { text: t } of lines) {
    if (OPEN.test(t) || (inFence && CLOSE.test(t))) inFence = !inFence;
    else if (!inFence) {
      const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(t);
      if (h) current = h[1];
    }
    headings.push(current);
  }
  return fencedBlocks(file, lines, false, (i) => headings[i]);
}

/** The doc comments (/** ... *\/) of a source file, as [start offset, text] pairs, in order. */
function docComments(source: ts.SourceFile): [number, string][] {
  const text = source.text;
  const seen = new Map<number, string>();
  const visit = (node: ts.Node) => {
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      const comment = text.slice(range.pos, range.end);
      if (range.kind === ts.SyntaxKind.MultiLineCommentTrivia && comment.startsWith('/**')) {
        seen.set(range.pos, comment);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // A comment after the last statement leads the end-of-file token, which forEachChild skips.
  visit(source.endOfFileToken);
  return [...seen].sort((a, b) => a[0] - b[0]);
}

/** The ```ts blocks inside the doc comments of a TypeScript source file. */
export function docCommentExamples(file: string, text: string): Example[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const examples: Example[] = [];
  for (const [pos, comment] of docComments(source)) {
    const start = source.getLineAndCharacterOfPosition(pos);
    const lines = comment.split(/\r?\n/).map((raw, k) => {
      // '/**' on the first line, ' * ' (the star and one space) on the others, '*/' at the end.
      const body = raw.replace(/\*\/\s*$/, '');
      const prefix = k === 0 ? /^\/\*\*\s?/.exec(body) : /^\s*\*(?!\/) ?/.exec(body);
      const cut = prefix ? prefix[0].length : 0;
      return {
        text: body.slice(cut),
        line: start.line + 1 + k,
        column: (k === 0 ? start.character : 0) + cut,
      };
    });
    examples.push(...fencedBlocks(file, lines, true, () => undefined));
  }
  return examples;
}

/**
 * The names `source` exports, read from its syntax: exported declarations and `export { ... }`
 * lists (the sources here use no `export *`, which this would not follow).
 */
export function exportedNames(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const e of statement.exportClause.elements) names.add(e.name.text);
      }
      continue;
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    if (!modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) continue;
    for (const name of declaredNames(statement)) names.add(name);
  }
  return [...names];
}

/** The names bound by a binding name (`a`, `{ a, b: c }`, `[a, ...b]`). */
function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/** The top-level names a statement declares, in the value or the type space. */
function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  }
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (!clause) return [];
    const names = clause.name ? [clause.name.text] : [];
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const e of bindings.elements) names.push(e.name.text);
    }
    return names;
  }
  if (ts.isImportEqualsDeclaration(statement)) return [statement.name.text];
  if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement)
  ) {
    return statement.name && ts.isIdentifier(statement.name) ? [statement.name.text] : [];
  }
  return [];
}

/** The names an example declares or imports at its top level (they shadow anything else). */
export function topLevelNames(code: string): Set<string> {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, false);
  return new Set(source.statements.flatMap(declaredNames));
}

/** The module specifiers an example imports. */
export function importsOf(code: string): string[] {
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

const TFJS_IMPORT = /^(lovasz\/(tfjs|layers)|@tensorflow\/.+)$/;

/**
 * The context whose prelude an example's free names come from: tensors for a doc comment under
 * src/tfjs or src/layers, else for a block that imports tfjs or `lovasz/tfjs`/`lovasz/layers`,
 * else typed arrays for a block that imports `lovasz`, else by the README section the block
 * sits in (a heading that names TensorFlow.js, tfjs or layers); typed arrays otherwise.
 */
export function contextOf(example: Example): Context {
  if (/^src\/(tfjs|layers)\//.test(example.file)) return 'tfjs';
  const imports = importsOf(example.code);
  if (imports.some((s) => TFJS_IMPORT.test(s))) return 'tfjs';
  if (imports.includes('lovasz')) return 'core';
  if (example.section && /tensorflow|tfjs|layers/i.test(example.section)) return 'tfjs';
  return 'core';
}
