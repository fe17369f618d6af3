// A live widget in jsdom: an ipywidgets-like model that the kernel (the test) answers later,
// seen through anywidget's per-view proxies, with a kernel whose status can change.

import widget from "../../src/index";
import { decodeMatrix, encodeMatrix } from "../../src/wire/codec";
import { queriesWithRows } from "../../src/wire/edit";
import { ROW_PATCH } from "../../src/wire/protocol";
import type { AnyModel, Listener } from "../../src/wire/model";
import { FakeKernel } from "./fakes";
import { newElement, onUnmount } from "./mount";

/** Equal as Backbone's set compares (underscore's isEqual): by value, binary buffers by their bytes. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (!a || !b || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameValue((a as never)[k], (b as never)[k]));
}

/** An ipywidgets-like model: set fires change events; save_changes sends the diff (if the comm is live). */
export class FakeWidgetModel {
  attrs: Record<string, unknown>;
  listeners: Array<{ name: string; cb: Listener; ctx: unknown }> = [];
  diff: Record<string, unknown> = {};
  sent: Array<Record<string, unknown>> = [];
  comm_live = true;
  failSend = false;
  constructor(state: Record<string, unknown>, readonly widget_manager: unknown) {
    this.attrs = { ...state };
  }
  get(n: string) {
    return this.attrs[n];
  }
  set(n: string, v: unknown) {
    if (sameValue(this.attrs[n], v)) return; // (Backbone: an equal value is no change, nothing is sent)
    this.diff[n] = v;
    this.put(n, v);
  }
  /** A value from the kernel. */
  put(n: string, v: unknown) {
    if (this.attrs[n] === v) return;
    this.attrs[n] = v;
    for (const l of [...this.listeners]) if (l.name === `change:${n}`) l.cb.call(l.ctx, this, v);
  }
  save_changes() {
    if (this.failSend) throw new Error("Cannot send");
    if (!this.comm_live) return; // ipywidgets: nothing is sent, the diff stays buffered
    this.sent.push(this.diff);
    this.diff = {};
  }
  customs: unknown[] = [];
  send(content: unknown) {
    this.customs.push(content);
  }
  on(name: string, cb: Listener, ctx: unknown) {
    this.listeners.push({ name, cb, ctx });
  }
  off(name: string | null, cb: Listener | null, ctx: unknown) {
    this.listeners = this.listeners.filter((l) => !((name === null || l.name === name) && (cb === null || l.cb === cb) && l.ctx === ctx));
  }
  trigger(name: string) {
    for (const l of [...this.listeners]) if (l.name === name) l.cb.call(l.ctx);
  }
  /**
   * The kernel answers the latest edit it got (inputs accepted as sent). Queries sent as their
   * rows come back in Q whole (as with whole results; live.test.ts tests the row patch's case).
   */
  answer() {
    const last = this.sent[this.sent.length - 1];
    if (last[ROW_PATCH.up]) {
      const Q = decodeMatrix(this.attrs.Q as never);
      this.put("Q", encodeMatrix(queriesWithRows(Q, last[ROW_PATCH.up])));
    }
    this.put("result_id", last.edit_id);
  }
}

/** anywidget's model proxy: one per view, listeners bound to the view. */
export function proxy(model: FakeWidgetModel, view: { model: FakeWidgetModel }): AnyModel {
  return {
    get: model.get.bind(model),
    set: model.set.bind(model),
    save_changes: model.save_changes.bind(model),
    send: model.send.bind(model),
    on: (n: string, cb: Listener) => model.on(n, cb, view),
    off: (n?: string | null, cb?: Listener | null) => model.off(n ?? null, cb ?? null, view),
    widget_manager: model.widget_manager,
  } as AnyModel;
}

export interface Live {
  kernel: FakeKernel;
  model: FakeWidgetModel;
  /** Each view's .attnwidget root. */
  roots: HTMLElement[];
  /** Each view's cleanup, as anywidget calls it (also run after the test). */
  disposers: Array<() => void>;
}

/** `views` views of one live model over `state`, cleaned up after the test (unmountAll). */
export function renderLive(state: Record<string, unknown>, views = 2): Live {
  const kernel = new FakeKernel();
  const model = new FakeWidgetModel(state, { kernel });
  const roots: HTMLElement[] = [];
  const disposers: Array<() => void> = [];
  for (let i = 0; i < views; i++) {
    const view = { model };
    const el = newElement();
    const cleanup = widget.render({ model: proxy(model, view), el });
    const dispose = () => {
      model.off(null, null, view); // what anywidget does
      cleanup();
    };
    disposers.push(dispose);
    onUnmount(dispose);
    roots.push(el.querySelector(".attnwidget") as HTMLElement);
  }
  return { kernel, model, roots, disposers };
}

