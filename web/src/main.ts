/**
 * The demo page: controls (prefilled from the URL, e.g. ?demo=multiclass&a=lovasz&b=xent&steps=50),
 * the label and prediction images, the curves, and `window.lovaszDemo` for the browser tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  BACKENDS,
  type BackendChoice,
  type BackendName,
  GPU_BACKENDS,
  isBackend,
  startBackend,
  unusableReason,
} from './backend.js';
import { Curves, RUN_COLOURS } from './charts.js';
import { DEMOS, type DemoName, type DemoSpec, type Settings, VOID } from './demos.js';
import { drawMasks, labelColour } from './masks.js';
import { type RunState, trainRuns } from './trainer.js';

/** What the page exposes for tests and for the curious (in the console: lovaszDemo). */
export interface DemoPageState {
  state: 'loading' | 'idle' | 'running' | 'done' | 'stopped' | 'error';
  backend: string | null;
  /** The WebGL renderer, the WebGPU adapter, and the backends passed over with the reason. */
  renderer: string | null;
  adapter: string | null;
  /** The other backends the page links to (never one it judged unusable here). */
  offered: string[];
  skipped: { name: string; reason: string }[];
  error: string | null;
  /** The last run: settings, and per loss its curves (entry j: after j updates). */
  result: {
    demo: DemoName;
    settings: Settings;
    completed: boolean;
    seconds: number;
    /** tf.memory().numTensors after the run minus before it. */
    leakedTensors: number;
    runs: { loss: string; losses: number[]; ious: number[] }[];
  } | null;
}

declare global {
  interface Window {
    lovaszDemo: DemoPageState;
  }
}

const page: DemoPageState = {
  state: 'loading',
  backend: null,
  renderer: null,
  adapter: null,
  offered: [],
  skipped: [],
  error: null,
  result: null,
};
window.lovaszDemo = page;

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
};
const form = $<HTMLFormElement>('controls');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const status = $('status');
const lossSelects = [$<HTMLSelectElement>('loss-0'), $<HTMLSelectElement>('loss-1')];
const inputs = {
  steps: $<HTMLInputElement>('steps'),
  learningRate: $<HTMLInputElement>('lr'),
  seed: $<HTMLInputElement>('seed'),
  images: $<HTMLInputElement>('images'),
  size: $<HTMLInputElement>('size'),
};
const curves = new Curves($<HTMLCanvasElement>('loss-chart'), $<HTMLCanvasElement>('iou-chart'));
const params = new URLSearchParams(location.search);

let stopRequested = false;

function currentDemo(): DemoSpec {
  const checked = form.querySelector<HTMLInputElement>('input[name="demo"]:checked');
  return DEMOS[(checked?.value ?? 'binary') as DemoName] ?? DEMOS.binary;
}

/** Fills the controls with a demo's losses and defaults, overridden by the URL's values. */
function showDemo(demo: DemoSpec, fromUrl: boolean): void {
  lossSelects.forEach((select, i) => {
    select.replaceChildren(
      ...demo.losses.map((l) => new Option(l.label, l.id, false, l.id === demo.pair[i])),
    );
    const wanted = fromUrl ? params.get(i === 0 ? 'a' : 'b') : null;
    if (wanted && demo.losses.some((l) => l.id === wanted)) select.value = wanted;
  });
  for (const [key, input] of Object.entries(inputs)) {
    const urlKey = key === 'learningRate' ? 'lr' : key;
    const wanted = fromUrl ? params.get(urlKey) : null;
    input.value = wanted ?? String(demo.defaults[key as keyof Settings]);
  }
  const { cli, defaults } = demo;
  $('note').textContent =
    `Defaults here: ${defaults.images} images of ${defaults.size}×${defaults.size} px, ${defaults.steps} steps, so that a run takes seconds; ` +
    `lovasz demo ${demo.name} trains on ${cli.images} images of ${cli.size}×${cli.size} px for ${cli.steps} steps (learning rate ${cli.learningRate}). ` +
    'Same seed and sizes: same data and initial weights as the command.';
  $('demo-description').textContent = demo.description;
  const classes = demo.name === 'binary' ? [0, 1] : [0, 1, 2];
  $('legend').replaceChildren(
    ...[...classes, VOID].map((c) => {
      const item = document.createElement('span');
      item.className = 'swatch';
      item.style.setProperty('--swatch', labelColour(c));
      item.textContent = c === VOID ? 'void' : demo.name === 'binary' ? ['bg', 'fg'][c] : `${c}`;
      return item;
    }),
  );
  showLosses(demo);
  previewLabels(demo);
}

