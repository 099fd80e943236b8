/** Block Kit as the fake Slack sees it: the JSON shapes it reads, Slack's limits, and what a person reads. */

/** A Block Kit block as JSON: only the parts the fake checks and renders are typed. */
export interface SlackBlockJson {
  readonly type: string;
  readonly text?: SlackTextJson;
  readonly fields?: readonly SlackTextJson[];
  readonly elements?: readonly {
    readonly type: string;
    readonly text?: SlackTextJson | string;
    readonly url?: string;
    readonly action_id?: string;
    readonly value?: string;
    readonly style?: string;
  }[];
}

export interface SlackTextJson {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly verbatim?: boolean;
  readonly emoji?: boolean;
}

/** Block Kit limits Slack enforces with `invalid_blocks`. */
const LIMITS = { blocks: 50, header: 150, sectionText: 3000, fields: 10, field: 2000, button: 75, url: 3000 };

/** What renderedText reads of a message: its blocks, or its text when it has none. */
export interface RenderableMessage {
  readonly text: string | null;
  readonly blocks: readonly SlackBlockJson[] | null;
}

/**
 * The text a person sees for a message, as Slack renders it: control sequences (`<url|label>`, `<!here>`,
 * `<@U1>`) become their label, then `&amp;`, `&lt;`, `&gt;` become the characters. An unescaped `<script>` is
 * therefore shown as `script`, which is how a test notices that a value was not escaped.
 */
export function renderedText(message: RenderableMessage): string {
  const parts: string[] = [];
  const add = (t: SlackTextJson | undefined) => {
    if (t !== undefined) parts.push(t.type === 'mrkdwn' ? renderMrkdwn(t.text) : decodeEntities(t.text));
  };
  for (const block of message.blocks ?? []) {
    add(block.text);
    for (const f of block.fields ?? []) add(f);
    for (const e of block.elements ?? []) {
      // a context element is itself a text object; a button carries one
      if (typeof e.text === 'string') add({ type: e.type === 'plain_text' ? 'plain_text' : 'mrkdwn', text: e.text });
      else add(e.text);
    }
  }
  if (!message.blocks?.length && message.text !== null) add({ type: 'mrkdwn', text: message.text });
  return parts.join('\n');
}

function renderMrkdwn(text: string): string {
  const linked = text.replace(/<([^<>]*)>/g, (_all, inner: string) => {
    const [target = '', label] = inner.split('|');
    if (label !== undefined) return label;
    if (target.startsWith('!')) return `@${target.slice(1)}`;
    if (target.startsWith('@') || target.startsWith('#')) return target;
    return target;
  });
  return decodeEntities(linked);
}

function decodeEntities(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** The Block Kit rules Slack would refuse the message for (the ones a notifier can break). */
export function checkBlocks(blocks: readonly SlackBlockJson[]): string[] {
  const problems: string[] = [];
  if (blocks.length > LIMITS.blocks) problems.push(`more than ${LIMITS.blocks} blocks`);
  blocks.forEach((block, i) => {
    const at = `[${i}]`;
    if (block.type === 'header') {
      if (block.text?.type !== 'plain_text') problems.push(`${at} header text must be plain_text`);
      if ((block.text?.text.length ?? 0) > LIMITS.header) problems.push(`${at} header longer than ${LIMITS.header}`);
    }
    if (block.type === 'section') {
      if (!block.text && !block.fields) problems.push(`${at} section needs text or fields`);
      if ((block.text?.text.length ?? 0) > LIMITS.sectionText) problems.push(`${at} section text too long`);
      if ((block.fields?.length ?? 0) > LIMITS.fields) problems.push(`${at} more than ${LIMITS.fields} fields`);
      for (const f of block.fields ?? []) if (f.text.length > LIMITS.field) problems.push(`${at} field too long`);
    }
    for (const e of block.elements ?? []) {
      if (e.type !== 'button') continue;
      const label = typeof e.text === 'string' ? e.text : (e.text?.text ?? '');
      if (label.length > LIMITS.button) problems.push(`${at} button text too long`);
      if (e.url !== undefined && (e.url.length > LIMITS.url || !/^https?:\/\//.test(e.url))) {
        problems.push(`${at} button url invalid`);
      }
    }
  });
  return problems;
}
