// The part of the anywidget model API the view uses (ipywidgets' model, or page/localModel.ts's).

export type Listener = (...args: unknown[]) => void;

export interface AnyModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(name: string, callback: Listener): void;
  off(name?: string | null, callback?: Listener | null): void;
  send(content: unknown, callbacks?: unknown, buffers?: unknown): void;
}