function showLosses(demo: DemoSpec): void {
  lossSelects.forEach((select, i) => {
    const loss = demo.losses.find((l) => l.id === select.value) ?? demo.losses[0];
    $(`name-${i}`).textContent = loss.label;
    $(`code-${i}`).textContent = loss.code;
    $(`iou-${i}`).textContent = '';
  });
}

function readSettings(demo: DemoSpec): Settings {
  const read = (input: HTMLInputElement, fallback: number, integer: boolean) => {
    const v = Number(input.value);
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      if (input.id === 'seed' && v === 0) return 0;
      input.value = String(fallback);
      return fallback;
    }
    return v;
  };
  const d = demo.defaults;
  return {
    steps: Math.min(5000, read(inputs.steps, d.steps, true)),
    learningRate: read(inputs.learningRate, d.learningRate, false),
    seed: read(inputs.seed, d.seed, true),
    images: Math.min(20, read(inputs.images, d.images, true)),
    size: Math.max(8, Math.min(200, read(inputs.size, d.size, true))),
  };
}

/** Draws the labels of the current settings, and blank predictions. */
function previewLabels(demo: DemoSpec): void {
  if (page.state === 'loading' || page.state === 'running') return;
  const s = readSettings(demo);
  const problem = demo.make(s.seed, s.images, s.size);
  try {
    drawMasks($<HTMLCanvasElement>('labels-canvas'), problem.labels, problem.shape);
    const blank = new Uint8Array(problem.labels.length);
    for (let i = 0; i < 2; i++) drawMasks($<HTMLCanvasElement>(`pred-${i}`), blank, problem.shape);
  } finally {
    problem.dispose();
  }
}

const pct = (v: number) => `${v.toFixed(2)}%`;

function showRuns(demo: DemoSpec, shape: [number, number, number], runs: RunState[]): void {
  runs.forEach((run, i) => {
    drawMasks($<HTMLCanvasElement>(`pred-${i}`), run.preds, shape);
    const last = run.ious[run.ious.length - 1];
    $(`iou-${i}`).textContent = `${demo.metric} ${pct(last)} (from ${pct(run.ious[0])})`;
  });
  curves.update(
    runs.map((r) => r.losses),
    runs.map((r) => r.ious),
  );
}

async function train(): Promise<void> {
  const demo = currentDemo();
  const settings = readSettings(demo);
  const losses = lossSelects.map(
    (s) => demo.losses.find((l) => l.id === s.value) ?? demo.losses[0],
  );
  page.state = 'running';
  page.result = null;
  stopRequested = false;
  trainButton.disabled = true;
  stopButton.disabled = false;
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
    el.disabled = true;
  }
  const names = losses.map((l) => l.label);
  if (names[0] === names[1]) names[1] = `${names[1]} (B)`;
  curves.reset(names, demo.metric, settings.steps);
  showLosses(demo);
  const before = tf.memory().numTensors;
  const start = performance.now();
  status.textContent = 'Generating the data…';
  await tf.nextFrame();
  const problem = demo.make(settings.seed, settings.images, settings.size);
  try {
    drawMasks($<HTMLCanvasElement>('labels-canvas'), problem.labels, problem.shape);
    const { runs, completed } = await trainRuns(problem, losses, {
      steps: settings.steps,
      learningRate: settings.learningRate,
      stopped: () => stopRequested,
      onStep: (done, runs) => {
        showRuns(demo, problem.shape, runs);
        const rate = done / ((performance.now() - start) / 1000);
        status.textContent = `Training: step ${done} of ${settings.steps} (${rate.toFixed(1)} steps/s on ${tf.getBackend()})`;
      },
    });
    showRuns(demo, problem.shape, runs);
    const seconds = (performance.now() - start) / 1000;
    const done = runs[0].ious.length - 1;
    status.textContent = completed
      ? `Done: ${done} steps in ${seconds.toFixed(1)} s on ${tf.getBackend()}.`
      : `Stopped after ${done} of ${settings.steps} steps.`;
    problem.dispose();
    page.result = {
      demo: demo.name,
      settings,
      completed,
      seconds,
      leakedTensors: tf.memory().numTensors - before,
      runs: runs.map((r) => ({ loss: r.loss.id, losses: r.losses, ious: r.ious })),
    };
    page.state = completed ? 'done' : 'stopped';
  } catch (error) {
    problem.dispose();
    fail(error);
  } finally {
    trainButton.disabled = false;
    stopButton.disabled = true;
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
      el.disabled = false;
    }
  }
}

