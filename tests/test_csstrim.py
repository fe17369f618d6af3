"""attnwidget/publish/csstrim.py: nbconvert's CSS less what a page cannot use."""

from __future__ import annotations

from attnwidget.publish.csstrim import trim_css, trim_page_styles

CSS = """
/* a comment { with braces } */
:root { --used: 1px; --chain: var(--used); --unused: url(data:image/svg+xml;base64,AAA=); }
body { margin: 0 }
.a { padding: var(--chain) }
.b .c { color: red }
.a:not(.missing) { border: 0 }
.missing, .a > .also-missing, .a > span { top: 0 }
@media print { .b { color: blue } .a { color: green } }
@keyframes spin { from { opacity: 0 } to { opacity: 1 } }
.q::before { content: "}{ .b" }
:is(.x, .y) p { margin: 1px }
"""


def test_rules_for_absent_classes_and_unused_properties_go():
    out = trim_css(CSS, {"a", "q"})
    assert "comment" not in out
    assert "body { margin: 0 }" in out and ".a { padding: var(--chain) }" in out
    assert ".b .c" not in out and ".b { color: blue }" not in out
    assert ".a:not(.missing) { border: 0 }" in out  # a :not() class need not be there
    assert ".a > span { top: 0 }" in out and ".missing" not in out.replace(":not(.missing)", "")
    assert "@media print {\n.a { color: green }\n}" in out
    assert "@keyframes spin" in out and '.q::before { content: "}{ .b" }' in out
    assert ":is(.x, .y) p" in out  # kept: cannot tell
    assert "--used: 1px" in out and "--chain: var(--used)" in out  # used, and used by a used one
    assert "--unused" not in out


def test_properties_named_by_the_page_or_kept_text_stay():
    assert "--unused" in trim_css(CSS, {"a"}, uses="getPropertyValue('--unused')")


def test_the_page_styles_are_trimmed_as_one_sheet_and_ours_left_whole():
    page = (
        '<html><head><style type="text/css">:root { --pad: 2px; --gone: 0 }</style>'
        '<style type="text/css">.cell { padding: var(--pad) } .nothing { margin: 0 }</style>'
        "<style>.attnwidget { color: red } .unused-by-the-markup { x: 1 }</style></head>"
        "<p class=\"\"></p>"
        '<body><div class="cell other">x</div></body></html>'
    )
    out = trim_page_styles(page)
    assert "--pad: 2px" in out and "--gone" not in out  # defined in one block, used in another
    assert ".cell { padding: var(--pad) }" in out and ".nothing" not in out
    assert "<style>.attnwidget { color: red } .unused-by-the-markup { x: 1 }</style>" in out
