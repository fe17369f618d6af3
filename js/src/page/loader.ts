// The loader of a static page, inlined as the page's one inline script (a module script; an
// exported page's Content-Security-Policy allows it by its sha256). Built on its own by
// build.mjs to attnwidget/static/loader.js, not into the bundle. A page holds one loader and one
// bundle (the text of its #attnwidget-bundle block) however many widgets it shows: every element
// with a `data-attnwidget-state` attribute (the id of its own embedded state block) is mounted
// with the bundle's `mountStatic`, imported once from a blob: URL. Pages written by
// attnwidget/export.py hold one such element, pages written by attnwidget/publish/ any number.
// Widgets mount one after the other, a painted frame apart, so that the first shows as soon as it
// can. A damaged widget shows what is wrong in its own place; the others still mount.

import { embeddedState, type PageBundle } from "./embedded";

function fail(root: HTMLElement, message: string): void {
  root.replaceChildren();
  const box = document.createElement("div");
  box.className = "attnwidget-export-error";
  box.setAttribute("role", "alert");
  box.setAttribute("data-role", "error");
  box.textContent = "This page could not show the attention widget: " + message;
  root.append(box);
  document.documentElement.dataset.state = "error";
}

function readJSON(id: string): unknown {
  const el = document.getElementById(id);
  if (!el) throw new Error("the page has no #" + id + " block (is the file truncated?)");
  try {
    return JSON.parse(el.textContent!);
  } catch (e) {
    throw new Error("the embedded " + id + " is not valid JSON (" + (e as Error).message + ")");
  }
}

let bundle: Promise<PageBundle> | undefined;
async function importBundle(): Promise<PageBundle> {
  const url = URL.createObjectURL(new Blob([readJSON("attnwidget-bundle") as string], { type: "text/javascript" }));
  try {
    return (await import(url)) as PageBundle;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Resolves once the browser has painted a frame: each widget shows before the next mounts. */
const painted = (): Promise<unknown> => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));

let mounted = 0;
for (const root of document.querySelectorAll<HTMLElement>("[data-attnwidget-state]")) {
  try {
    if (mounted++) await painted();
    const state = await embeddedState(readJSON(root.dataset.attnwidgetState!));
    await (await (bundle ??= importBundle())).mountStatic(root, state);
  } catch (e) {
    const message = (e as { message?: unknown } | null | undefined)?.message;
    fail(root, e && message ? String(message) : String(e));
  }
}
