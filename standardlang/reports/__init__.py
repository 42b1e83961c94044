"""Reports for people: renderings of :class:`~standardlang.program.Report` objects.

Takes reports; gives documents.  ``standardlang.reports.html.render_html`` makes one
self-contained HTML page.
"""
