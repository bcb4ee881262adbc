// The Hugging Face reference fixture test/fixtures/hf-mamba-dna (its README says how it was made):
// the model directory, the input ids and the reference outputs as float32 arrays.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (tests run compiled from out/test/support). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const HF_FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hf-mamba-dna');

export function fixtureBin(name: string): Float32Array {
  const buf = readFileSync(join(HF_FIXTURE_DIR, name));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(HF_FIXTURE_DIR, name), 'utf8')) as T;
}

export interface HfFixture {
  inputIds: number[][]; // [2, 257]
  logits: Float32Array; // [2, 257, 16]
  layer0Hidden: Float32Array; // [2, 257, 64]
  ssmState: Float32Array; // [layer, b, c, n]
  convState: Float32Array; // [layer, b, c, k] (HF keeps k inputs; ours keeps the last k-1)
  generate: { prefix_input_ids: number[][]; new_tokens: number[][] };
  generateLogits: Float32Array; // [step, b, v]
}

export function loadHfFixture(): HfFixture {
  return {
    inputIds: fixtureJson('input_ids.json'),
    logits: fixtureBin('logits_f64.bin'),
    layer0Hidden: fixtureBin('layer0_hidden_f64.bin'),
    ssmState: fixtureBin('ssm_state_f64.bin'),
    convState: fixtureBin('conv_state_f64.bin'),
    generate: fixtureJson('generate.json'),
    generateLogits: fixtureBin('generate_logits_f64.bin'),
  };
}
