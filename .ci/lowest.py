"""Check that .ci/lowest.txt pins every runtime dependency of pyproject.toml at its floor.

``python .ci/lowest.py`` exits non-zero, naming the package, when a dependency has no ``>=``
floor, has no pin, or is pinned to anything but the floor, or a patch release of it with the
reason in a comment (e.g. numpy 1.23.2 for the floor 1.23: 1.23.0 has no wheel for CPython
3.11).
"""

from __future__ import annotations

import pathlib
import re
import sys

import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def release(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def main() -> int:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for line in (ROOT / ".ci" / "lowest.txt").read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([0-9.]+)\s*(#.*)?$", line)
        if m:
            pins[m.group(1).lower()] = (m.group(2), bool(m.group(3)))
    problems = []
    for dep in deps:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)\s*", dep)
        if not m:
            problems.append(f"{dep!r}: not of the form name>=floor")
            continue
        name, floor = m.group(1).lower(), m.group(2)
        pin, reason = pins.pop(name, (None, False))
        if pin is None:
            problems.append(f"{name}: no pin in .ci/lowest.txt (floor {floor})")
        elif release(pin)[: len(release(floor))] != release(floor):
            problems.append(f"{name}: pinned to {pin}, but the floor is {floor}")
        elif release(pin) != release(floor) + (0,) * (len(release(pin)) - len(release(floor))) and (
            not reason
        ):
            problems.append(f"{name}: pinned to {pin}, above the floor {floor}, with no reason")
        else:
            print(f"lowest: {name}=={pin} (floor >={floor})")
    problems += [f"{name}: pinned in .ci/lowest.txt but not a dependency" for name in pins]
    for p in problems:
        print(f"lowest.py: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
