import type { ContainerClient } from '@azure/storage-blob';

/** What one blob batch request may hold. */
const BATCH_BLOBS = 256;

/**
 * Deletes blobs by name, 256 to a request (the Blob Batch API) instead of one request each. A blob that is
 * gone already counts as deleted; any other failure is thrown, naming the first.
 */
export async function deleteBlobs(container: ContainerClient, names: readonly string[]): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += BATCH_BLOBS) batches.push(names.slice(i, i + BATCH_BLOBS));
  const batchClient = container.getBlobBatchClient();
  await Promise.all(
    batches.map(async (batch) => {
      const response = await batchClient.deleteBlobs(batch.map((name) => container.getBlobClient(name)));
      const failed = response.subResponses.filter((r) => r.status >= 300 && r.status !== 404);
      const first = failed[0];
      if (first) {
        throw new Error(
          `could not delete ${failed.length} blobs of ${container.containerName}: ` +
            `${first.status} ${first.errorCode ?? first.statusMessage}`,
        );
      }
    }),
  );
}
