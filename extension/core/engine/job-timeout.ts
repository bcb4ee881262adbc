// The seqlab.jobTimeoutSeconds setting as the engine channel's timeout. Timers take at most
// 2^31 - 1 ms and treat anything longer, zero or negative as 1 ms, which would time every job out
// at once; so the setting is clamped to a range that means something, and the caller warns.

export const JOB_TIMEOUT_DEFAULT_S = 600;
/** package.json declares the same bounds for the settings editor. */
export const JOB_TIMEOUT_MIN_S = 5;
export const JOB_TIMEOUT_MAX_S = 24 * 60 * 60;

/** The timeout in ms for a setting's value, and a warning when the value was out of range or not a number. */
export function jobTimeout(setting: unknown): { ms: number; warning?: string } {
  const range = `from ${JOB_TIMEOUT_MIN_S} to ${JOB_TIMEOUT_MAX_S}`;
  if (typeof setting !== 'number' || Number.isNaN(setting))
    return {
      ms: JOB_TIMEOUT_DEFAULT_S * 1000,
      warning: `seqlab.jobTimeoutSeconds must be a number of seconds ${range}, not ${typeof setting === 'string' ? JSON.stringify(setting) : String(setting)}; using ${JOB_TIMEOUT_DEFAULT_S}`,
    };
  const seconds = Math.min(JOB_TIMEOUT_MAX_S, Math.max(JOB_TIMEOUT_MIN_S, setting));
  return {
    ms: seconds * 1000,
    ...(seconds !== setting
      ? { warning: `seqlab.jobTimeoutSeconds ${setting} is outside ${range}; using ${seconds}` }
      : {}),
  };
}
