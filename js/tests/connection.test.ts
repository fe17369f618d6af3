import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bannerText, kernelOf, statusText, watchConnection, type ConnectionState } from "../src/live/connection";
import type { AnyModel, Listener } from "../src/wire/model";
import { FakeKernel } from "./helpers/fakes";

/** A model proxy as anywidget makes it: listeners called with `this` = the context (the view). */
function fakeModel(manager: unknown, view: unknown = { model: { comm_live: true } }) {
  const listeners = new Map<string, Set<Listener>>();
  const model: AnyModel & { widget_manager?: unknown; trigger(name: string): void } = {
    get: () => undefined,
    set() {},
    save_changes() {},
    send() {},
    on(name, cb) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(cb);
    },
    off(name, cb) {
      if (name && cb) listeners.get(name)?.delete(cb);
    },
    widget_manager: manager,
    trigger(name) {
      for (const cb of listeners.get(name) ?? []) cb.call(view);
    },
  };
  return { model, listeners, view };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(opts: { kernel?: FakeKernel | null; manager?: unknown } = {}) {
  const kernel = opts.kernel === undefined ? new FakeKernel() : opts.kernel;
  const manager = opts.manager ?? (kernel ? { kernel } : undefined);
  const { model, listeners, view } = fakeModel(manager);
  let pending = false;
  let changes = 0;
  const conn = watchConnection(model, () => pending, () => changes++, { now: () => Date.now() });
  return {
    kernel: kernel as FakeKernel,
    model,
    listeners,
    view: view as { model: { comm_live: boolean } },
    conn,
    setPending(p: boolean) {
      pending = p;
    },
    changes: () => changes,
  };
}

