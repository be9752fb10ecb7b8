/**
 * Gunzips bytes with the platform's own DecompressionStream, the same code in Node (18+: the Node worker,
 * the CLI, the export worker) and in a browser's Web Worker (the web extension): no library, no seam.
 */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const compressed = new Response(bytes as Uint8Array<ArrayBuffer>).body!;
  return new Uint8Array(await new Response(compressed.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}
