// The loader of an exported page, inlined by attnwidget/export.py as the page's one inline
// script (a module script, allowed by the page's Content-Security-Policy by its sha256). Built on
// its own by build.mjs to attnwidget/static/loader.js, not into the bundle: it reads the page's
// embedded state, imports the bundle (the text of the #attnwidget-bundle block) from a blob: URL
// and mounts the view with the bundle's `mountStatic`. A damaged page shows what is wrong.

import { embeddedState, type PageBundle } from "./embedded";

const root = document.getElementById("attnwidget-root")!;

function fail(message: string): void {
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

try {
  const state = await embeddedState(readJSON("attnwidget-state"));
  const code = readJSON("attnwidget-bundle") as string;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const mod = (await import(url)) as PageBundle;
  URL.revokeObjectURL(url);
  await mod.mountStatic(root, state);
} catch (e) {
  const message = (e as { message?: unknown } | null | undefined)?.message;
  fail(e && message ? String(message) : String(e));
}