describe("Connection", () => {
  it("is ready with nothing pending; pending at once; waiting after 2 s; ready when answered", () => {
    const t = setup();
    expect(t.conn.state().phase).toBe("ready");
    t.setPending(true);
    t.conn.poke();
    expect(t.conn.state().phase).toBe("pending");
    vi.advanceTimersByTime(1900);
    expect(t.conn.state().phase).toBe("pending");
    const before = t.changes();
    vi.advanceTimersByTime(200);
    expect(t.conn.state().phase).toBe("waiting");
    expect(t.changes()).toBe(before + 1); // the view was told, by the timer
    expect(statusText(t.conn.state())).toBe("waiting for the kernel\u2026");
    t.setPending(false);
    t.conn.poke(true);
    expect(t.conn.state().phase).toBe("ready");
  });

  it("an answer restarts the wait (a steady stream of slow answers is not 'waiting')", () => {
    const t = setup();
    t.setPending(true);
    t.conn.poke();
    vi.advanceTimersByTime(1500);
    t.conn.poke(true); // the kernel answered an edit; another is in flight
    vi.advanceTimersByTime(1500);
    expect(t.conn.state().phase).toBe("pending");
    vi.advanceTimersByTime(600);
    expect(t.conn.state().phase).toBe("waiting");
  });

  it("a long wait puts up the banner too (hosts whose kernel is not visible)", () => {
    const t = setup({ kernel: null });
    t.setPending(true);
    t.conn.poke();
    vi.advanceTimersByTime(9000);
    expect(bannerText(t.conn.state(), 3)).toBe("");
    vi.advanceTimersByTime(1100);
    const s = t.conn.state();
    expect(s.phase).toBe("waiting");
    expect(bannerText(s, 3)).toMatch(/has not answered for more than 10 s\. Your edits here are kept .* 3 edits waiting\.$/);
  });

  it("a kernel restart disconnects until the kernel answers again; edits count in the banner", () => {
    const t = setup();
    t.kernel.setStatus("restarting");
    let s = t.conn.state();
    expect(s.phase).toBe("disconnected");
    expect(s.reason).toBe("restarting");
    expect(statusText(s)).toBe("disconnected");
    expect(bannerText(s, 0)).toBe(
      "Disconnected from the kernel (restarting). Your edits here are kept but not computed by Python; re-run the cell to reconnect.",
    );
    t.kernel.setStatus("starting");
    t.kernel.setStatus("idle");
    s = t.conn.state();
    expect(s.phase).toBe("disconnected"); // the comm did not survive the restart
    expect(s.reason).toBe("the kernel restarted");
    t.setPending(true);
    t.conn.poke();
    expect(t.conn.state().phase).toBe("disconnected");
    expect(bannerText(t.conn.state(), 1)).toMatch(/re-run the cell to reconnect\. 1 edit waiting\.$/);
    expect(bannerText(t.conn.state(), 2)).toMatch(/2 edits waiting\.$/);
    t.setPending(false);
    t.conn.poke(true);
    expect(t.conn.state().phase).toBe("ready");
  });

  it("a dead kernel, and a kernel already restarting when the view is made", () => {
    const t = setup();
    t.kernel.setStatus("dead");
    expect(t.conn.state().reason).toBe("the kernel died");
    const k = new FakeKernel();
    k.status = "autorestarting";
    expect(setup({ kernel: k }).conn.state().phase).toBe("disconnected");
  });

  it("a lost websocket disconnects until it reconnects, and says edits will be sent", () => {
    const t = setup();
    t.kernel.setConnection("connecting");
    let s = t.conn.state();
    expect(s.phase).toBe("disconnected");
    expect(s.offline).toBe(true);
    expect(bannerText(s, 1)).toBe(
      "Disconnected from the kernel (reconnecting). Your edits here are kept and will be sent when it reconnects. 1 edit waiting.",
    );
    t.kernel.setConnection("disconnected");
    expect(t.conn.state().reason).toBe("connection lost");
    t.kernel.setConnection("connected");
    s = t.conn.state();
    expect(s.phase).toBe("ready");
  });

  it("busy is mentioned while waiting; interrupting (idle/busy flips) changes nothing else", () => {
    const t = setup();
    t.kernel.setStatus("busy");
    t.setPending(true);
    t.conn.poke();
    vi.advanceTimersByTime(2100);
    expect(statusText(t.conn.state())).toBe("waiting for the kernel (busy)\u2026");
    t.kernel.setStatus("idle");
    t.setPending(false);
    t.conn.poke(true);
    t.kernel.setStatus("busy");
    t.kernel.setStatus("idle");
    expect(t.conn.state().phase).toBe("ready");
  });

  it("comm_live_update (ipywidgets closed the comm) disconnects; the value is read from the view", () => {
    const t = setup();
    t.view.model.comm_live = true;
    t.model.trigger("comm_live_update");
    expect(t.conn.state().phase).toBe("ready");
    t.view.model.comm_live = false;
    t.model.trigger("comm_live_update");
    expect(t.conn.state().phase).toBe("disconnected");
    expect(t.conn.state().reason).toMatch(/connection to the kernel closed/);
  });

  it("a failed send disconnects", () => {
    const t = setup({ kernel: null });
    t.conn.sendFailed(new Error("Comm is closed"));
    expect(t.conn.state().reason).toBe("could not send: Comm is closed");
  });

  it("never throws on odd hosts; destroy disconnects every listener and timer", () => {
    for (const manager of [undefined, null, {}, { kernel: 5 }, { kernel: {} }, { kernel: { status: 3, statusChanged: {} } }]) {
      expect(() => setup({ kernel: null, manager }).conn.state()).not.toThrow();
    }
    const throwing = {
      get kernel(): never {
        throw new Error("no");
      },
    };
    expect(kernelOf(fakeModel(throwing).model)).toBeNull();
    const t = setup();
    t.setPending(true);
    t.conn.poke();
    t.conn.destroy();
    expect(t.kernel.statusChanged.slots).toHaveLength(0);
    expect(t.kernel.connectionStatusChanged.slots).toHaveLength(0);
    expect(t.listeners.get("comm_live_update")?.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("statusText and bannerText for every phase", () => {
    const base: ConnectionState = { phase: "ready", reason: "", offline: false, waited: 0, busy: false };
    expect(statusText(base)).toBe("kernel \u00b7 up to date");
    expect(statusText({ ...base, phase: "pending" })).toBe("computing\u2026");
    expect(bannerText(base, 0)).toBe("");
    expect(bannerText({ ...base, phase: "pending" }, 2)).toBe("");
    expect(bannerText({ ...base, phase: "disconnected", reason: "restarting" }, 0, true)).toMatch(/layer and head picked here are not sent/);
  });
});
