/**
 * Azure Functions route templates (ASP.NET Core syntax) as the local host needs them: literal segments
 * match case-insensitively, `{name}` one segment, `{name?}` an optional one, `{*name}` the rest, and
 * `{name:int}` / `{name:alpha}` / `{name:guid}` constrain a segment.
 */
export interface RouteTemplate {
  readonly template: string;
  /** Higher for more literal segments, so `logs/new` wins over `logs/{id}` as in Azure. */
  readonly specificity: number;
  match(path: string): Record<string, string> | null;
}

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string; optional: boolean; catchAll: boolean; constraint: string | null };

const CONSTRAINTS: Record<string, RegExp> = {
  int: /^-?\d+$/,
  alpha: /^[A-Za-z]+$/,
  guid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  bool: /^(true|false)$/i,
};

export function parseRouteTemplate(template: string): RouteTemplate {
  const segments: Segment[] = template
    .split('/')
    .filter((s) => s !== '')
    .map((raw) => {
      const m = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}$/.exec(raw);
      if (!m) {
        if (raw.includes('{')) throw new Error(`unsupported route segment "${raw}" in "${template}"`);
        return { kind: 'literal', value: raw.toLowerCase() };
      }
      const constraint = m[3] ?? null;
      if (constraint && !CONSTRAINTS[constraint]) throw new Error(`unsupported route constraint "${constraint}"`);
      return { kind: 'param', name: m[2] ?? '', catchAll: m[1] === '*', optional: m[4] === '?', constraint };
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
        if (segment.catchAll) {
          const rest = parts.slice(i).map(decode);
          if (rest.some((p) => p === null)) return null;
          if (rest.length > 0) params[segment.name] = rest.join('/');
          return params;
        }
        if (part === undefined) {
          if (!segment.optional) return null;
          continue;
        }
        const value = decode(part);
        if (value === null) return null;
        if (segment.constraint && !CONSTRAINTS[segment.constraint]?.test(value)) return null;
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
