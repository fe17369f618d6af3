import { describe, expect, it } from "vitest";
import { createCoalescer, type Coalescer, type Traits } from "../src/live/sync";

type Sent = { kind: "traits"; traits: Traits; id: number } | { kind: "resample"; id: number };

function setup(opts: { editId?: number; resultId?: number } = {}) {
  const sent: Sent[] = [];
  const c = createCoalescer(
    {
      sendTraits: (traits, id) => sent.push({ kind: "traits", traits: { ...traits }, id }),
      sendResample: (id) => sent.push({ kind: "resample", id }),
    },
    opts,
  );
  return { c, sent };
}

describe("Coalescer", () => {
  it("sends the first edit at once with the next edit_id", () => {
    const { c, sent } = setup({ editId: 4, resultId: 4 });
    expect(c.pending).toBe(false);
    c.edit({ score: "dot" });
    expect(sent).toEqual([{ kind: "traits", traits: { score: "dot" }, id: 5 }]);
    expect(c.pending).toBe(true);
    expect(c.inFlight).toBe(true);
    c.ack(5);
    expect(c.pending).toBe(false);
  });

  it("keeps one edit in flight and merges the rest, latest value wins", () => {
    const { c, sent } = setup();
    c.edit({ Q: "q1" });
    c.edit({ Q: "q2" });
    c.edit({ temperature: 2 });
    c.edit({ Q: "q3" });
    expect(sent).toHaveLength(1);
    expect(c.queued()).toEqual({ Q: "q3", temperature: 2 });
    c.ack(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual({ kind: "traits", traits: { Q: "q3", temperature: 2 }, id: 2 });
    expect(c.queued()).toEqual({});
    expect(c.pending).toBe(true);
    c.ack(2);
    expect(c.pending).toBe(false);
    expect(sent).toHaveLength(2);
  });

  it("stays pending while result_id is behind the latest edit sent", () => {
    const { c } = setup();
    c.edit({ Q: 1 });
    c.ack(0);
    expect(c.pending).toBe(true);
    c.edit({ Q: 2 });
    c.ack(1); // answers the first; the second goes out now
    expect(c.pending).toBe(true);
    expect(c.latestSent).toBe(2);
    c.ack(2);
    expect(c.pending).toBe(false);
  });

  it("works with a model that answers synchronously inside send (static pages)", () => {
    const sent: number[] = [];
    // eslint-disable-next-line prefer-const
    let c: Coalescer;
    c = createCoalescer({
      sendTraits: (_t, id) => {
        sent.push(id);
        c.ack(id);
      },
      sendResample: () => {},
    });
    c.edit({ Q: 1 });
    c.edit({ Q: 2 });
    expect(sent).toEqual([1, 2]);
    expect(c.pending).toBe(false);
  });

  it("sends a resample as a custom message with its own edit_id, in order", () => {
    const { c, sent } = setup();
    c.edit({ score: "general" });
    c.resample();
    c.resample(); // merged with the previous one
    c.edit({ score: "concat" }); // after the resample: must not be reordered
    c.ack(1);
    expect(sent.map((s) => [s.kind, s.id])).toEqual([
      ["traits", 1],
      ["resample", 2],
      ["traits", 3],
    ]);
    expect(c.pending).toBe(true);
    c.ack(3);
    expect(c.pending).toBe(false);
  });

  it("moves edits without a score change before a queued resample", () => {
    const { c, sent } = setup();
    c.edit({ Q: "a" });
    c.edit({ temperature: 3 });
    c.resample();
    c.edit({ Q: "b" });
    c.ack(1);
    expect(sent.slice(1)).toEqual([
      { kind: "traits", traits: { temperature: 3, Q: "b" }, id: 2 },
      { kind: "resample", id: 3 },
    ]);
  });

  it("never reuses an edit_id another view already used", () => {
    let used = 7;
    const ids: number[] = [];
    const c = createCoalescer({
      sendTraits: (_t, id) => ids.push(id),
      sendResample: () => {},
      usedId: () => used,
    });
    c.edit({ Q: 1 });
    expect(ids).toEqual([8]);
    c.ack(8);
    used = 12;
    c.edit({ Q: 2 });
    expect(ids).toEqual([8, 13]);
  });

  it("ignores empty edits", () => {
    const { c, sent } = setup();
    c.edit({});
    expect(sent).toHaveLength(0);
    expect(c.pending).toBe(false);
  });
});
