"""The tutorial site (`make docs`): the seven notebooks of notebooks/, executed, with Sphinx,
myst-nb and the Furo theme; every widget live offline through attnwidget.sphinx.

`make docs` copies this file, index.md and the notebooks into one source folder (build/docs-src)
and builds it into build/docs/. Nothing on the pages is loaded from the network: Furo ships its
scripts and uses the system's fonts, and MathJax (which Sphinx would take from a CDN) is left
out, so math shows as its TeX source.
"""

project = "attnwidget tutorials"
author = "attnwidget"
copyright = "attnwidget contributors"

extensions = ["myst_nb", "attnwidget.sphinx"]

html_theme = "furo"
html_title = "attnwidget tutorials"
html_static_path: list[str] = []
html_copy_source = False
html_show_sourcelink = False

# Execute every notebook (they are committed without outputs); widget state is stored.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_merge_streams = True

# No MathJax from a CDN: math stays TeX source (see the module docstring).
myst_enable_extensions = ["dollarmath"]
suppress_warnings = ["myst.header"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]


def setup(app):
    # Sphinx loads sphinx.ext.mathjax for HTML math; without a local copy, keep it off pages.
    app.connect("html-page-context", _no_mathjax, priority=900)


def _no_mathjax(app, pagename, templatename, context, doctree):
    context["script_files"] = [s for s in context.get("script_files", []) if "mathjax" not in str(s)]
