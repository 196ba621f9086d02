"""`toolkit serve`: the collection round trip in a browser, on the office intranet.

Agencies open a private link, download their template, upload the filled workbook and read
the findings of the same check as `toolkit check`; the coordinator watches a status board
over the roster. ``store`` keeps agencies, links, submissions and events (SQLite, WAL) and
the uploaded files (content-addressed, write-once); ``worker`` runs the check in separate
processes with a time limit; ``app`` is the web application; ``cli`` adds the commands.
"""
