import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.seqlab-test/', 'bench/out/', '.carry/', '.gl/', '.whl/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node code everywhere; the test drivers also hold functions that playwright runs in the page.
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
