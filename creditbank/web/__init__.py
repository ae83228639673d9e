"""The pages of ``creditbank serve``: HTML for people, beside the JSON API for platforms.

Spec (issue 18):

* **Who sees what.** ``/`` is the learner page: no account, a trial evaluation of an uploaded
  or pasted portfolio / Open Badges / CLR credential (:mod:`creditbank.web.learner`).
  ``/programmes`` is the programme browser (:mod:`creditbank.web.programmes`).
  ``/registrar`` are the registrar pages behind a token login (:mod:`creditbank.web.registrar`).
* **No JavaScript needed.** Every core flow is a plain link or an HTML form (GET for reads, POST
  for actions); a page may add script to enhance it, never to make it work. No Node build step:
  templates are Jinja2 files in this package, the CSS is inlined by the layout.
* **One language per page.** :func:`creditbank.web.i18n.page_language` picks ``zh`` or ``en``:
  ``?lang=`` (which is then remembered in a cookie), else the cookie, else the browser's
  ``Accept-Language``, else ``zh``. Every label comes from the page's catalogue (common labels in
  :mod:`creditbank.web.labels`, each area's own in its module's ``LABELS``), both languages with
  the same keys (a test checks it). Codes stay codes, next to their sentence.
* **Accessible.** Real ``<label for>`` on every control, a skip link, visible focus, headings in
  order, tables with ``<th scope>``, contrast at least 4.5:1, ``lang`` on ``<html>``.
* **Errors are pages.** A malformed upload shows the located problems on the page (status 422 with
  the same page), never an error page or a traceback.
* **Untrusted text.** Everything shown comes from standards and portfolios others wrote: Jinja2
  autoescaping is on for every template; the only markup passed through is creditbank's own
  SVG (:func:`creditbank.reports.render.inline_svg`).
* **The library owns every rule.** Page handlers parse the form, call the same library functions
  as the JSON routes and the CLI, and render; totals on a page equal the CLI's.
* Pages are not part of the OpenAPI document (``include_in_schema=False``): they are for people.
"""

from __future__ import annotations

from creditbank.web.routes import router

__all__ = ["router"]
