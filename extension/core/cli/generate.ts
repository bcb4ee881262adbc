// `seqlab generate`: continues each row of token ids by N tokens (greedy at temperature 0,
// else temperature / top-k sampling with a seed) and prints the new ids as JSON on stdout.
import { generate, type GenerateResult } from '../../../kernels/model/generate';
import { generateOnnx } from '../../../kernels/onnx/onnx-generate';
import { CliError, type Command, parseOptions } from './command';
import { BACKEND_HELP, backendOption, loadModelInputs, loadOnnxInputs, MODEL_OPTIONS } from './model-inputs';

const help = `seqlab generate --model DIR --ids FILE.json --tokens N [--backend cpu|webgpu|auto|onnx] [--threads N]
                [--temperature T] [--top-k K] [--seed S]
  Prefills each row of FILE.json (a JSON array of arrays [batch][length]) and generates N new
  tokens per row with the recurrent state: greedy when T is 0 (the default), else sampled from
  softmax(logits / T) over the K most likely tokens (all when K is 0), seeded by S (default 0).
  Prints the new ids as JSON [batch][N] on stdout; the backend used goes to stderr. ${BACKEND_HELP}
  An .onnx file must be a step-mode export (it carries the state).`;

function number(values: Record<string, string>, name: string, fallback: number, integer: boolean): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new CliError(`--${name} must be a non-negative ${integer ? 'integer' : 'number'}, got "${text}"`);
  }
  return v;
}

export const generateCommand: Command = {
  help,
  async run(args) {
    const { values } = parseOptions(args, {
      ...MODEL_OPTIONS,
      tokens: 'value',
      temperature: 'value',
      'top-k': 'value',
      seed: 'value',
    });
    if (values.tokens === undefined) throw new CliError('--tokens N is required');
    const options = {
      tokens: number(values, 'tokens', 0, true),
      temperature: number(values, 'temperature', 0, false),
      topK: number(values, 'top-k', 0, true),
      seed: number(values, 'seed', 0, true),
    };
    const kind = backendOption(values);
    let r: GenerateResult, why: string;
    if (kind === 'onnx') {
      const { model, reason, prompt } = await loadOnnxInputs(values, 'step');
      try {
        r = await generateOnnx(model, prompt, options);
        why = reason;
      } finally {
        await model.release();
      }
    } else {
      const { backend, reason, model, prompt } = await loadModelInputs(values, kind);
      try {
        r = await generate(backend, model, prompt, options);
        why = reason;
      } finally {
        backend.dispose();
      }
    }
    console.log(JSON.stringify(r.tokens));
    console.error(`backend ${why}`);
    return 0;
  },
};
