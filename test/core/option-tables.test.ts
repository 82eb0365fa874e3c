/**
 * Options are declared once: each function's table (src/core/options and beside the classes
 * and tfjs wrappers) holds its defaults and checks, and the option interfaces document the
 * same keys with `@default` tags. This reads the interfaces with the TypeScript checker and
 * holds every tag to its table, so a default cannot be restated differently in the docs.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { HINGE_OPTIONS } from '../../src/core/options/hinge-options.js';
import { IOU_BINARY_OPTIONS, IOU_OPTIONS } from '../../src/core/options/iou-options.js';
import type { OptionTable } from '../../src/core/options/option-spec.js';
import {
  MULTILABEL_OPTIONS,
  SIGMOID_OPTIONS,
  SOFTMAX_FLAT_OPTIONS,
  SOFTMAX_OPTIONS,
} from '../../src/core/options/softmax-options.js';
import { BINARY_XLOSS_OPTIONS, XLOSS_OPTIONS } from '../../src/core/options/xloss-options.js';
import { IOU_CALLBACK_OPTIONS } from '../../src/layers/iou-callback.js';
import { KERAS_BINARY_IOU_OPTIONS } from '../../src/layers/keras-binary-iou.js';
import { KERAS_MEAN_IOU_OPTIONS } from '../../src/layers/keras-mean-iou.js';
import { CONFUSION_MATRIX_OPTIONS } from '../../src/metrics/confusion-matrix.js';
import { TFJS_HINGE_OPTIONS, TFJS_SOFTMAX_OPTIONS } from '../../src/tfjs/tfjs-options.js';

const root = join(import.meta.dirname, '..', '..');

/** Each documented option interface, its file, and the table of the function it belongs to. */
const INTERFACES: { name: string; file: string; table: OptionTable }[] = [
  {
    name: 'LovaszSoftmaxOptions',
    file: 'src/core/options/softmax-options.ts',
    table: SOFTMAX_OPTIONS,
  },
  {
    name: 'LovaszSigmoidOptions',
    file: 'src/core/options/softmax-options.ts',
    table: SIGMOID_OPTIONS,
  },
  {
    name: 'LovaszMultilabelOptions',
    file: 'src/core/options/softmax-options.ts',
    table: MULTILABEL_OPTIONS,
  },
  {
    name: 'LovaszSoftmaxFlatOptions',
    file: 'src/core/options/softmax-options.ts',
    table: SOFTMAX_FLAT_OPTIONS,
  },
  { name: 'LovaszHingeOptions', file: 'src/core/options/hinge-options.ts', table: HINGE_OPTIONS },
  { name: 'XlossOptions', file: 'src/core/options/xloss-options.ts', table: XLOSS_OPTIONS },
  {
    name: 'BinaryXlossOptions',
    file: 'src/core/options/xloss-options.ts',
    table: BINARY_XLOSS_OPTIONS,
  },
  { name: 'IouOptions', file: 'src/core/options/iou-options.ts', table: IOU_OPTIONS },
  { name: 'IouBinaryOptions', file: 'src/core/options/iou-options.ts', table: IOU_BINARY_OPTIONS },
  {
    name: 'ConfusionMatrixOptions',
    file: 'src/metrics/confusion-matrix.ts',
    table: CONFUSION_MATRIX_OPTIONS,
  },
  { name: 'PathOption', file: 'src/tfjs/path.ts', table: { path: TFJS_SOFTMAX_OPTIONS.path } },
  {
    name: 'KerasMeanIoUOptions',
    file: 'src/layers/keras-mean-iou.ts',
    table: KERAS_MEAN_IOU_OPTIONS,
  },
  {
    name: 'KerasBinaryIoUOptions',
    file: 'src/layers/keras-binary-iou.ts',
    table: KERAS_BINARY_IOU_OPTIONS,
  },
  { name: 'IouCallbackOptions', file: 'src/layers/iou-callback.ts', table: IOU_CALLBACK_OPTIONS },
];

/** The documented properties of each interface: name -> the text of its @default tag. */
function documentedDefaults(): Map<string, Map<string, string | undefined>> {
  const files = [...new Set(INTERFACES.map((i) => join(root, i.file)))];
  const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const out = new Map<string, Map<string, string | undefined>>();
  for (const { name, file } of INTERFACES) {
    const source = program.getSourceFile(join(root, file));
    const decl = source?.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
    if (!decl) throw new Error(`${file} declares no interface ${name}`);
    const props = new Map<string, string | undefined>();
    for (const p of checker.getPropertiesOfType(checker.getTypeAtLocation(decl))) {
      const tag = p.getJsDocTags(checker).find((t) => t.name === 'default');
      props.set(
        p.name,
        tag?.text
          ?.map((part) => part.text)
          .join('')
          .trim(),
      );
    }
    out.set(name, props);
  }
  return out;
}

/** A table default as the doc writes it: strings quoted, arrays and null as in code. */
function written(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(written).join(', ')}]`;
  return String(value);
}

describe('option tables and the option interfaces', () => {
  const docs = documentedDefaults();

  for (const { name, table } of INTERFACES) {
    it(`${name} documents every option of its table with the table's @default, and nothing else`, () => {
      const props = docs.get(name);
      expect(props).toBeDefined();
      // 'out' is documented by OutOption (a new array by default, which no value spells).
      const keys = Object.keys(table).filter((k) => k !== 'out');
      expect([...(props?.keys() ?? [])].sort()).toEqual([...keys].sort());
      for (const key of keys) {
        // A required option has no default to document.
        const tag = table[key].required ? undefined : written(table[key].default);
        expect({ key, tag: props?.get(key) }).toEqual({ key, tag });
      }
    });
  }

  it('the tfjs tables are the core tables without out, with path (same specs, so the same checks)', () => {
    const { out, ...core } = SOFTMAX_OPTIONS;
    expect(out).toBeDefined();
    const { path, ...rest } = TFJS_SOFTMAX_OPTIONS;
    expect(path.default).toBe('auto');
    expect(rest).toEqual(core);
    expect(Object.keys(TFJS_HINGE_OPTIONS).sort()).toEqual(
      [...Object.keys(HINGE_OPTIONS).filter((k) => k !== 'out'), 'path'].sort(),
    );
  });
});
