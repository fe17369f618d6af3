// Test doubles shared by the vitest files: a Lumino-like signal, a JupyterLab-like kernel, and
// a bare model over a dict of attributes.

import type { AnyModel } from "../../src/wire/model";

/** A model reading and writing `attrs`, with no events and no kernel. */
export function plainModel(attrs: Record<string, unknown>): AnyModel {
  return {
    get: (n: string) => attrs[n],
    set: (n: string, v: unknown) => {
      attrs[n] = v;
    },
    save_changes() {},
    on() {},
    off() {},
    send() {},
  };
}

export class FakeSignal {
  slots: Array<[(s: unknown, v: unknown) => void, unknown]> = [];
  connect(fn: (s: unknown, v: unknown) => void, thisArg?: unknown) {
    this.slots.push([fn, thisArg]);
    return true;
  }
  disconnect(fn: (s: unknown, v: unknown) => void, thisArg?: unknown) {
    this.slots = this.slots.filter(([f, t]) => f !== fn || t !== thisArg);
    return true;
  }
  emit(v: unknown) {
    for (const [fn, t] of [...this.slots]) fn.call(t, this, v);
  }
}

export class FakeKernel {
  status = "idle";
  connectionStatus = "connected";
  statusChanged = new FakeSignal();
  connectionStatusChanged = new FakeSignal();
  setStatus(s: string) {
    this.status = s;
    this.statusChanged.emit(s);
  }
  setConnection(s: string) {
    this.connectionStatus = s;
    this.connectionStatusChanged.emit(s);
  }
}
