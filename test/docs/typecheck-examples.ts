// Type-checks documentation examples with the TypeScript compiler API, each example as its own
// in-memory ES module, one program per context (typed arrays or tensors), under `strict` and
// the options a consumer of the package would use (as test/package/pack.test.ts does).
//
// - `lovasz`, `lovasz/tfjs` (and any other subpath of package.json `exports`, plus
//   `lovasz/layers` once src/layers/index.ts exists) resolve through `paths` to the sources in
//   src/, not to dist/: the examples are checked against the code they document.
// - The context's prelude (preludes.ts), a global script, declares the inputs examples use
//   without defining them; an example's own declarations and imports shadow them.
// - A doc-comment example also sees the exports of the file its comment is in (an import of
//   them is added at the end of its module, leaving out the names the example declares
//   itself): a snippet in src/core/hinge.ts may call `lovaszHinge` without importing it, but
//   not `lovaszSoftmax`. README examples get no such import: they must import what they use.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  type Context,
  contextOf,
  docCommentExamples,
  type Example,
  exportedNames,
  markdownExamples,
  topLevelNames,
} from './extract-examples.js';
import { PRELUDES } from './preludes.js';

/** The repository root, without a trailing separator. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Where the in-memory files live: a folder that does not exist, inside the repository. */
const VIRTUAL = join(REPO, 'test/docs/.virtual');

/** One compiler message about an example, placed in the example's own file. */
export interface Problem {
  /** 1-based line and column in the example's file; 0 when outside the example's code. */
  readonly line: number;
  readonly column: number;
  readonly code: number;
  readonly message: string;
}

/** Repository-relative paths of the files under `dir` whose name matches `test`, sorted. */
function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  if (!existsSync(join(REPO, dir))) return [];
  return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => `${dir}/${f.split('\\').join('/')}`)
    .filter((f) => test(f.slice(f.lastIndexOf('/') + 1)))
    .sort();
}

/**
 * Every TypeScript example of the documentation: the ```ts blocks of README.md and of
 * examples/**\/README.md, then those in the doc comments of src/**\/*.ts.
 */
export function documentationExamples(): Example[] {
  const read = (f: string) => readFileSync(join(REPO, f), 'utf8');
  const markdown = ['README.md', ...filesUnder('examples', (n) => n === 'README.md')];
  const sources = filesUnder('src', (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'));
  return [
    ...markdown.flatMap((f) => markdownExamples(f, read(f))),
    ...sources.flatMap((f) => docCommentExamples(f, read(f))),
  ];
}

/**
 * `paths` for the package's own name: every subpath of package.json `exports` whose types are
 * built from src/ (`./dist/X.d.ts` from `src/X.ts`), and `lovasz/layers` when its source exists.
 */
export function packagePaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'string' ? target : target.types;
    const source = types && /^\.\/dist\/(.+)\.d\.ts$/.exec(types);
    if (!source) continue;
    const file = join(REPO, 'src', `${source[1]}.ts`);
    if (existsSync(file)) paths[`${pkg.name}${subpath.slice(1)}`] = [file];
  }
  const layers = join(REPO, 'src/layers/index.ts');
  if (existsSync(layers)) paths[`${pkg.name}/layers`] ??= [layers];
  return paths;
}

/** What a consumer's strict tsconfig would hold (the pack test's), with `paths` into src/. */
export function compilerOptions(): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    // tfjs' own declarations need @types packages a consumer may lack; as in the pack test.
    skipLibCheck: true,
    types: [],
    paths: packagePaths(),
  };
}

/**
 * The in-memory path of the `index`th example of a program: an ES module whatever package.json
 * says (.mts), named after where the example is, unique even for two examples of one line.
 */
function virtualPath(example: Example, index: number): string {
  const name = `${example.file.split('/').join('_')}-${example.line}`;
  return join(VIRTUAL, `${String(index).padStart(3, '0')}-${name}.mts`);
}

function preludePath(context: Context): string {
  return join(VIRTUAL, `prelude-${context}.d.mts`);
}

/**
 * The module text of an example: its code as is (so lines keep their numbers), then `export
 * {}` to make it a module even without imports, and for a doc-comment example an import of
 * its file's exports that it does not declare itself.
 */
