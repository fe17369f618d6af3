// What an exported page embeds (attnwidget/export.py's `page_state`), read back: the state with
// its binary buffers put in place. The pure part of the page's loader (./loader.ts), kept apart
// so that tests can import it without running the loader.

/** One buffer moved out of the state: its path in the state, its bytes in base64 (gzip-compressed when `encoding` says so). */
export interface EmbeddedBuffer {
  path: (string | number)[];
  data: string;
  encoding?: string;
}

/** What the page's loader needs of the bundle it imports (index.ts's `mountStatic`). */
export interface PageBundle {
  mountStatic(el: HTMLElement, state: Record<string, unknown>): Promise<unknown>;
}

/** One buffer's bytes (throws on bad base64 or a damaged gzip stream). */
export async function decodeBuffer({ data, encoding }: EmbeddedBuffer): Promise<DataView> {
  const bin = atob(data),
    bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  if (encoding !== "gzip") return new DataView(bytes.buffer);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new DataView(await new Response(stream).arrayBuffer());
}

/** The embedded document's state, its buffers decoded and put at their paths (in place). Throws an Error that says what is wrong. */
export async function embeddedState(doc: unknown): Promise<Record<string, unknown>> {
  const d = doc as { state: unknown; buffers: unknown } | null;
  if (!d || typeof d.state !== "object" || !Array.isArray(d.buffers))
    throw new Error("the embedded state has an unexpected shape");
  for (const entry of d.buffers as EmbeddedBuffer[]) {
    const path = entry.path;
    let obj = d.state as Record<string | number, unknown> | null | undefined;
    for (const key of path.slice(0, -1)) {
      obj = obj == null ? undefined : (obj[key] as Record<string | number, unknown> | null | undefined);
    }
    if (obj == null || typeof obj !== "object")
      throw new Error("the embedded array " + path.join(".") + " has no place in the state");
    try {
      obj[path[path.length - 1]] = await decodeBuffer(entry);
    } catch {
      throw new Error("the embedded array " + path.join(".") + " is damaged");
    }
  }
  return d.state as Record<string, unknown>;
}
