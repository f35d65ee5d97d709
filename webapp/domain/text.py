"""Marks message templates for translation without importing Flask-Babel.

Domain code raises errors whose templates are English; the web layer translates them with
``gettext(template) % params`` and the extractor finds them through the ``N_`` keyword.
"""


def N_(template: str) -> str:  # noqa: N802 - the conventional gettext no-op name
    return template
