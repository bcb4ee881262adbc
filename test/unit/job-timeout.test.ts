// seqlab.jobTimeoutSeconds as the engine's timeout: values past what a timer holds, zero, negative
// or not a number would time every job out at once; they are clamped (with a warning), and
// package.json declares the same range and keeps the setting from untrusted workspaces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  jobTimeout,
  JOB_TIMEOUT_DEFAULT_S,
  JOB_TIMEOUT_MAX_S,
  JOB_TIMEOUT_MIN_S,
} from '../../extension/core/engine/job-timeout';

test('a setting in range is used as it is, without a warning', () => {
  for (const s of [5, 5.5, 600, 86_400]) assert.deepEqual(jobTimeout(s), { ms: s * 1000 });
});

test('out of range or not a number: clamped or the default, with a warning naming the value and the range', () => {
  const cases: [unknown, number, RegExp][] = [
    [2_147_484, 86_400, /2147484 is outside from 5 to 86400; using 86400/],
    [1e300, 86_400, /outside/],
    [Infinity, 86_400, /Infinity is outside/],
    [0, 5, /0 is outside from 5 to 86400; using 5/],
    [-1, 5, /-1 is outside/],
    [-Infinity, 5, /outside/],
    [4.9, 5, /4.9 is outside/],
    [NaN, 600, /must be a number of seconds from 5 to 86400, not NaN; using 600/],
    ['600', 600, /not "600"/],
    [null, 600, /not null/],
  ];
  for (const [setting, seconds, warning] of cases) {
    const got = jobTimeout(setting);
    assert.equal(got.ms, seconds * 1000, String(setting));
    assert.match(got.warning ?? '', warning, String(setting));
    // A timer fires after the time asked, never at once.
    assert.ok(got.ms >= 5000 && got.ms <= 2 ** 31 - 1, String(setting));
  }
});

test('package.json declares the same range and restricts the setting in untrusted workspaces', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    contributes: {
      configuration: { properties: Record<string, { default: number; minimum: number; maximum: number }> };
    };
  };
  const setting = pkg.contributes.configuration.properties['seqlab.jobTimeoutSeconds'];
  assert.deepEqual(
    [setting.default, setting.minimum, setting.maximum],
    [JOB_TIMEOUT_DEFAULT_S, JOB_TIMEOUT_MIN_S, JOB_TIMEOUT_MAX_S],
  );
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('seqlab.jobTimeoutSeconds'));
});
