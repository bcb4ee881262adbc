// The engine page names a model by its folder and the backend asked for, never by its cache key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelLabel } from '../../webview/engine/model-label';

test('a model key reads as the folder name and the backend asked for', () => {
  assert.equal(
    modelLabel('/models/hf-mamba-dna@1700000000000.5,1700000000001,0|auto'),
    'hf-mamba-dna (backend asked for: auto)',
  );
  assert.equal(modelLabel('C:\\lab\\models\\audio@12,0,0|webgpu'), 'audio (backend asked for: webgpu)');
  assert.equal(modelLabel('/models/trained/@12,0,0|cpu'), 'trained (backend asked for: cpu)');
  assert.equal(
    modelLabel('/models/me@home/dna@5,0,0|cpu'),
    'dna (backend asked for: cpu)',
    'an @ in the path is not the time stamp',
  );
  assert.equal(modelLabel('/models/dna@5,0,0'), 'dna', 'a key without a backend names the folder only');
});
