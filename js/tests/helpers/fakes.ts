// Test doubles shared by the vitest files: a Lumino-like signal and a JupyterLab-like kernel.

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
