import type { ChatPostMessageArguments } from '@slack/web-api';

/** Block Kit text, shared by every Slack message: escaping, cutting to Slack's limits, common shapes. */

/** Block Kit limits (characters): a message over them is refused whole with `invalid_blocks`. */
export const LIMIT = { header: 150, sectionText: 3000, field: 2000, buttonUrl: 3000, text: 3000 } as const;

export type SlackBlock = Extract<ChatPostMessageArguments, { blocks: unknown }>['blocks'][number];

/** Slack's three control characters, as Slack asks; anything else is shown as typed. */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `verbatim` stops Slack from turning data that looks like a URL, #channel or @name into a link or mention. */
export function mrkdwn(text: string) {
  return { type: 'mrkdwn' as const, text, verbatim: true };
}

/** A labelled section field; null shows as a dash. */
export function field(label: string, value: string | null) {
  return mrkdwn(`*${label}*\n${value === null ? '—' : fitEscaped(value, LIMIT.field - label.length - 5)}`);
}

/** A link button, or null when the link is not http(s) or too long for Slack (the message is still sent). */
export function linkButton(actionId: string, label: string, link: string) {
  if (!/^https?:\/\//i.test(link) || link.length > LIMIT.buttonUrl) return null;
  return {
    type: 'button' as const,
    action_id: actionId,
    text: { type: 'plain_text' as const, text: label },
    url: link,
  };
}

/**
 * The end of the log in a code block of at most `max` characters: the last lines say why it failed. Slack has
 * no escape for backticks, so a zero-width space breaks any run that would close the block early.
 */
export function codeBlock(log: string, max: number): string {
  const ZWSP = '\u200b';
  let guarded = log.replace(/`(?=`)/g, `\`${ZWSP}`);
  // a backtick next to the fence would merge with it
  if (guarded.startsWith('`')) guarded = `${ZWSP}${guarded}`;
  if (guarded.endsWith('`')) guarded = `${guarded}${ZWSP}`;
  return `\`\`\`${fitEscaped(guarded, max - 6, 'tail')}\`\`\``;
}

/**
 * `text` escaped and cut to at most `max` characters after escaping, from the end when `keep` is `tail`. The
 * cut happens before escaping so it never splits an entity.
 */
export function fitEscaped(text: string, max: number, keep: 'head' | 'tail' = 'head'): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  const chars = Array.from(text);
  if (keep === 'tail') chars.reverse();
  const kept: string[] = [];
  let length = 1; // the ellipsis
  for (const char of chars) {
    const size = escapeSlack(char).length;
    if (length + size > max) break;
    kept.push(escapeSlack(char));
    length += size;
  }
  return keep === 'tail' ? `…${kept.reverse().join('')}` : `${kept.join('')}…`;
}
