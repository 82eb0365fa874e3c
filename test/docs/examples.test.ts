// Every TypeScript example of the documentation typechecks under `strict`: the ```ts blocks of
// README.md (and of examples/**/README.md), and the ```ts fences in the doc comments of
// src/**/*.ts (their @example blocks). One test per example, named by its file and the line of
// its first code line; a failure lists each compiler message at its file:line:column.
//
// How (typecheck-examples.ts): each example is its own in-memory ES module; `lovasz`,
// `lovasz/tfjs` (and `lovasz/layers` once src/layers/index.ts exists) resolve through `paths`
// to the sources in src/; the options are a strict consumer's, as in test/package/pack.test.ts.
// All examples of one context compile as one program:
// - core (typed arrays): doc comments outside src/tfjs and src/layers, and README blocks that
//   import `lovasz` or sit under a heading that does not name TensorFlow.js/tfjs/layers;
// - tfjs (tensors): doc comments under src/tfjs or src/layers, and README blocks that import
//   tfjs, `lovasz/tfjs` or `lovasz/layers`, or sit under a heading that names them.
// The free names examples take as inputs (logits, labels, probas, preds, B, H, W, C, model,
// batches, optimizer, step, cm, tf, ...) come from the context's prelude (preludes.ts), which
// declares globals; an example's own declarations and imports shadow them. The preludes
// declare inputs only, never a function of `lovasz`.
//
// Auto-import: a doc-comment example may use the exports of the file its comment is in
// without importing them (each is imported for it, unless the example declares that name
// itself). README examples get nothing: they must import every function they call.
//
// Examples known to fail are listed in known-failures.ts; such an example must still fail,
// so that the list is emptied as the examples are fixed.

import ts from 'typescript';
import { assert, beforeAll, describe, expect, it } from 'vitest';
import {
  contextOf,
  docCommentExamples,
  type Example,
  markdownExamples,
} from './extract-examples.js';
import { KNOWN_FAILURES, type KnownFailure } from './known-failures.js';
import {
  type CompiledContext,
  documentationExamples,
  formatProblem,
  type Problem,
  REPO,
  typecheckExamples,
} from './typecheck-examples.js';

const examples = documentationExamples();

/** The entries of KNOWN_FAILURES that name `example`. */
function knownFailuresOf(example: Example): KnownFailure[] {
  return KNOWN_FAILURES.filter(
    (k) => k.file === example.file && example.firstLine.startsWith(k.firstLine),
  );
}

const fence = (code: string) => `\`\`\`ts\n${code}\n\`\`\`\n`;
const docComment = (code: string) =>
  `/**\n * An example.\n * @example\n * \`\`\`ts\n${code
    .split('\n')
    .map((l) => ` * ${l}`)
    .join('\n')}\n * \`\`\`\n */\nexport const x = 1;\n`;

/**
 * Examples whose outcome is known, compiled with the documentation's: they show that the
 * harness reports real errors (the types are not `any`), that `strict` is on, that each context
 * gets its own inputs, and what the auto-import does and does not provide.
 */
const CONTROLS: { name: string; example: Example; codes: number[] }[] = [
  {
    name: 'a correct typed-array call compiles, and its result is typed',
    example: markdownExamples(
      'test/docs/controls.md',
      fence(
        "import { lovaszHinge } from 'lovasz';\nconst { loss } = lovaszHinge(logits, labels, [B, H, W]);\nconst n: number = loss;",
      ),
    )[0],
    codes: [],
  },
  {
    name: 'a call without its shape is an error (TS2554)',
    example: markdownExamples(
      'test/docs/controls.md',
      fence("import { lovaszSoftmax } from 'lovasz';\nlovaszSoftmax(probas, labels);"),
    )[0],
    codes: [2554],
  },
  {
    name: 'an implicit any is an error: strict is on (TS7006)',
    example: markdownExamples(
      'test/docs/controls.md',
      fence("import { lossSchedule } from 'lovasz';\nlossSchedule([{ loss: (x) => x }]);"),
    )[0],
    codes: [7006],
  },
  {
    name: 'a name lovasz does not export is an error (TS2305)',
    example: markdownExamples('test/docs/controls.md', fence("import { nope } from 'lovasz';"))[0],
    codes: [2305],
  },
  {
    name: 'in the tfjs context the inputs are tensors and the loss a tf.Scalar, not a number (TS2322)',
    example: markdownExamples(
      'test/docs/controls.md',
      fence(
        "import { lovaszHinge } from 'lovasz/tfjs';\nconst s: tf.Scalar = lovaszHinge(logits, labels);\nconst n: number = lovaszHinge(logits, labels);",
      ),
    )[0],
    codes: [2322],
  },
  {
    name: "an example's own declaration shadows the prelude's",
    example: markdownExamples(
      'test/docs/controls.md',
      fence("const labels = 'cat';\nconst s: string = labels;"),
    )[0],
    codes: [],
  },
  {
    name: 'a README example gets no import: an unimported function is an error (TS2304)',
    example: markdownExamples('README.md', fence('lovaszHinge(logits, labels, [B, H, W]);'))[0],
    codes: [2304],
  },
  {
    name: "a doc-comment example gets its own module's exports",
    example: docCommentExamples(
      'src/core/hinge.ts',
      docComment('const { loss } = lovaszHinge(logits, labels, [B, H, W]);'),
    )[0],
    codes: [],
  },
  {
    name: "a doc-comment example gets no other module's exports (TS2304)",
    example: docCommentExamples(
      'src/core/hinge.ts',
      docComment('lovaszSoftmax(probas, labels, [B, H, W, C]);'),
    )[0],
    codes: [2304],
  },
  {
    name: 'a doc-comment example may declare a name its module exports',
    example: docCommentExamples(
      'src/core/hinge.ts',
      docComment('const lovaszHinge = 1;\nconst n: number = lovaszHinge;'),
    )[0],
    codes: [],
  },
];

