// @vitest-environment jsdom
// The theme watch (ui/theme.ts): a change of JupyterLab's theme attributes on <body> calls every
// mounted widget back at once (its canvases repaint), stale cached colours are dropped, and the
// watch stops with the last widget.
import { afterEach, describe, expect, it } from "vitest";
import { themeGeneration, themeWatched, watchTheme } from "../src/ui/theme";

const tick = () => new Promise((r) => setTimeout(r, 0));
const offs: Array<() => void> = [];
afterEach(() => offs.splice(0).forEach((f) => f()));

function watched(): { calls: number[]; el: HTMLElement } {
  const el = document.createElement("div");
  document.body.appendChild(el);
  const w = { calls: [] as number[], el };
  offs.push(watchTheme(el, () => w.calls.push(themeGeneration())));
  return w;
}

describe("watchTheme", () => {
  it("calls every widget back when JupyterLab's theme attributes change, with a new generation", async () => {
    const a = watched();
    const b = watched();
    expect(themeWatched()).toBe(true);
    const before = themeGeneration();
    document.body.setAttribute("data-jp-theme-light", "false");
    document.body.setAttribute("data-jp-theme-name", "JupyterLab Dark");
    await tick();
    expect(a.calls.length).toBeGreaterThan(0);
    expect(b.calls).toEqual(a.calls);
    expect(themeGeneration()).toBeGreaterThan(before);
    document.body.setAttribute("data-other", "x"); // not a theme attribute
    const n = a.calls.length;
    await tick();
    expect(a.calls.length).toBe(n);
  });

  it("stops watching with the last widget; a removed widget is not called", async () => {
    const a = watched();
    const b = watched();
    offs.shift()!();
    document.body.classList.toggle("vscode-dark");
    await tick();
    expect(a.calls).toEqual([]);
    expect(b.calls.length).toBe(1);
    offs.shift()!();
    expect(themeWatched()).toBe(false);
    document.body.classList.toggle("vscode-dark");
    await tick();
    expect(b.calls.length).toBe(1);
  });
});
