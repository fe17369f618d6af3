// The error box: the kernel's `error` (why it refused an edit). Hidden and empty when no error.
// (A value typed that is not a number is said beside its field: fieldError.ts.)

import type { Snapshot } from "../../live/store";
import { h, setText } from "../dom";
import type { Topic, View } from "./view";

export function messageView(): View {
  const el = h("div", { class: "aw-error", "data-role": "error", role: "alert", hidden: true });
  return {
    el,
    deps: ["error"] satisfies Topic[],
    update(s: Snapshot) {
      const msg = s.error;
      if (msg === "") el.textContent = "";
      else setText(el, msg);
      el.hidden = msg === "";
    },
    destroy() {},
  };
}
