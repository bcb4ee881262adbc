// Shapes and scalars travel to kernels as one uniform struct. A layout (field name -> type)
// is written once per op; the WGSL declaration and the packed bytes both come from it, so
// they cannot disagree. Every field is a 4-byte scalar, so fields pack without padding.
export type UniformLayout = Readonly<Record<string, 'u32' | 'i32' | 'f32'>>;
export type UniformValues<L extends UniformLayout> = { readonly [K in keyof L]: number };

/** `struct Params {…}` and its binding as variable `p`. */
export function uniformDeclaration(layout: UniformLayout, binding: number): string {
  const fields = Object.entries(layout)
    .map(([name, type]) => `  ${name}: ${type},`)
    .join('\n');
  return `struct Params {\n${fields}\n};\n@group(0) @binding(${binding}) var<uniform> p: Params;\n`;
}

/** The bytes of the struct, padded to a multiple of 16 as uniform bindings require. */
export function packUniforms<L extends UniformLayout>(layout: L, values: UniformValues<L>): ArrayBuffer {
  const names = Object.keys(layout);
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((names.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  names.forEach((name, i) => {
    const v = values[name as keyof L];
    const type = layout[name];
    if (!Number.isFinite(v)) throw new RangeError(`uniform ${name} is ${v}`);
    if (type === 'f32') view.setFloat32(i * 4, v, true);
    else {
      if (!Number.isInteger(v) || (type === 'u32' ? v < 0 || v > 0xffffffff : v < -0x80000000 || v > 0x7fffffff)) {
        throw new RangeError(`uniform ${name} (${type}) cannot hold ${v}`);
      }
      if (type === 'u32') view.setUint32(i * 4, v, true);
      else view.setInt32(i * 4, v, true);
    }
  });
  return bytes;
}
