// Can the kernel answer? A live view must say so when it cannot, instead of freezing silently.
//
// Two sources, both optional:
// - the host's kernel: anywidget's model proxy exposes `widget_manager`; in JupyterLab and
//   Notebook 7 that manager has `.kernel` (a @jupyterlab/services KernelConnection: `status`,
//   `connectionStatus`, and the signals `statusChanged` / `connectionStatusChanged`). Other
//   hosts (VS Code, Colab) differ: everything is feature-detected and nothing here throws.
// - the edits themselves: an edit unanswered for WAIT_MS means "waiting for the kernel".
//
// A restart, a dead kernel or a closed comm is sticky: the widget's comm does not survive it
// (ipywidgets marks the model `comm_live = false` and stops sending), so only an answer from
// the kernel (result_id catching up) clears it. A lost websocket clears when it reconnects.

import type { AnyModel } from "../wire/model";

export type Phase = "ready" | "pending" | "waiting" | "disconnected";

export interface ConnectionState {
  phase: Phase;
  /** Why the view is disconnected ("" otherwise). */
  reason: string;
  /** Lost because the websocket dropped (edits are sent when it reconnects), not the comm. */
  offline: boolean;
  /** Milliseconds the oldest unanswered edit has waited (0 when none). */
  waited: number;
  /** The kernel is known to be busy (running other code). */
  busy: boolean;
}

/** An edit unanswered this long: "waiting for the kernel…". */
export const WAIT_MS = 2000;
/** An edit unanswered this long: the banner says so too (for hosts whose kernel we cannot see). */
export const LONG_WAIT_MS = 10000;

const LOST: Record<string, string> = {
  restarting: "restarting",
  autorestarting: "restarting",
  dead: "the kernel died",
  terminating: "the kernel was shut down",
};

interface SignalLike {
  connect(slot: (sender: unknown, value: unknown) => void): unknown;
  disconnect(slot: (sender: unknown, value: unknown) => void): unknown;
}

interface KernelLike {
  status?: unknown;
  connectionStatus?: unknown;
  statusChanged?: SignalLike;
  connectionStatusChanged?: SignalLike;
}

function isSignal(x: unknown): x is SignalLike {
  return !!x && typeof (x as SignalLike).connect === "function" && typeof (x as SignalLike).disconnect === "function";
}

/** The host's kernel, if it exposes one we understand. */
export function kernelOf(model: AnyModel): KernelLike | null {
  try {
    const k = (model as { widget_manager?: { kernel?: unknown } }).widget_manager?.kernel;
    return k && typeof k === "object" ? (k as KernelLike) : null;
  } catch {
    return null;
  }
}

export interface ConnectionOptions {
  waitMs?: number;
  longWaitMs?: number;
  now?: () => number;
}

export interface Connection {
  /**
   * Call after an edit (pending may have begun) and when the kernel answered one
   * (`answered`: it can answer, so it is connected, and the wait starts again).
   */
  poke(answered?: boolean): void;
  /** Sending an edit threw (the comm is gone). */
  sendFailed(err: unknown): void;
  state(): ConnectionState;
  destroy(): void;
}

/**
 * Watch `model`'s kernel (if the host shows it) and the wait of the edits: `pending()` says
 * whether an edit is unanswered; `changed()` is called when state() changes (by a kernel
 * event, or by a timer when a wait crosses WAIT_MS or LONG_WAIT_MS).
 */