export function moduleText(example: Example, path: string): string {
  let text = `${example.code}\nexport {};\n`;
  if (example.docComment && example.file.startsWith('src/')) {
    const own = topLevelNames(example.code);
    const source = readFileSync(join(REPO, example.file), 'utf8');
    const names = exportedNames(example.file, source).filter((n) => !own.has(n));
    if (names.length > 0) {
      let specifier = relative(dirname(path), join(REPO, example.file));
      specifier = specifier.replace(/\.ts$/, '.js');
      text += `import { ${names.join(', ')} } from '${specifier}';\n`;
    }
  }
  return text;
}

/** A compiler host that serves `files` from memory and everything else from disk. */
function hostWith(options: ts.CompilerOptions, files: Map<string, string>): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, onError, create) => {
    const text = files.get(f);
    if (text === undefined) return getSourceFile.call(host, f, language, onError, create);
    return ts.createSourceFile(f, text, language, true);
  };
  return host;
}

/** A compiled context: its program, host and options, for the checks below. */
export interface CompiledContext {
  readonly context: Context;
  readonly program: ts.Program;
  readonly host: ts.CompilerHost;
  readonly options: ts.CompilerOptions;
  /** Where each example of the program lives. */
  readonly paths: ReadonlyMap<Example, string>;
  /** Messages about the options, the globals or the prelude: all must be empty. */
  readonly setupDiagnostics: readonly ts.Diagnostic[];
}

/** One program for `examples` (all of one context) and that context's prelude. */
export function compileContext(context: Context, examples: readonly Example[]): CompiledContext {
  const options = compilerOptions();
  const files = new Map<string, string>([[preludePath(context), PRELUDES[context]]]);
  const paths = new Map<Example, string>();
  examples.forEach((example, i) => {
    const path = virtualPath(example, i);
    paths.set(example, path);
    files.set(path, moduleText(example, path));
  });
  const host = hostWith(options, files);
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const prelude = program.getSourceFile(preludePath(context));
  if (!prelude) throw new Error(`the ${context} prelude is not in the program`);
  const setupDiagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(prelude),
    ...program.getSemanticDiagnostics(prelude),
  ];
  return { context, program, host, options, paths, setupDiagnostics };
}

/** The compiler's messages about one example of `compiled`, placed in the example's file. */
export function problemsOf(compiled: CompiledContext, example: Example): Problem[] {
  const path = compiled.paths.get(example);
  const source = path === undefined ? undefined : compiled.program.getSourceFile(path);
  if (!source) throw new Error(`${example.file}:${example.line} is not in the program`);
  const diagnostics = [
    ...compiled.program.getSyntacticDiagnostics(source),
    ...compiled.program.getSemanticDiagnostics(source),
  ];
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.start === undefined) return { line: 0, column: 0, code: d.code, message };
    const at = source.getLineAndCharacterOfPosition(d.start);
    if (at.line >= example.columns.length) return { line: 0, column: 0, code: d.code, message };
    return {
      line: example.line + at.line,
      column: example.columns[at.line] + at.character + 1,
      code: d.code,
      message,
    };
  });
}

/** A problem as `file:line:column - error TSn: message`, then the example's line it is on. */
export function formatProblem(example: Example, problem: Problem): string {
  const where =
    problem.line === 0
      ? `${example.file}:${example.line} (in the import of its module's exports)`
      : `${example.file}:${problem.line}:${problem.column}`;
  const text = `${where} - error TS${problem.code}: ${problem.message}`;
  const codeLine =
    problem.line === 0 ? undefined : example.code.split('\n')[problem.line - example.line];
  return codeLine === undefined ? text : `${text}\n    ${codeLine.trim()}`;
}

/** Type-checks `examples`, one program per context, and returns each one's problems. */
export function typecheckExamples(examples: readonly Example[]): {
  problems: Map<Example, Problem[]>;
  contexts: CompiledContext[];
} {
  const problems = new Map<Example, Problem[]>();
  const contexts: CompiledContext[] = [];
  for (const context of ['core', 'tfjs'] as const) {
    const mine = examples.filter((e) => contextOf(e) === context);
    const compiled = compileContext(context, mine);
    contexts.push(compiled);
    for (const example of mine) problems.set(example, problemsOf(compiled, example));
  }
  return { problems, contexts };
}