function fail(error: unknown): void {
  page.state = 'error';
  page.error = error instanceof Error ? error.message : String(error);
  status.textContent = `Error: ${page.error}`;
  status.classList.add('error');
  console.error(error);
}

/**
 * Links that reload the page on another backend: only those that are usable here. A GPU
 * backend the browser runs in software (no GPU: SwiftShader) is not offered, it would take
 * seconds to minutes per step; the hint says why it is missing.
 */
function showBackendLinks(choice: BackendChoice): void {
  const offered = BACKENDS.filter((b) => b !== choice.name && unusableReason(b, choice) === null);
  page.offered = offered;
  const links = offered.map((b) => {
    const a = document.createElement('a');
    const url = new URL(location.href);
    url.searchParams.set('backend', b);
    a.href = url.href;
    a.textContent = b;
    return a;
  });
  const software = GPU_BACKENDS.filter((b) => {
    const why = unusableReason(b, choice);
    return why !== null && !why.missing;
  });
  const parts: (string | HTMLElement)[] = [];
  if (software.includes(choice.name)) {
    parts.push(`${choice.name} runs in software here (no GPU): every step is slow. `);
  }
  const hidden = software.filter((b) => b !== choice.name);
  if (hidden.length) {
    const verb = hidden.length === 1 ? 'runs' : 'run';
    parts.push(`${hidden.join(' and ')} ${verb} in software here (no GPU), so not offered. `);
  }
  if (links.length)
    parts.push('Also try ', ...links.flatMap((a, i) => (i === 0 ? [a] : [' or ', a])), '.');
  $('backend-hint').replaceChildren(...parts);
}

async function main(): Promise<void> {
  const demoParam = params.get('demo');
  if (demoParam === 'binary' || demoParam === 'multiclass') {
    form.querySelector<HTMLInputElement>(`input[name="demo"][value="${demoParam}"]`)!.checked =
      true;
  }
  const forced = params.get('backend');
  const order: BackendName[] | undefined = isBackend(forced) ? [forced] : undefined;
  const choice = await startBackend(order, order === undefined);
  page.backend = choice.name;
  page.renderer = choice.renderer;
  page.adapter = choice.adapter;
  page.skipped = choice.skipped;
  const path = GPU_BACKENDS.includes(choice.name)
    ? 'Lovász losses on the GPU (tensor path)'
    : 'Lovász losses on the CPU core';
  const backendBadge = $('backend');
  backendBadge.textContent = `backend: ${choice.name}`;
  backendBadge.title = [
    path,
    ...(choice.adapter ? [`WebGPU adapter: ${choice.adapter}`] : []),
    ...(choice.renderer ? [`WebGL renderer: ${choice.renderer}`] : []),
    ...choice.skipped.map((s) => `${s.name} not taken: ${s.reason}`),
  ].join('\n');
  showBackendLinks(choice);
  page.state = 'idle';
  showDemo(currentDemo(), true);
  curves.reset(
    lossSelects.map((s) => s.selectedOptions[0]?.text ?? ''),
    currentDemo().metric,
    readSettings(currentDemo()).steps,
  );
  status.textContent = `Ready on ${choice.name} (${path}). Press Train.`;
  trainButton.disabled = false;

  form.addEventListener('change', (event) => {
    const target = event.target as HTMLElement;
    if (target instanceof HTMLInputElement && target.name === 'demo') {
      showDemo(currentDemo(), false);
    } else if (target instanceof HTMLSelectElement) {
      showLosses(currentDemo());
    } else if (['seed', 'images', 'size'].includes(target.id)) {
      previewLabels(currentDemo());
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (page.state !== 'running') train().catch(fail);
  });
  stopButton.addEventListener('click', () => {
    stopRequested = true;
    stopButton.disabled = true;
  });
  if (params.get('run') === '1') train().catch(fail);
}

for (const [i, colour] of RUN_COLOURS.entries()) {
  document.documentElement.style.setProperty(`--run-${i}`, colour);
}
main().catch(fail);
