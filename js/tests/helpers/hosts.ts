// Models shaped like each host's, as far as the widget sees them (js/tests/host.test.ts):
// ipywidgets' WidgetModel made from a comm or from stored state, behind anywidget's proxy
// (JupyterLab, Notebook 7, Voila; @jupyter-widgets/html-manager on a static page), and
// marimo's anywidget model (marimo run; marimo export html).

import widget from "../../src/index";
import type { AnyModel, Listener } from "../../src/wire/model";
import { FakeKernel } from "./fakes";
import { FakeWidgetModel, proxy } from "./live";
import { newElement, onUnmount } from "./mount";

/** ipywidgets' WidgetModel: `comm` and `comm_live` as its constructor sets them (a comm: live). */
export class FakeIpyModel extends FakeWidgetModel {
  comm: object | undefined;
  constructor(state: Record<string, unknown>, manager: unknown, comm: object | undefined) {
    super(state, manager);
    this.comm = comm;
    this.comm_live = comm !== undefined;
  }
  /** What the manager's disconnect() does on a kernel restart: the comm object stays. */
  disconnect(): void {
    this.comm_live = false;
    this.trigger("comm_live_update");
  }
}

/** @jupyter-widgets/html-manager's HTMLManager, as a model sees it: no kernel anywhere. */
const htmlManager = () => ({ loader: () => Promise.resolve({}), renderMime: {}, display_view() {} });

/** A widget model and its Layout model, both made by `manager` with a comm (live) or without (stored state). */
function ipyModel(state: Record<string, unknown>, manager: unknown, withComm: boolean): FakeIpyModel {
  const comm = () => (withComm ? { send() {}, close() {}, on_msg() {}, on_close() {} } : undefined);
  const layout = new FakeIpyModel({ _model_name: "LayoutModel" }, manager, comm());
  return new FakeIpyModel({ ...state, layout }, manager, comm());
}

/** An nbconvert / Sphinx / MkDocs page: html-manager built the model from the stored widget state. */
export function staticPageModel(state: Record<string, unknown>): FakeIpyModel {
  return ipyModel(state, htmlManager(), false);
}

/** JupyterLab, Notebook 7 or Voila: the kernel made the widget (a comm each, the manager's kernel). */
export function kernelModel(state: Record<string, unknown>): { model: FakeIpyModel; kernel: FakeKernel } {
  const kernel = new FakeKernel();
  return { model: ipyModel(state, { kernel }, true), kernel };
}

/** JupyterLab reopening a notebook whose kernel does not hold the widget: stored state, a kernel beside it. */
export function restoredInLabModel(state: Record<string, unknown>): FakeIpyModel {
  return ipyModel(state, { kernel: new FakeKernel() }, false);
}

/** marimo's anywidget model (frontend/src/plugins/impl/anywidget/model.ts): no Backbone, no comm. */
export class FakeMarimoModel implements AnyModel {
  /** What save_changes handed to marimo (marimo run: sent to the kernel; a static page: refused). */
  changes: Array<Record<string, unknown>> = [];
  private listeners = new Map<string, Set<Listener>>();
  private dirty = new Set<string>();
  widget_manager = {
    get_model(): never {
      throw new Error("widget_manager not supported in marimo");
    },
  };
  constructor(private data: Record<string, unknown>) {
    // marimo passes ipywidgets' references as they come from Python
    this.data = { layout: "IPY_MODEL_0123456789abcdef", ...data };
  }
  get(k: string) {
    return this.data[k];
  }
  set(k: string, v: unknown) {
    this.data = { ...this.data, [k]: v };
    this.dirty.add(k);
    for (const cb of [...(this.listeners.get(`change:${k}`) ?? [])]) cb(v);
  }
  save_changes() {
    if (this.dirty.size) this.changes.push(Object.fromEntries([...this.dirty].map((k) => [k, this.data[k]])));
  }
  send() {}
  on(name: string, cb: Listener) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(cb);
  }
  off(name?: string | null, cb?: Listener | null) {
    if (!name) this.listeners.clear();
    else if (!cb) this.listeners.delete(name);
    else this.listeners.get(name)?.delete(cb);
  }
}

/** What `marimo export html` defines on its page (window.__MARIMO_STATIC__). */
export const MARIMO_STATIC = Object.freeze({ files: Object.freeze({}), modelNotifications: Object.freeze([]) });

/** anywidget's initialize and render of `model` (ipywidgets: through a proxy per view); the roots. */
export function renderHost(model: FakeWidgetModel | AnyModel, views = 1): HTMLElement[] {
  const ipy = model instanceof FakeWidgetModel;
  const init = widget.initialize({ model: ipy ? proxy(model, { model }) : (model as AnyModel) });
  onUnmount(init);
  const roots: HTMLElement[] = [];
  for (let i = 0; i < views; i++) {
    const view = { model };
    const el = newElement();
    const m = ipy ? proxy(model as FakeWidgetModel, view as { model: FakeWidgetModel }) : (model as AnyModel);
    onUnmount(widget.render({ model: m, el }));
    roots.push(el.querySelector(".attnwidget") as HTMLElement);
  }
  return roots;
}
