/** The parts of an ARM resource id a runbook needs; null when the id does not carry them. Case kept. */
export function resourceParts(resourceId: string | null): {
  subscriptionId: string | null;
  resourceGroup: string | null;
  resourceName: string | null;
} {
  if (!resourceId) return { subscriptionId: null, resourceGroup: null, resourceName: null };
  const segments = resourceId.split('/').filter((s) => s !== '');
  const after = (name: string) => {
    const i = segments.findIndex((s) => s.toLowerCase() === name);
    return i >= 0 ? (segments[i + 1] ?? null) : null;
  };
  const subscriptionId = after('subscriptions');
  const resourceGroup = after('resourcegroups');
  // the name is the last segment of a resource id with a provider, or the group / subscription itself
  const hasProvider = segments.some((s) => s.toLowerCase() === 'providers');
  const last = segments[segments.length - 1] ?? null;
  return { subscriptionId, resourceGroup, resourceName: hasProvider ? last : null };
}
