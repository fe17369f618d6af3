"""Run a command under another CPU dispatch than this machine's, as if on another machine.

    python .ci/dispatch.py [--fixture PATH] -- COMMAND...

The engine's last bits depend on which SIMD and BLAS kernels run: an AVX-512 machine computes
other last digits than an AVX2 one. This script takes the other kernels on this very machine:

- numpy: every dispatched SIMD target disabled (NPY_DISABLE_CPU_FEATURES set to numpy's own
  ``__cpu_dispatch__`` list, so the names fit any numpy version): only its baseline kernels run;
- OpenBLAS: its generic Prescott (SSE3) kernels (OPENBLAS_CORETYPE=Prescott), unless the machine
  sets OPENBLAS_CORETYPE itself, for a CPU that needs it: then that setting is kept.

Both only take kernels away, so they run on any x86-64 CPU. Before the command, the script shows
both dispatches and renders the parity fixture (tests/fixtures/make_parity.py) under each: it
fails if no number differs in its last bits, for then the second pass would prove nothing.
``--fixture PATH`` also writes the fixture rendered under the other dispatch to PATH (for the
JS parity test: ATTNWIDGET_PARITY=PATH). Then it runs COMMAND with the other dispatch's
environment and exits with its code.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

PROBE = r"""
import json, pathlib, sys
import numpy as np
try:
    from numpy._core import _multiarray_umath as umath
except ImportError:  # numpy 1.x
    from numpy.core import _multiarray_umath as umath
from threadpoolctl import threadpool_info
sys.path.insert(0, "tests/fixtures")
import make_parity

text = make_parity.render()
if len(sys.argv) > 1:
    pathlib.Path(sys.argv[1]).write_text(text)
numbers = [
    float(x).hex()
    for case in json.loads(text)["cases"]
    for name in ("scores", "weights", "output")
    for x in np.ravel(case["expected"][name])
]
print(json.dumps({
    "dispatch": list(umath.__cpu_dispatch__),
    "simd": [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)],
    "blas": [f"{i['internal_api']} {i.get('architecture')}" for i in threadpool_info()
             if i["user_api"] == "blas"],
    "numbers": numbers,
}))
"""


def probe(env: dict[str, str], fixture: str | None = None) -> dict:
    args = [sys.executable, "-c", PROBE] + ([fixture] if fixture else [])
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def describe(p: dict) -> str:
    return f"numpy SIMD {' '.join(p['simd']) or '(baseline only)'}; BLAS {', '.join(p['blas'])}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", help="write the fixture rendered under the other dispatch")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (after --)")

    here = probe(dict(os.environ))
    other_vars = {"NPY_DISABLE_CPU_FEATURES": " ".join(here["dispatch"])}
    if not os.environ.get("OPENBLAS_CORETYPE"):
        other_vars["OPENBLAS_CORETYPE"] = "Prescott"
    other_env = {**os.environ, **other_vars}
    there = probe(other_env, args.fixture)

    differ = sum(a != b for a, b in zip(here["numbers"], there["numbers"], strict=True))
    print(f"dispatch: this machine's own:  {describe(here)}")
    print(f"dispatch: the second pass's:   {describe(there)}")
    print("dispatch: set " + " ".join(f"{k}={v!r}" for k, v in other_vars.items()))
    print(
        f"dispatch: {differ} of {len(here['numbers'])} numbers of the parity fixture differ "
        "in their last bits between the two"
    )
    sys.stdout.flush()
    if (here["simd"], here["blas"]) == (there["simd"], there["blas"]) or differ == 0:
        print(
            "dispatch: the second dispatch computes the same bits as the first, so a pass under "
            "it proves nothing: choose other kernels in .ci/dispatch.py",
            file=sys.stderr,
        )
        return 1
    return subprocess.run(command, env=other_env).returncode


if __name__ == "__main__":
    sys.exit(main())