let problems: Map<Example, Problem[]>;
let contexts: CompiledContext[];

beforeAll(() => {
  ({ problems, contexts } = typecheckExamples([...examples, ...CONTROLS.map((c) => c.example)]));
}, 120_000);

const title = (e: Example) =>
  `${e.file}:${e.line} ${e.firstLine.length > 60 ? `${e.firstLine.slice(0, 57)}...` : e.firstLine}`;

describe('every documentation example typechecks under strict', () => {
  it.each(examples.map((e) => [title(e), e] as const))('%s', (_, example) => {
    const found = problems.get(example) ?? [];
    const report = found.map((p) => formatProblem(example, p)).join('\n');
    if (knownFailuresOf(example).length > 0) {
      expect(
        found.length,
        `${example.file}:${example.line} typechecks now: remove its entry from KNOWN_FAILURES in test/docs/known-failures.ts`,
      ).toBeGreaterThan(0);
      return;
    }
    if (found.length > 0) {
      assert.fail(
        `${example.file}:${example.line} does not typecheck (strict, ${contextOf(example)} prelude):\n${report}`,
      );
    }
  });
});

describe('KNOWN_FAILURES', () => {
  it('names only examples that exist, each at most once', () => {
    const unmatched = KNOWN_FAILURES.filter(
      (k) => !examples.some((e) => knownFailuresOf(e).includes(k)),
    );
    expect(
      unmatched.map((k) => `${k.file}: ${k.firstLine}`),
      'entries that name no example (fixed, moved or reworded): remove or update them',
    ).toEqual([]);
    const twice = examples.filter((e) => knownFailuresOf(e).length > 1);
    expect(twice.map((e) => `${e.file}:${e.line}`)).toEqual([]);
  });
});

describe('the examples harness', () => {
  it('finds the README blocks and the doc-comment fences, and only ts ones', () => {
    const md = markdownExamples(
      'x.md',
      '# Top\n```sh\nnpm test\n```\n## With TensorFlow.js\n\n- a list:\n\n  ```ts\n  const a = 1;\n    const b = 2;\n  ```\n```typescript\nlet c;\n```\n',
    );
    expect(md.map((e) => [e.line, e.code, e.columns, e.section])).toEqual([
      [10, 'const a = 1;\n  const b = 2;', [2, 2], 'With TensorFlow.js'],
      [14, 'let c;', [0], 'With TensorFlow.js'],
    ]);
    const doc = docCommentExamples(
      'src/x.ts',
      'class A {\n  /**\n   * @example\n   * ```ts\n   * a.b();\n   * ```\n   */\n  b() {}\n}\n/* ```ts\nnot(a, doc, comment)\n``` */\nconst s = `/** \\`\\`\\`ts */`;\n',
    );
    expect(doc.map((e) => [e.line, e.code, e.columns, e.docComment])).toEqual([
      [5, 'a.b();', [5], true],
    ]);
  });

  it('finds examples in README.md and in the doc comments of the core and the tfjs entry', () => {
    const files = new Set(examples.map((e) => e.file));
    for (const f of ['README.md', 'src/index.ts', 'src/tfjs/index.ts']) expect(files).toContain(f);
    expect(examples.some((e) => contextOf(e) === 'core')).toBe(true);
    expect(examples.some((e) => contextOf(e) === 'tfjs')).toBe(true);
  });

  it('resolves lovasz and lovasz/tfjs to the sources in src/, not to dist/', () => {
    for (const { program, options, host, paths } of contexts) {
      const from = [...paths.values()][0];
      for (const [specifier, file] of [
        ['lovasz', 'src/index.ts'],
        ['lovasz/tfjs', 'src/tfjs/index.ts'],
      ]) {
        const resolved = ts.resolveModuleName(
          specifier,
          from,
          options,
          host,
          undefined,
          undefined,
          ts.ModuleKind.ESNext,
        );
        expect(resolved.resolvedModule?.resolvedFileName).toBe(`${REPO}/${file}`);
      }
      expect(program.getSourceFiles().some((f) => f.fileName.startsWith(`${REPO}/dist/`))).toBe(
        false,
      );
    }
  });

  it('compiles its options and preludes without a message', () => {
    for (const { context, setupDiagnostics } of contexts) {
      const messages = setupDiagnostics.map((d) =>
        ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      );
      expect(messages, `${context} prelude`).toEqual([]);
    }
  });

  it.each(CONTROLS.map((c) => [c.name, c] as const))('%s', (_, control) => {
    const found = problems.get(control.example) ?? [];
    expect(
      found.map((p) => p.code),
      found.map((p) => formatProblem(control.example, p)).join('\n'),
    ).toEqual(control.codes);
    // Messages point into the example's own file, past a doc comment's ' * ' prefix.
    for (const p of found) {
      expect(p.line).toBeGreaterThanOrEqual(control.example.line);
      expect(p.column).toBeGreaterThan(control.example.docComment ? 3 : 0);
    }
  });
});
