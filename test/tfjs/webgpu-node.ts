/**
 * The tfjs webgpu backend in Node, through Dawn (the `webgpu` package, whose binary ships inside
 * it). Without a GPU, Dawn runs on the SwiftShader Vulkan driver that Debian's chromium ships
 * (/usr/lib/chromium/vk_swiftshader_icd.json, with libvulkan1): a CPU emulation, so tests keep
 * their inputs small. On a machine with a real GPU and Vulkan driver, the same code picks it.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

/** The Vulkan driver of Debian's chromium: SwiftShader, a software GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What {@link activateWebgpu} found. */
export interface WebgpuSetup {
  /** Whether `tf.setBackend('webgpu')` succeeded. */
  ok: boolean;
  /** The adapter (vendor, architecture, device, description), or why there is none. */
  adapter: string;
}

let setup: Promise<WebgpuSetup> | undefined;

/** Reads the fields of a GPUAdapterInfo (getters, so JSON.stringify shows nothing). */
export function describeAdapter(info: Record<string, unknown> | undefined): string {
  if (!info) return 'no adapter info';
  const parts = ['vendor', 'architecture', 'device', 'description']
    .map((k) => info[k])
    .filter((v) => typeof v === 'string' && v !== '');
  return parts.length ? parts.join(' / ') : 'adapter without a description';
}

async function init(): Promise<WebgpuSetup> {
  // Dawn's Vulkan loader reads these when the instance is created (create([]) below). A real
  // driver, when the caller set VK_ICD_FILENAMES, wins over SwiftShader.
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD))
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis.navigator ?? {}), gpu },
    configurable: true,
    writable: true,
  });
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { ok: false, adapter: 'no WebGPU adapter (is libvulkan1 installed?)' };
  const info = describeAdapter(adapter.info as unknown as Record<string, unknown>);
  await import('@tensorflow/tfjs-backend-webgpu');
  const ok = await tf.setBackend('webgpu');
  await tf.ready();
  return { ok: ok && tf.getBackend() === 'webgpu', adapter: info };
}

/**
 * Registers and activates the webgpu backend (once per process; later calls re-activate it).
 * Returns whether it is active, and the adapter.
 */
export async function activateWebgpu(): Promise<WebgpuSetup> {
  setup ??= init();
  const s = await setup;
  if (s.ok && tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu');
  return s;
}
