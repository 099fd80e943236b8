/**
 * Hides secrets in anything derived from runbook or tool output before it is stored or shown (the log,
 * a run's error, a result's log tail, the reasons of failed steps): the values of the worker's secret
 * settings, and anything shaped like a credential (bearer tokens, bare JWTs, ClouDO API tokens, storage
 * keys, SAS signatures, `client_secret=`-style assignments). The one redactor of the project.
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, '$1***'],
  // an access token printed on its own (az account get-access-token, a decoded kubeconfig...)
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '***'],
  [/cloudo_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g, 'cloudo_***'],
  [/(AccountKey=)[^;\s"']+/gi, '$1***'],
  [/([?&]sig=)[^&\s"']+/gi, '$1***'],
  [/\b(access_token|refresh_token|client_secret|password|secret)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1$2***'],
];

/** Variable names whose values are secrets (matched case-insensitively on the whole name). */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CONNECTION|AzureWebJobsStorage|IDENTITY_HEADER)/i;

/** The secret values among `env`: long enough to be worth hiding, and named like a secret. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 8 || !SECRET_NAME.test(name)) continue;
    values.add(value);
    // a connection string's key is what matters; hide it even where it appears alone
    for (const m of value.matchAll(/AccountKey=([^;]+)/gi)) if (m[1] && m[1].length >= 8) values.add(m[1]);
  }
  // longest first, so a secret containing another is hidden whole
  return [...values].sort((a, b) => b.length - a.length);
}

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly string[]): Redactor {
  return (text) => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, '***');
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
}
