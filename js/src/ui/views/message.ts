// The error box: a local parse error, or the kernel's `error`. Hidden and empty when no error.

import type { Snapshot } from "../../live/store";
import { h, setText } from "../dom";
import type { Topic, View } from "./view";

export function messageView(localError: () => string): View {
  const el = h("div", { class: "aw-error", "data-role": "error", role: "alert", hidden: true });
  return {
    el,
    deps: ["error"] satisfies Topic[],
    update(s: Snapshot) {
      const msg = localError() || s.error;
      if (msg === "") el.textContent = "";
      else setText(el, msg);
      el.hidden = msg === "";
    },
    destroy() {},
  };
}