export function watchConnection(
  model: AnyModel,
  pending: () => boolean,
  changed: () => void,
  opts: ConnectionOptions = {},
): Connection {
  const waitMs = opts.waitMs ?? WAIT_MS;
  const longWaitMs = opts.longWaitMs ?? LONG_WAIT_MS;
  const now = opts.now ?? Date.now;
  let lost = "";
  let offline = "";
  let busy = false;
  let since = 0; // when the current wait began (0: nothing unanswered)
  let timer: ReturnType<typeof setTimeout> | undefined;
  let key = "";
  const subs: Array<() => void> = [];

  const state = (): ConnectionState => {
    const p = pending();
    const waited = p && since ? Math.max(0, now() - since) : 0;
    const reason = lost || offline;
    const phase: Phase = reason ? "disconnected" : !p ? "ready" : waited >= waitMs ? "waiting" : "pending";
    return { phase, reason, offline: !lost && !!offline, waited, busy };
  };

  /** Tell the view when what it shows changes; wake up at the next threshold of the wait. */
  const report = (): void => {
    const s = state();
    const long = s.waited >= longWaitMs;
    const k = `${s.phase}|${s.reason}|${long}|${s.busy && s.phase === "waiting"}`;
    clearTimeout(timer);
    timer = undefined;
    if (since && !long) timer = setTimeout(report, (s.waited < waitMs ? waitMs : longWaitMs) - s.waited + 5);
    if (k !== key) {
      key = k;
      changed();
    }
  };

  const onStatus = (_sender: unknown, status: unknown, initial = false): void => {
    if (typeof status !== "string") return;
    busy = status === "busy";
    if (LOST[status]) lost = LOST[status];
    else if (lost === "restarting" && !initial && (busy || status === "idle" || status === "starting")) lost = "the kernel restarted";
    report();
  };

  const onConnection = (_sender: unknown, status: unknown): void => {
    if (typeof status !== "string") return;
    offline = status === "disconnected" ? "connection lost" : status === "connecting" ? "reconnecting" : "";
    report();
  };

  const lose = (reason: string): void => {
    lost ||= reason;
    report();
  };

  const k = kernelOf(model);
  if (k) {
    onStatus(null, k.status, true);
    onConnection(null, k.connectionStatus);
    for (const [sig, slot] of [
      [k.statusChanged, onStatus],
      [k.connectionStatusChanged, onConnection],
    ] as const) {
      if (!isSignal(sig)) continue;
      try {
        sig.connect(slot);
        subs.push(() => sig.disconnect(slot));
      } catch {
        /* a host whose signals differ: the edits' timeout remains */
      }
    }
  }
  // ipywidgets: the model's comm closed (kernel restarted or widget closed). Backbone calls
  // listeners with `this` = the proxy's context, anywidget's view, whose `.model` is the
  // real model (comm_live is not on the proxy).
  const onLive = function (this: { model?: { comm_live?: unknown } } | undefined) {
    let live: unknown;
    try {
      live = this?.model?.comm_live;
    } catch {
      /* unknown: the event itself says the comm closed */
    }
    if (live !== true) lose("the widget's connection to the kernel closed");
  };
  try {
    model.on("comm_live_update", onLive);
    subs.push(() => model.off("comm_live_update", onLive));
  } catch {
    /* no such event on this host */
  }

  return {
    poke(answered = false) {
      if (answered) lost = "";
      if (!pending()) since = 0;
      else if (since === 0 || answered) since = now();
      report();
    },
    sendFailed(err) {
      lose(`could not send: ${err instanceof Error ? err.message : String(err)}`);
    },
    state,
    destroy() {
      clearTimeout(timer);
      timer = undefined;
      for (const off of subs.splice(0)) {
        try {
          off();
        } catch {
          /* already gone */
        }
      }
    },
  };
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The short status next to the score buttons. */
export function statusText(s: ConnectionState): string {
  switch (s.phase) {
    case "disconnected":
      return "disconnected";
    case "waiting":
      return s.busy ? "waiting for the kernel (busy)\u2026" : "waiting for the kernel\u2026";
    case "pending":
      return "computing\u2026";
    default:
      return "kernel \u00b7 up to date";
  }
}

/**
 * The banner's text, or "" when there is none: disconnected, or an edit unanswered for
 * LONG_WAIT_MS. `edits`: how many edits wait for the kernel; `heads`: the AttentionHeads view.
 */
export function bannerText(s: ConnectionState, edits: number, heads = false, longWaitMs = LONG_WAIT_MS): string {
  const waiting = edits > 0 ? ` ${plural(edits, "edit")} waiting.` : "";
  const rerun = "; re-run the cell to reconnect.";
  if (s.phase === "disconnected") {
    return (
      `Disconnected from the kernel (${s.reason}). ` +
      (heads
        ? "The layer and head picked here are not sent to Python" + rerun
        : "Your edits here are kept " +
          (s.offline ? "and will be sent when it reconnects." : "but not computed by Python" + rerun) +
          waiting)
    );
  }
  if (s.phase === "waiting" && s.waited >= longWaitMs) {
    const busy = s.busy ? " (it is busy running other code)" : "";
    return `The kernel has not answered for more than ${Math.floor(longWaitMs / 1000)} s${busy}. Your edits here are kept and will be sent when it answers.${waiting}`;
  }
  return "";
}
