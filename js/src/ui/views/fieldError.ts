// An input's error, said beside the field it concerns (not at the top of the widget), tied to
// it by aria-describedby, and gone when the value is reverted (Escape) or corrected.

import { attr, h, setText } from "../dom";

export interface FieldError {
  /** The message element: place it next to the field(s). */
  readonly el: HTMLElement;
  /** The input the message is about (null when none is shown). */
  readonly input: HTMLInputElement | null;
  show(input: HTMLInputElement, message: string): void;
  /** Clear the message (and the invalid mark of its input). */
  clear(): void;
}

let ids = 0;

export function fieldError(): FieldError {
  const id = `aw-field-error-${++ids}`;
  const el = h("p", { class: "aw-field-error", "data-role": "input-error", role: "alert", id, hidden: true });
  let input: HTMLInputElement | null = null;
  const unmark = (): void => {
    input?.removeAttribute("aria-invalid");
    input?.removeAttribute("aria-describedby");
  };
  return {
    el,
    get input() {
      return input;
    },
    show(field, message) {
      if (input !== field) unmark();
      input = field;
      attr(field, "aria-invalid", "true");
      attr(field, "aria-describedby", id);
      setText(el, message);
      el.hidden = false;
    },
    clear() {
      unmark();
      input = null;
      el.textContent = "";
      el.hidden = true;
    },
  };
}
