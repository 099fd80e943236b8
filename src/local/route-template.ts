/**
 * Azure Functions route templates as ClouDO's routes use them: literal segments match case-insensitively,
 * `{name}` one segment, `{name?}` an optional one. Anything else (catch-alls, constraints) is refused when
 * the host starts, so a route that needs more says so instead of matching differently than Azure.
 */
export interface RouteTemplate {
  readonly template: string;
  /** Higher for more literal segments, so `logs/new` wins over `logs/{id}` as in Azure. */
  readonly specificity: number;
  match(path: string): Record<string, string> | null;
}

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string; optional: boolean };

export function parseRouteTemplate(template: string): RouteTemplate {
  const segments: Segment[] = template
    .split('/')
    .filter((s) => s !== '')
    .map((raw) => {
      const m = /^\{([A-Za-z_][A-Za-z0-9_]*)(\?)?\}$/.exec(raw);
      if (!m) {
        if (raw.includes('{')) throw new Error(`unsupported route segment "${raw}" in "${template}"`);
        return { kind: 'literal', value: raw.toLowerCase() };
      }
      return { kind: 'param', name: m[1] ?? '', optional: m[2] === '?' };
    });
  return {
    template,
    specificity: segments.filter((s) => s.kind === 'literal').length * 100 + segments.length,
    match(path) {
      const parts = path.split('/').filter((s) => s !== '');
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (!segment) return null;
        const part = parts[i];
        if (segment.kind === 'literal') {
          if (part === undefined || decode(part)?.toLowerCase() !== segment.value) return null;
          continue;
        }
        if (part === undefined) {
          if (!segment.optional) return null;
          continue;
        }
        const value = decode(part);
        if (value === null) return null;
        params[segment.name] = value;
      }
      return parts.length <= segments.length ? params : null;
    },
  };
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}
