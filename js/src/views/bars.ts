// A labelled list of horizontal bars drawn from a zero line (values may be negative).

import { clear, h, setText } from "../dom";
import { short, truncate } from "../format";

export const BARS_MAX = 64;

export interface Bars {
  el: HTMLElement;
  /** `domain`: fixed [lo, hi] (e.g. [0, 1] for weights); default from the values. */
  update(labels: string[], values: ArrayLike<number>, opts?: { domain?: [number, number]; digits?: number; dim?: boolean[] }): void;
}

export function bars(kind: string): Bars {
  const list = h("div", { class: "aw-bars", "data-bars": kind });
  const more = h("p", { class: "aw-note", hidden: true });
  const el = h("div", { class: "aw-bars-wrap" }, list, more);
  let key = "";
  let rows: Array<{ bar: HTMLElement; num: HTMLElement; zero: HTMLElement; row: HTMLElement }> = [];

  return {
    el,
    update(labels, values, opts = {}) {
      const n = Math.min(values.length, BARS_MAX);
      const k = labels.slice(0, n).join("\u0000") + "|" + n;
      if (k !== key) {
        key = k;
        clear(list);
        rows = [];
        for (let i = 0; i < n; i++) {
          const label = h("span", { class: "aw-bar-label" }, truncate(labels[i], 9));
          label.setAttribute("title", labels[i]);
          const zero = h("span", { class: "aw-bar-zero" });
          const bar = h("span", { class: "aw-bar" });
          const track = h("span", { class: "aw-bar-track" }, zero, bar);
          const num = h("span", { class: "aw-bar-num" });
          const row = h("div", { class: "aw-bar-row", "data-index": i }, label, track, num);
          rows.push({ bar, num, zero, row });
          list.appendChild(row);
        }
      }
      let lo = 0;
      let hi = 0;
      if (opts.domain) [lo, hi] = opts.domain;
      else {
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      const span = hi - lo || 1;
      const z = ((0 - lo) / span) * 100;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const r = rows[i];
        const a = ((Math.min(v, 0) - lo) / span) * 100;
        const b = ((Math.max(v, 0) - lo) / span) * 100;
        r.zero.style.left = `${z}%`;
        r.bar.style.left = `${a}%`;
        r.bar.style.width = `${Math.max(0, b - a)}%`;
        r.bar.classList.toggle("is-negative", v < 0);
        r.row.classList.toggle("is-dim", !!opts.dim?.[i]);
        setText(r.num, opts.digits !== undefined ? v.toFixed(opts.digits) : short(v, 4));
        r.num.setAttribute("data-value", String(v));
      }
      more.hidden = values.length <= BARS_MAX;
      setText(more, values.length > BARS_MAX ? `showing ${BARS_MAX} of ${values.length}` : "");
    },
  };
}
