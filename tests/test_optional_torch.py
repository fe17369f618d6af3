"""torch and transformers stay optional: the package never imports them until capture() runs."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_importing_attnwidget_and_using_the_widgets_imports_no_torch():
    code = (
        "import sys, numpy as np, attnwidget, attnwidget.models\n"
        "from attnwidget import AttentionWidget\n"
        "AttentionWidget().to_html()\n"
        "AttentionWidget.from_weights(np.full((2, 3, 3), 1 / 3), list('abc')).to_html()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers'))\n"
        "assert not bad, bad\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_capture_without_torch_says_how_to_install_it():
    code = (
        "import sys\n"
        "sys.modules['torch'] = None  # as if torch were not installed\n"
        "import attnwidget\n"
        "try:\n"
        "    attnwidget.capture(object(), input_ids=[[1, 2]])\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "pip install 'attnwidget[torch]'" in result.stdout
