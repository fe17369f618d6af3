// The host's theme, watched once per page for every widget shown: JupyterLab's body attributes
// (data-jp-theme-light, data-jp-theme-name), VS Code's body class, and the OS colour scheme
// (prefers-color-scheme: the palette of exported pages, style.css). A canvas cannot use var():
// it reads the CSS variables when it paints (paint.ts cssVar, cached until the theme changes),
// so every widget repaints its canvases when the theme changes, and once when it is first
// attached (a view is built before its host attaches it, when no variable can be read).

const listeners = new Set<() => void>();
let unwatch: (() => void) | null = null;
let generation = 0;

/** A number that changes with every theme change: colours read before it are stale. */
export const themeGeneration = (): number => generation;

/** Whether theme changes are watched now (a colour read now may be kept until the next one). */
export const themeWatched = (): boolean => unwatch !== null;

function changed(): void {
  generation++;
  for (const fn of [...listeners]) fn();
}

function watch(): () => void {
  const offs: Array<() => void> = [];
  try {
    const mo = new MutationObserver(changed);
    mo.observe(document.body, { attributes: true, attributeFilter: ["class", "data-jp-theme-light", "data-jp-theme-name"] });
    offs.push(() => mo.disconnect());
  } catch {
    /* no document body or observer */
  }
  const media = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
  if (media?.addEventListener) {
    media.addEventListener("change", changed);
    offs.push(() => media.removeEventListener("change", changed));
  }
  return () => offs.forEach((f) => f());
}

/**
 * Call `repaint` when the theme changes, and when `el` is first attached to a document if it
 * is not yet. Returns the remover (the page's watch stops with its last widget).
 */
export function watchTheme(el: Element, repaint: () => void): () => void {
  listeners.add(repaint);
  if (!unwatch) {
    generation++; // colours kept from an earlier watch may be stale
    unwatch = watch();
  }
  const RO = (globalThis as { ResizeObserver?: typeof ResizeObserver }).ResizeObserver;
  let ro: ResizeObserver | null = null;
  if (!el.isConnected && RO) {
    // a ResizeObserver reports an element when it gets a box: attached (and laid out)
    ro = new RO(() => {
      if (!el.isConnected) return;
      ro?.disconnect();
      ro = null;
      repaint();
    });
    ro.observe(el);
  }
  return () => {
    ro?.disconnect();
    listeners.delete(repaint);
    if (listeners.size === 0 && unwatch) {
      unwatch();
      unwatch = null;
    }
  };
}
