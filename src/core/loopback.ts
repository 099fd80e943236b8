/**
 * Whether a URL's hostname is this machine: `localhost`, `[::1]` or 127.x.x.x. Where a service URL may be
 * plain http (a test server), it may be so only on loopback.
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
